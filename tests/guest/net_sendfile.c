// sendfile from a regular file to a TCP socket as Linux has it. With an
// offset pointer, the offset advances and the file position stays. With
// NULL, the file position advances. A non-blocking socket with full
// buffers takes part of the file and then gives EAGAIN, and the offset
// advances by exactly what was sent. The receiver checks every byte.
// Pipes and regular files are valid targets too. The file lives in a
// directory that the test makes under the current directory.
// test: config=NET=y
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "net_check.h"

#define DIR  "./t-net-sendfile"
#define DATA DIR "/data"
#define COPY DIR "/copy"

static void remove_files(void)
{
    unlink(DATA);
    unlink(COPY);
    rmdir(DIR);
}

// ---- Helpers ------------------------------------------------------------

#define FILE_SIZE    (1 << 20)
#define SMALL_BUFFER 16384

static unsigned char file_bytes[FILE_SIZE];

static bool same_as_file(const unsigned char *buf, size_t offset, size_t len)
{
    return memcmp(buf, file_bytes + offset, len) == 0;
}

// FNV-1a, 32 bits.
static uint32_t checksum(const unsigned char *p, size_t n)
{
    uint32_t sum = 2166136261u;

    for (size_t i = 0; i < n; i++) {
        sum ^= p[i];
        sum *= 16777619u;
    }
    return sum;
}

static int make_data_file(void)
{
    int fd;

    for (size_t i = 0; i < FILE_SIZE; i++)
        file_bytes[i] = (unsigned char)(i * 131 + (i >> 12));
    mkdir(DIR, 0755);
    fd = open(DATA, O_RDWR | O_CREAT | O_TRUNC, 0644);
    require(fd, "open of the data file");
    require(write(fd, file_bytes, FILE_SIZE) == FILE_SIZE ? 0 : -1,
            "write of the data file");
    return fd;
}

struct receiver {
    int fd;
    size_t len;
    size_t got;
    unsigned char *buf;
};

static void *receive_in_thread(void *arg)
{
    struct receiver *r = arg;

    r->got = receive_all(r->fd, r->buf, r->len);
    return NULL;
}

// ---- Checks -------------------------------------------------------------

static void check_offsets(int file)
{
    static unsigned char buf[FILE_SIZE];
    struct receiver r = {0};
    pthread_t t;
    off_t offset;
    ssize_t n;
    int client, server;

    tcp_pair(&client, &server);
    lseek(file, 0, SEEK_SET);
    offset = 1000;
    expect_long(sendfile(client, file, &offset, 10000), 10000,
                "sendfile of 10000 bytes from offset 1000");
    expect_long(offset, 11000, "the offset advanced to 11000");
    expect_long(lseek(file, 0, SEEK_CUR), 0, "the file position stayed at 0");
    expect_long(receive_all(server, buf, 10000), 10000,
                "the receiver got 10000 bytes");
    expect_true(same_as_file(buf, 1000, 10000),
                "they are the file's bytes 1000 to 10999");

    lseek(file, 2000, SEEK_SET);
    expect_long(sendfile(client, file, NULL, 5000), 5000,
                "sendfile of 5000 bytes at file position 2000");
    expect_long(lseek(file, 0, SEEK_CUR), 7000,
                "the file position advanced to 7000");
    expect_long(receive_all(server, buf, 5000), 5000,
                "the receiver got 5000 bytes");
    expect_true(same_as_file(buf, 2000, 5000),
                "they are the file's bytes 2000 to 6999");

    // The whole file, with a thread receiving it at the same time.
    r.fd = server;
    r.len = FILE_SIZE;
    r.buf = buf;
    pthread_create(&t, NULL, receive_in_thread, &r);
    offset = 0;
    while (offset < FILE_SIZE) {
        n = sendfile(client, file, &offset, FILE_SIZE - offset);
        if (n <= 0)
            break;
    }
    pthread_join(t, NULL);
    expect_long(offset, FILE_SIZE, "sendfile of the whole file: offset");
    expect_long(lseek(file, 0, SEEK_CUR), 7000,
                "sendfile of the whole file: the file position stayed");
    expect_long(r.got, FILE_SIZE, "the receiver got the whole file");
    expect_true(checksum(buf, r.got) == checksum(file_bytes, FILE_SIZE),
                "the whole file: checksum matches");

    offset = FILE_SIZE;
    expect_long(sendfile(client, file, &offset, 100), 0,
                "sendfile at the end of the file");
    expect_long(offset, FILE_SIZE, "the offset at the end stayed");
    offset = FILE_SIZE + 5000;
    expect_long(sendfile(client, file, &offset, 100), 0,
                "sendfile past the end of the file");
    offset = 0;
    expect_long(sendfile(client, file, &offset, 0), 0, "sendfile of 0 bytes");
    expect_long(offset, 0, "the offset after 0 bytes");
    offset = FILE_SIZE - 300;
    expect_long(sendfile(client, file, &offset, 1000), 300,
                "sendfile of 1000 bytes with 300 left");
    expect_long(receive_all(server, buf, 300), 300,
                "the receiver got the last 300 bytes");
    expect_true(same_as_file(buf, FILE_SIZE - 300, 300),
                "they are the file's last 300 bytes");
    close(client);
    close(server);
}

