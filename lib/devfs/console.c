/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The console, /dev/console and /dev/tty: output to the serial console
 * (fd 2 to the error channel), and input from the serial port when the
 * kernel option console.input=serial is given. The port raises no
 * interrupt yet, so a reader that would block polls it every 10 ms with
 * a timer, which runs only while someone waits.
 */
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/param.h>
#include <pogo/plat.h>
#include <pogo/string.h>
#include <pogo/time.h>
#include <pogo/timer.h>
#include <pogo/uaccess.h>

#include "devfs_internal.h"

#define INPUT_SIZE 256
#define POLL_NS    (10 * 1000000ull)
#define CHUNK      512

#define TCGETS     0x5401
#define TCSETS     0x5402
#define TCSETSW    0x5403
#define TCSETSF    0x5404
#define TIOCGPGRP  0x540f
#define TIOCSPGRP  0x5410
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD   0x541b

#define ICRNL 0000400

/* struct termios as the TCGETS ioctl has it (the kernel's layout). */
struct linux_termios {
    uint32_t iflag, oflag, cflag, lflag;
    uint8_t line;
    uint8_t cc[19];
};

struct linux_winsize {
    uint16_t rows, cols, xpixel, ypixel;
};

/*
 * Linux's defaults for a new terminal: ICRNL | IXON; OPOST | ONLCR;
 * B38400 | CS8 | CREAD | HUPCL; ISIG | ICANON | ECHO | ECHOE | ECHOK |
 * ECHOCTL | ECHOKE | IEXTEN; and the usual control characters.
 */
static struct linux_termios termios = {
    .iflag = 0002400,
    .oflag = 0000005,
    .cflag = 0002277,
    .lflag = 0105073,
    .cc = {3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0},
};

/* rows and cols 0: the size of a serial console is unknown. */
static struct linux_winsize winsize;

static bool input_enabled;
static char input[INPUT_SIZE]; /* a ring of bytes read from the port */
static size_t input_start, input_len;
static struct pogo_poll_head input_poll;
static struct pogo_timer input_timer;

bool pogo_devfs_console_input(void)
{
    return input_enabled;
}

static int set_input(const char *value)
{
    if (pogo_strcmp(value, "serial") == 0) {
        input_enabled = true;
        return 0;
    }
    if (pogo_strcmp(value, "none") == 0) {
        input_enabled = false;
        return 0;
    }
    pogo_error("console: invalid console.input=%s: expected serial or "
               "none\n",
               value);
    return -EINVAL;
}
POGO_PARAM("console.input", set_input);

/* Moves what has arrived at the port into the ring. */
static void pull_input(void)
{
    while (input_enabled && input_len < INPUT_SIZE) {
        size_t at = (input_start + input_len) % INPUT_SIZE;
        size_t room = POGO_MIN(INPUT_SIZE - input_len, INPUT_SIZE - at);
        size_t n = pogo_plat_console_read(input + at, room);

        if (!n)
            break;
        /* NOTE: the only input processing is ICRNL; there is no echo,
         * and no line editing even with ICANON set. */
        for (size_t i = 0; i < n && (termios.iflag & ICRNL); i++) {
            if (input[at + i] == '\r')
                input[at + i] = '\n';
        }
        input_len += n;
    }
}

static void arm_timer(void);

static void input_timer_fired(struct pogo_timer *t)
{
    pull_input();
    if (input_len)
        pogo_poll_notify(&input_poll, POGO_POLLIN | POGO_POLLRDNORM);
    else if (input_poll.first)
        arm_timer();
}

static void arm_timer(void)
{
    if (input_enabled && !input_timer.armed)
        pogo_timer_start(&input_timer, pogo_time_monotonic_ns() + POLL_NS,
                         input_timer_fired);
}

/* Copies what the ring holds out, up to u->resid; the bytes that a
 * fault stops are kept for the next read. */
static long take_input(struct pogo_uio *u)
{
    size_t n = POGO_MIN(u->resid, input_len);
    size_t first = POGO_MIN(n, INPUT_SIZE - input_start);
    size_t start = u->resid;
    int err = pogo_uio_copy_out(u, input + input_start, first);

    if (!err)
        err = pogo_uio_copy_out(u, input, n - first);
    n = start - u->resid;
    input_start = (input_start + n) % INPUT_SIZE;
    input_len -= n;
    return (err && !n) ? err : (long)n;
}

