// Sends to ADDRESS PORT and exits at once, leaving the delivery to the
// kernel as a Linux process may. With "udp" it sends COUNT numbered
// datagrams, and all but the first leave while ARP still resolves the
// address. With "tcp" it sends COUNT bytes of a repeating pattern over
// one connection, then closes it.
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int send_datagrams(const struct sockaddr_in *to, long count)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    if (fd < 0) {
        perror("send_and_exit: socket");
        return 1;
    }
    for (long i = 0; i < count; i++) {
        char msg[32];
        int len = snprintf(msg, sizeof(msg), "datagram %ld", i);

        if (sendto(fd, msg, len, 0, (const struct sockaddr *)to, sizeof(*to)) !=
            len) {
            perror("send_and_exit: sendto");
            return 1;
        }
    }
    return 0;
}

static int send_stream(const struct sockaddr_in *to, long count)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    char block[4096];

    if (fd < 0 || connect(fd, (const struct sockaddr *)to, sizeof(*to))) {
        perror("send_and_exit: connect");
        return 1;
    }
    for (size_t i = 0; i < sizeof(block); i++)
        block[i] = (char)(i % 251);
    for (long sent = 0; sent < count;) {
        size_t want = count - sent;
        ssize_t n;

        if (want > sizeof(block) - sent % 251)
            want = sizeof(block) - sent % 251;
        n = write(fd, block + sent % 251, want);
        if (n < 0) {
            perror("send_and_exit: write");
            return 1;
        }
        sent += n;
    }
    return close(fd) ? 1 : 0;
}

int main(int argc, char **argv)
{
    struct sockaddr_in to = {.sin_family = AF_INET};
    long count;

    if (argc != 5 || (strcmp(argv[1], "udp") && strcmp(argv[1], "tcp"))) {
        fprintf(stderr, "usage: send_and_exit udp|tcp ADDRESS PORT COUNT\n");
        return 2;
    }
    if (inet_pton(AF_INET, argv[2], &to.sin_addr) != 1) {
        fprintf(stderr, "send_and_exit: invalid address '%s'\n", argv[2]);
        return 2;
    }
    to.sin_port = htons(atoi(argv[3]));
    count = atol(argv[4]);
    if (strcmp(argv[1], "udp") == 0)
        return send_datagrams(&to, count);
    return send_stream(&to, count);
}
