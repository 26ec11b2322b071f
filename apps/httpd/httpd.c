/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * httpd: a small HTTP/1.1 static-file server written for Pogo, and
 * ordinary Linux C: one thread, epoll, keep-alive, sendfile. It answers
 * GET and HEAD from a document root, 404 for missing files, 405 for
 * other methods and 400 for requests it cannot parse.
 *
 * usage: httpd [-p PORT] [-r ROOT] [-l] [-s]
 *   -p PORT  port to listen on (80)
 *   -r ROOT  document root (/www)
 *   -l       log each request on standard output
 *   -s       serve the kernel's network counters at /__stats
 *            (/proc/pogo/net)
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "request.h"

#define MAX_EVENTS 256
#define HEAD_MAX   1024
#define STATS_PATH "/proc/pogo/net"

struct conn {
    int fd;
    char in[HTTP_HEADER_MAX + 1];
    size_t in_len;
    char head[HEAD_MAX]; /* the response header (and small body) */
    size_t head_len, head_sent;
    int file; /* the file being sent, or -1 */
    off_t file_off, file_end;
    bool keep_alive;
    bool closing; /* close when the response is out */
};

static const char *root = "/www";
static bool log_requests;
static bool serve_stats;
static int epfd;

static const char *content_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html"},
        {".htm", "text/html"},
        {".txt", "text/plain"},
        {".css", "text/css"},
        {".js", "application/javascript"},
        {".json", "application/json"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".gif", "image/gif"},
        {".svg", "image/svg+xml"},
    };
    const char *dot = strrchr(path, '.');

    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    }
    return "application/octet-stream";
}

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Turns the request target into a file path under root; returns false
 * for targets that could leave it. */
static bool target_path(const char *target, char *out, size_t size)
{
    char decoded[HTTP_TARGET_MAX];
    size_t n = 0;

    if (target[0] != '/')
        return false;
    for (const char *p = target; *p && *p != '?' && *p != '#'; p++) {
        char c = *p;
        if (c == '%') {
            int hi = hex(p[1]), lo = hi >= 0 ? hex(p[2]) : -1;
            if (lo < 0)
                return false;
            c = (char)(hi * 16 + lo);
            p += 2;
        }
        if (c == '\0' || n + 1 >= sizeof(decoded))
            return false;
        decoded[n++] = c;
    }
    decoded[n] = '\0';
    if (strstr(decoded, "/../") ||
        (n >= 3 && strcmp(decoded + n - 3, "/..") == 0))
        return false;
    return snprintf(out, size, "%s%s%s", root, decoded,
                    decoded[n - 1] == '/' ? "index.html" : "") < (int)size;
}

static void respond(struct conn *c, int status, const char *reason,
                    const char *extra, const char *body, bool head_only)
{
    size_t blen = body ? strlen(body) : 0;

    c->head_len = snprintf(c->head, sizeof(c->head),
                           "HTTP/1.1 %d %s\r\nServer: pogo-httpd\r\n"
                           "Content-Type: text/plain\r\nContent-Length: %zu\r\n"
                           "%sConnection: %s\r\n\r\n%s",
                           status, reason, blen, extra ? extra : "",
                           c->keep_alive ? "keep-alive" : "close",
                           head_only || !body ? "" : body);
    if (c->head_len >= sizeof(c->head))
        c->head_len = sizeof(c->head) - 1;
    c->head_sent = 0;
}

static void serve_file(struct conn *c, const struct http_request *r)
{
    bool head_only = r->method == HTTP_HEAD;
    char path[4096];
    struct stat st;
    int fd;

    if (serve_stats && strcmp(r->target, "/__stats") == 0)
        snprintf(path, sizeof(path), "%s", STATS_PATH);
    else if (!target_path(r->target, path, sizeof(path))) {
        respond(c, 404, "Not Found", NULL, "not found\n", head_only);
        return;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        strncat(path, "/index.html", sizeof(path) - strlen(path) - 1);
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        respond(c, 404, "Not Found", NULL, "not found\n", head_only);
        return;
    }
    /* /proc files have no size: read them into the response. */
    if (st.st_size == 0 && strncmp(path, "/proc/", 6) == 0) {
        char body[512];
        ssize_t n = read(fd, body, sizeof(body) - 1);
        body[n > 0 ? n : 0] = '\0';
        close(fd);
        respond(c, 200, "OK", NULL, body, head_only);
        return;
    }
    c->head_len = snprintf(c->head, sizeof(c->head),
                           "HTTP/1.1 200 OK\r\nServer: pogo-httpd\r\n"
                           "Content-Type: %s\r\nContent-Length: %lld\r\n"
                           "Connection: %s\r\n\r\n",
                           content_type(path), (long long)st.st_size,
                           c->keep_alive ? "keep-alive" : "close");
    c->head_sent = 0;
    if (head_only) {
        close(fd);
        return;
    }
    c->file = fd;
    c->file_off = 0;
    c->file_end = st.st_size;
}

static void handle_request(struct conn *c, const struct http_request *r)
{
    c->keep_alive = r->keep_alive;
    if (log_requests)
        printf("%s %s\n", r->method == HTTP_HEAD ? "HEAD" : "GET", r->target);
    if (r->method != HTTP_GET && r->method != HTTP_HEAD) {
        respond(c, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n",
                "method not allowed\n", false);
        return;
    }
    serve_file(c, r);
}