static void check_errors(int file)
{
    off_t offset = 0;
    int client, server, write_only, closed;

    tcp_pair(&client, &server);
    write_only = open(DATA, O_WRONLY);
    require(write_only, "open of the data file for writing");
    closed = socket(AF_INET, SOCK_STREAM, 0);
    close(closed);

    expect_errno(sendfile(client, closed, &offset, 10), EBADF,
                 "sendfile from a closed fd");
    expect_errno(sendfile(closed, file, &offset, 10), EBADF,
                 "sendfile to a closed fd");
    expect_errno(sendfile(client, write_only, &offset, 10), EBADF,
                 "sendfile from a file opened write-only");
    offset = -1;
    expect_errno(sendfile(client, file, &offset, 10), EINVAL,
                 "sendfile with offset -1");
    offset = 0;
    // A socket cannot be read at an offset, so the offset pointer comes
    // first.
    expect_errno(sendfile(client, server, &offset, 10), ESPIPE,
                 "sendfile from a socket with an offset");
    expect_errno(sendfile(client, server, NULL, 10), EINVAL,
                 "sendfile from a socket without an offset");
    close(write_only);
    close(client);
    close(server);
}

static void check_other_targets(int file)
{
    unsigned char buf[4096];
    struct stat st;
    off_t offset = 4096;
    int p[2], copy;

    require(pipe(p), "pipe");
    expect_long(sendfile(p[1], file, &offset, sizeof(buf)), sizeof(buf),
                "sendfile to a pipe");
    expect_long(read(p[0], buf, sizeof(buf)), sizeof(buf),
                "read of what sendfile put in the pipe");
    expect_true(same_as_file(buf, 4096, sizeof(buf)),
                "the pipe got the file's bytes");
    close(p[0]);
    close(p[1]);

    copy = open(COPY, O_RDWR | O_CREAT | O_TRUNC, 0644);
    require(copy, "open of the copy");
    offset = 0;
    while (offset < FILE_SIZE) {
        if (sendfile(copy, file, &offset, FILE_SIZE - offset) <= 0)
            break;
    }
    expect_long(offset, FILE_SIZE, "sendfile to a regular file: offset");
    fstat(copy, &st);
    expect_long(st.st_size, FILE_SIZE, "the copy's size");
    close(copy);
}

// Sends the file into a non-blocking socket whose peer does not read, so
// that the buffers fill. Every call must advance the offset by what it
// returns.
static void check_nonblocking(int file)
{
    static unsigned char buf[FILE_SIZE];
    struct receiver r = {0};
    pthread_t t;
    off_t offset = 0, before;
    ssize_t first, n = 0;
    bool consistent = true;
    int client, server, calls = 0;
    long long deadline;

    tcp_pair_with_buffers(&client, &server, SMALL_BUFFER);
    fcntl(client, F_SETFL, O_NONBLOCK);
    first = sendfile(client, file, &offset, FILE_SIZE);
    expect_true(first > 0 && first < FILE_SIZE,
                "non-blocking sendfile of 1 MiB sends part of it");
    expect_true(offset == first, "the offset advanced by the bytes sent");
    for (calls = 0; calls < 10000; calls++) {
        before = offset;
        n = sendfile(client, file, &offset, FILE_SIZE - offset);
        if (n < 0)
            break;
        consistent = consistent && offset == before + n;
    }
    expect_errno(n, EAGAIN, "sendfile into the full socket");
    expect_true(consistent, "each call advanced the offset by its result");
    expect_true(offset == before, "the failed call left the offset alone");
    expect_true(offset < FILE_SIZE, "the buffers filled before the end");

    // Now a thread reads everything and the rest goes out as room appears.
    r.fd = server;
    r.len = FILE_SIZE;
    r.buf = buf;
    pthread_create(&t, NULL, receive_in_thread, &r);
    deadline = now_ms() + 8000;
    while (offset < FILE_SIZE && now_ms() < deadline) {
        struct pollfd p = {client, POLLOUT, 0};

        before = offset;
        n = sendfile(client, file, &offset, FILE_SIZE - offset);
        if (n < 0 && errno != EAGAIN)
            break;
        consistent = consistent && offset == before + (n > 0 ? n : 0);
        if (n < 0)
            poll(&p, 1, 1000);
    }
    if (offset < FILE_SIZE)
        shutdown(client, SHUT_RDWR);
    pthread_join(t, NULL);
    expect_long(offset, FILE_SIZE, "the rest of the file went out");
    expect_true(consistent, "every call advanced the offset by its result");
    expect_long(r.got, FILE_SIZE, "the receiver got the whole file");
    expect_true(checksum(buf, r.got) == checksum(file_bytes, FILE_SIZE),
                "non-blocking: checksum matches");
    close(client);
    close(server);
}

int main(void)
{
    int file;

    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    require_cleanup = remove_files;
    file = make_data_file();
    check_offsets(file);
    check_errors(file);
    check_other_targets(file);
    check_nonblocking(file);
    close(file);
    remove_files();
    return finish();
}
