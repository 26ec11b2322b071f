// The console as fds 0-2 see it: a terminal with Linux's default
// settings, standard error on the error channel, and input from the
// serial port with console.input=serial (end of file without it).
#include <stdio.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>

int main(void)
{
    struct termios t;
    struct winsize ws = {1, 1, 0, 0};
    char line[64];
    int ready = -1, ret;

    printf("isatty: %d %d %d\n", isatty(0), isatty(1), isatty(2));
    ret = tcgetattr(0, &t);
    printf("tcgetattr: %d, ICANON %d, ECHO %d\n", ret, !!(t.c_lflag & ICANON),
           !!(t.c_lflag & ECHO));
    ret = ioctl(1, TIOCGWINSZ, &ws);
    printf("TIOCGWINSZ: %d, %u rows, %u columns\n", ret, ws.ws_row, ws.ws_col);
    ret = ioctl(0, FIONREAD, &ready);
    printf("FIONREAD: %d\n", ret);
    fflush(stdout);
    fprintf(stderr, "to standard error\n");
    /* The serial port has no end of file, so two lines end the test. */
    for (int lines = 0; lines < 2; lines++) {
        if (!fgets(line, sizeof(line), stdin)) {
            printf("end of file\n");
            return 0;
        }
        printf("read: %s", line);
    }
    return 0;
}