static void close_conn(struct conn *c)
{
    if (c->file >= 0)
        close(c->file);
    close(c->fd);
    free(c);
}

static void want_output(struct conn *c, bool on)
{
    struct epoll_event ev = {
        .events = EPOLLIN | EPOLLRDHUP | (on ? EPOLLOUT : 0),
        .data.ptr = c,
    };

    epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Sends what is pending; returns -1 when the connection must close, 0
 * when done, 1 when the socket is full. */
static int flush(struct conn *c)
{
    while (c->head_sent < c->head_len) {
        ssize_t n = send(c->fd, c->head + c->head_sent,
                         c->head_len - c->head_sent, MSG_NOSIGNAL);
        if (n < 0)
            return errno == EAGAIN ? 1 : -1;
        c->head_sent += n;
    }
    while (c->file >= 0 && c->file_off < c->file_end) {
        ssize_t n =
            sendfile(c->fd, c->file, &c->file_off, c->file_end - c->file_off);
        if (n < 0)
            return errno == EAGAIN ? 1 : -1;
        if (n == 0)
            return -1; /* the file shrank */
    }
    if (c->file >= 0) {
        close(c->file);
        c->file = -1;
    }
    c->head_len = c->head_sent = 0;
    return (c->closing || !c->keep_alive) ? -1 : 0;
}

/* Parses and answers every complete request in the input buffer. */
static int process(struct conn *c)
{
    for (;;) {
        struct http_request r;
        enum http_parse p;
        int f;

        if (c->head_len || c->file >= 0)
            return 1; /* a response is still going out */
        p = http_parse(c->in, c->in_len, &r);
        if (p == HTTP_INCOMPLETE)
            return 0;
        if (p != HTTP_OK) {
            c->keep_alive = false;
            c->closing = true;
            if (p == HTTP_TOO_LARGE)
                respond(c, 431, "Request Header Fields Too Large", NULL,
                        "request header too large\n", false);
            else
                respond(c, 400, "Bad Request", NULL, "bad request\n", false);
            return flush(c);
        }
        handle_request(c, &r);
        /* A request body is skipped (only GET and HEAD are served). */
        if (r.has_length && r.content_length > c->in_len - r.header_length) {
            c->keep_alive = false;
            c->in_len = 0;
        } else {
            size_t used = r.header_length + (size_t)r.content_length;
            memmove(c->in, c->in + used, c->in_len - used);
            c->in_len -= used;
        }
        f = flush(c);
        if (f != 0)
            return f;
    }
}

static void on_readable(struct conn *c)
{
    for (;;) {
        ssize_t n;
        int r;

        if (c->in_len == HTTP_HEADER_MAX) {
            r = process(c);
            if (r < 0) {
                close_conn(c);
                return;
            }
            if (c->in_len == HTTP_HEADER_MAX)
                return;
        }
        n = recv(c->fd, c->in + c->in_len, HTTP_HEADER_MAX - c->in_len, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            close_conn(c);
            return;
        }
        if (n < 0)
            break;
        c->in_len += n;
        r = process(c);
        if (r < 0) {
            close_conn(c);
            return;
        }
        if (r > 0) {
            want_output(c, true);
            return;
        }
    }
}

static void on_writable(struct conn *c)
{
    int r = flush(c);

    if (r < 0) {
        close_conn(c);
        return;
    }
    if (r == 0) {
        want_output(c, false);
        r = process(c);
        if (r < 0)
            close_conn(c);
        else if (r > 0)
            want_output(c, true);
    }
}

static void accept_all(int lfd)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        struct epoll_event ev;
        struct conn *c;
        int one = 1;

        if (fd < 0)
            return;
        c = calloc(1, sizeof(*c));
        if (!c) {
            close(fd);
            continue;
        }
        c->fd = fd;
        c->file = -1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.ptr = c;
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
            close_conn(c);
    }
}

static int listen_on(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;

    if (fd < 0) {
        perror("httpd: socket");
        exit(1);
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(fd, 1024) != 0) {
        fprintf(stderr, "httpd: cannot listen on port %d: %s\n", port,
                strerror(errno));
        exit(1);
    }
    return fd;
}

int main(int argc, char **argv)
{
    struct epoll_event events[MAX_EVENTS], ev = {.events = EPOLLIN};
    int port = 80, opt, lfd;

    while ((opt = getopt(argc, argv, "p:r:ls")) != -1) {
        if (opt == 'p')
            port = atoi(optarg);
        else if (opt == 'r')
            root = optarg;
        else if (opt == 'l')
            log_requests = true;
        else if (opt == 's')
            serve_stats = true;
        else {
            fprintf(stderr, "usage: httpd [-p PORT] [-r ROOT] [-l] [-s]\n");
            return 2;
        }
    }
    if (port <= 0 || port > 65535) {
        fprintf(stderr, "httpd: invalid port '%s'\n", argv[optind - 1]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);
    lfd = listen_on(port);
    epfd = epoll_create1(EPOLL_CLOEXEC);
    ev.data.ptr = NULL;
    epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
    printf("httpd: serving %s on port %d\n", root, port);

    for (;;) {
        int n = epoll_wait(epfd, events, MAX_EVENTS, -1);
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (!c) {
                accept_all(lfd);
                continue;
            }
            if (events[i].events & (EPOLLOUT))
                on_writable(c);
            else
                on_readable(c);
        }
    }
}
