// test: mem=512M timeout=300
// Large files: 100 MiB written in 4 KiB blocks by write(), by writev()
// with three buffers per call and by fwrite(), each to its own file. Each
// file's size and a checksum of the data read back are checked against the
// pattern, and the file is removed before the next one is written.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "check.h"

#define DIR_NAME   "t-big-writes"
#define BLOCK      4096
#define BLOCKS     25600 // 100 MiB
#define FILE_SIZE  ((long long)BLOCK * BLOCKS)
#define READ_CHUNK 65536

enum method { WRITE, WRITEV, FWRITE };

static const char *const method_names[] = {"write()", "writev()", "fwrite()"};

// The pattern: 64-bit word number w of the file contains word_at(w).
static uint64_t word_at(uint64_t w)
{
    return w * 0x9e3779b97f4a7c15ull ^ (w >> 7);
}

static void fill_block(uint64_t *buf, uint64_t block)
{
    for (size_t i = 0; i < BLOCK / 8; i++)
        buf[i] = word_at(block * (BLOCK / 8) + i);
}

static uint64_t mix(uint64_t sum, uint64_t word)
{
    return (sum ^ word) * 0x100000001b3ull;
}

// The checksum of the whole pattern, computed without any file.
static uint64_t pattern_checksum(void)
{
    uint64_t sum = 0xcbf29ce484222325ull;

    for (uint64_t w = 0; w < FILE_SIZE / 8; w++)
        sum = mix(sum, word_at(w));
    return sum;
}

// Writes the pattern; returns the number of calls that did not write
// everything.
static long write_file(const char *path, enum method m)
{
    static uint64_t buf[BLOCK / 8];
    long failed = 0;
    FILE *f = NULL;
    int fd = -1;

    if (m == FWRITE)
        f = fopen(path, "w");
    else
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (!f && fd < 0) {
        printf("FAIL: %s: creating %s: %s\n", method_names[m], path,
               strerror(errno));
        return BLOCKS;
    }
    for (uint64_t b = 0; b < BLOCKS; b++) {
        char *p = (char *)buf;
        struct iovec iov[3] = {
            {p, 1000},
            {p + 1000, 2000},
            {p + 3000, BLOCK - 3000},
        };

        fill_block(buf, b);
        if (m == WRITE)
            failed += write(fd, buf, BLOCK) != BLOCK;
        else if (m == WRITEV)
            failed += writev(fd, iov, 3) != BLOCK;
        else
            failed += fwrite(buf, 1, BLOCK, f) != BLOCK;
    }
    if (m == FWRITE)
        failed += fclose(f) != 0;
    else
        failed += close(fd) != 0;
    return failed;
}

struct readback {
    long long bytes;
    long bad_blocks;
    long long first_bad; // offset of the first bad block, or -1
    uint64_t checksum;
};

static struct readback read_file(int fd)
{
    static uint64_t buf[READ_CHUNK / 8];
    struct readback r = {0, 0, -1, 0xcbf29ce484222325ull};
    ssize_t n;

    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        uint64_t first_word = r.bytes / 8;

        // Reads of a regular file give whole chunks until the end, and
        // the file size is a multiple of READ_CHUNK.
        if (n % BLOCK != 0 || r.bytes % BLOCK != 0) {
            printf("FAIL: read returned %zd bytes at %lld\n", n, r.bytes);
            r.bad_blocks++;
            break;
        }
        for (ssize_t b = 0; b < n / BLOCK; b++) {
            bool same = true;

            for (size_t i = 0; i < BLOCK / 8; i++) {
                uint64_t w = buf[b * (BLOCK / 8) + i];

                r.checksum = mix(r.checksum, w);
                same &= w == word_at(first_word + b * (BLOCK / 8) + i);
            }
            if (!same && r.bad_blocks++ == 0)
                r.first_bad = r.bytes + b * BLOCK;
        }
        r.bytes += n;
    }
    if (n < 0)
        printf("FAIL: read: %s\n", strerror(errno));
    return r;
}

static void check_method(enum method m, uint64_t expected_sum)
{
    const char *name = method_names[m];
    struct readback r;
    struct stat st;
    int fd;

    expect_long(write_file("big", m), 0,
                label("%s: calls of 4096 bytes that failed", name));
    expect_errno(stat("big", &st), 0, label("%s: stat", name));
    expect_long(st.st_size, FILE_SIZE, label("%s: stat size", name));

    fd = open("big", O_RDONLY);
    expect_errno(fd, 0, label("%s: open for reading", name));
    fstat(fd, &st);
    expect_long(st.st_size, FILE_SIZE, label("%s: fstat size", name));
    r = read_file(fd);
    expect_long(r.bytes, FILE_SIZE, label("%s: bytes read back", name));
    expect_long(r.bad_blocks, 0,
                label("%s: 4 KiB blocks that differ from the pattern", name));
    if (r.bad_blocks)
        printf("  first bad block at offset %lld\n", r.first_bad);
    expect_true(r.checksum == expected_sum,
                label("%s: checksum of the data read back", name));
    expect_long(lseek(fd, 0, SEEK_END), FILE_SIZE,
                label("%s: SEEK_END offset", name));
    close(fd);

    expect_errno(unlink("big"), 0, label("%s: unlink", name));
    expect_errno(stat("big", &st), ENOENT,
                 label("%s: stat after unlink", name));
}

int main(void)
{
    uint64_t sum;

    setvbuf(stdout, NULL, _IOLBF, 0);
    umask(022);
    enter_dir(DIR_NAME);
    sum = pattern_checksum();
    printf("pattern checksum: %016llx\n", (unsigned long long)sum);
    // One file at a time: Pogo keeps files in RAM.
    check_method(WRITE, sum);
    check_method(WRITEV, sum);
    check_method(FWRITE, sum);
    leave_dir(DIR_NAME);
    return finish();
}
