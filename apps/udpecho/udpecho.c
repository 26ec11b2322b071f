/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * udpecho: a UDP echo server, ordinary Linux C. Every datagram received
 * is sent back to its sender unchanged.
 *
 * usage: udpecho [-p PORT] [-n COUNT]
 *   -p PORT   port to listen on (7)
 *   -n COUNT  exit with status 0 after echoing COUNT datagrams
 *             (default: serve until killed)
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void usage(void)
{
    fprintf(stderr, "usage: udpecho [-p PORT] [-n COUNT]\n");
    exit(2);
}

static long number(const char *s, long max)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 0 || v > max)
        usage();
    return v;
}

int main(int argc, char **argv)
{
    long port = 7, count = -1;
    int opt;
    while ((opt = getopt(argc, argv, "p:n:")) != -1) {
        if (opt == 'p')
            port = number(optarg, 65535);
        else if (opt == 'n')
            count = number(optarg, 1L << 40);
        else
            usage();
    }

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        perror("udpecho: socket");
        return 1;
    }
    struct sockaddr_in addr = {
        .sin_family = AF_INET,
        .sin_port = htons(port),
        .sin_addr.s_addr = htonl(INADDR_ANY),
    };
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        perror("udpecho: bind");
        return 1;
    }
    printf("udpecho: listening on UDP port %ld\n", port);
    fflush(stdout);

    static char buf[65536];
    for (long echoed = 0; count < 0 || echoed < count; echoed++) {
        struct sockaddr_in peer;
        socklen_t peer_len = sizeof(peer);
        ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer,
                             &peer_len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("udpecho: recvfrom");
            return 1;
        }
        if (sendto(fd, buf, n, 0, (struct sockaddr *)&peer, peer_len) < 0)
            perror("udpecho: sendto");
    }
    return 0;
}