static long console_read(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    if (!input_enabled || !u->resid)
        return 0;
    for (;;) {
        pull_input();
        if (input_len)
            return take_input(u);
        if (f->flags & POGO_O_NONBLOCK)
            return -EAGAIN;
        arm_timer();
        if (pogo_poll_wait(&input_poll, 0) == -EINTR)
            return -EINTR;
    }
}

/* Copies the application's bytes in chunks to out; a fault ends the
 * write after the bytes before it. */
static long write_to(struct pogo_uio *u, void (*out)(const char *, size_t))
{
    char chunk[CHUNK];
    size_t start = u->resid;
    int err = 0;

    while (u->resid && !err) {
        size_t left = u->resid;

        err = pogo_uio_copy_in(u, chunk, POGO_MIN(u->resid, sizeof(chunk)));
        if (left > u->resid)
            out(chunk, left - u->resid);
    }
    return (err && u->resid == start) ? err : (long)(start - u->resid);
}

static long console_write(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    return write_to(u, pogo_plat_console_write);
}

static long error_write(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    return write_to(u, pogo_plat_error_write);
}

static unsigned console_poll(struct pogo_file *f, struct pogo_poll_head **head)
{
    unsigned mask = POGO_POLLOUT | POGO_POLLWRNORM;

    *head = &input_poll;
    pull_input();
    if (input_len)
        mask |= POGO_POLLIN | POGO_POLLRDNORM;
    else
        arm_timer();
    return mask;
}

static long put(unsigned long arg, const void *value, size_t size)
{
    return pogo_copy_to_user((void *)arg, value, size);
}

static long console_ioctl(struct pogo_file *f, unsigned int cmd,
                          unsigned long arg)
{
    int n, pgrp = 1;

    switch (cmd) {
    case TCGETS:
        return put(arg, &termios, sizeof(termios));
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
        /* NOTE: the settings are kept for TCGETS but change nothing but
         * ICRNL: the console has no line discipline. */
        return pogo_copy_from_user(&termios, (const void *)arg,
                                   sizeof(termios));
    case TIOCGWINSZ:
        return put(arg, &winsize, sizeof(winsize));
    case TIOCSWINSZ:
        return pogo_copy_from_user(&winsize, (const void *)arg,
                                   sizeof(winsize));
    case TIOCGPGRP:
        return put(arg, &pgrp, sizeof(pgrp));
    case TIOCSPGRP:
        return 0;
    case FIONREAD:
        pull_input();
        n = input_len;
        return put(arg, &n, sizeof(n));
    default:
        return -ENOTTY;
    }
}

static const struct pogo_file_ops console_ops = {
    .read = console_read,
    .write = console_write,
    .poll = console_poll,
    .ioctl = console_ioctl,
};

static const struct pogo_file_ops error_ops = {
    .read = console_read,
    .write = error_write,
    .poll = console_poll,
    .ioctl = console_ioctl,
};

static int console_open(struct pogo_vnode *v, struct pogo_file *f)
{
    f->ops = &console_ops;
    return 0;
}

static struct pogo_chrdev console_devices[] = {
    {.rdev = POGO_DEV_TTY, .open = console_open},
    {.rdev = POGO_DEV_CONSOLE, .open = console_open},
};

void devfs_console_register(void)
{
    for (size_t i = 0; i < POGO_ARRAY_SIZE(console_devices); i++)
        pogo_vfs_register_chrdev(&console_devices[i]);
}

int devfs_console_open_std_fds(void)
{
    struct pogo_file *in, *err;
    int fd;

    if (pogo_vfs_open(NULL, "/dev/console", POGO_O_RDWR, 0, &in) ||
        pogo_vfs_open(NULL, "/dev/console", POGO_O_RDWR, 0, &err))
        return -ENOMEM;
    err->ops = &error_ops;
    pogo_file_get(in);
    fd = pogo_fd_install(in, 0, false);
    if (fd == 0)
        fd = pogo_fd_install(in, 1, false);
    if (fd == 1)
        fd = pogo_fd_install(err, 2, false);
    return fd == 2 ? 0 : -EBUSY;
}
