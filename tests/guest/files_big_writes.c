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

// ---- Checks: each prints one line, "FAIL: ..." when it fails. ----------

static int checks;
static int failures;

static const char *errno_name(int e)
{
    static const struct {
        int value;
        const char *name;
    } names[] = {
        {0, "0"},
        {EPERM, "EPERM"},
        {ENOENT, "ENOENT"},
        {EINTR, "EINTR"},
        {EIO, "EIO"},
        {ENXIO, "ENXIO"},
        {EBADF, "EBADF"},
        {EAGAIN, "EAGAIN"},
        {ENOMEM, "ENOMEM"},
        {EACCES, "EACCES"},
        {EFAULT, "EFAULT"},
        {EBUSY, "EBUSY"},
        {EEXIST, "EEXIST"},
        {EXDEV, "EXDEV"},
        {ENOTDIR, "ENOTDIR"},
        {EISDIR, "EISDIR"},
        {EINVAL, "EINVAL"},
        {EMFILE, "EMFILE"},
        {ENOTTY, "ENOTTY"},
        {EFBIG, "EFBIG"},
        {ENOSPC, "ENOSPC"},
        {ESPIPE, "ESPIPE"},
        {EPIPE, "EPIPE"},
        {ERANGE, "ERANGE"},
        {ENAMETOOLONG, "ENAMETOOLONG"},
        {ENOSYS, "ENOSYS"},
        {ENOTEMPTY, "ENOTEMPTY"},
        {ELOOP, "ELOOP"},
        {EOPNOTSUPP, "EOPNOTSUPP"},
    };
    static char other[32];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (names[i].value == e)
            return names[i].name;
    }
    snprintf(other, sizeof(other), "errno %d (%s)", e, strerror(e));
    return other;
}

static void report(bool ok, const char *label, const char *got,
                   const char *want)
{
    checks++;
    if (ok) {
        printf("%s: %s\n", label, got);
        return;
    }
    failures++;
    printf("FAIL: %s: got %s, expected %s\n", label, got, want);
}

// Checks the errno of a call that returns -1 and sets errno, or 0 when it
// succeeded.
static void expect_errno(long ret, int want, const char *label)
{
    int got = ret < 0 ? errno : 0;
    char got_name[64];

    snprintf(got_name, sizeof(got_name), "%s", errno_name(got));
    report(got == want, label, got_name, errno_name(want));
}

static void expect_long(long long got, long long want, const char *label)
{
    char g[32], w[32];

    snprintf(g, sizeof(g), "%lld", got);
    snprintf(w, sizeof(w), "%lld", want);
    report(got == want, label, g, w);
}

static void expect_true(bool cond, const char *label)
{
    report(cond, label, cond ? "yes" : "no", "yes");
}

// Formats a label. The result stays valid until the next call.
static const char *label(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static const char *label(const char *fmt, ...)
{
    static char buf[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return buf;
}

static int finish(void)
{
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}

// ---- The test's own directory ---------------------------------------------

// Removes path and everything below it, ignoring errors.
static void remove_tree(const char *path)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;

        chmod(path, 0700);
        // Bounded, in case a broken readdir repeats entries.
        for (int n = 0; n < 100000 && d && (e = readdir(d)); n++) {
            char child[4096];

            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
            remove_tree(child);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

// Creates dir in the working directory (removing what an earlier run left)
// and makes it the working directory.
static void enter_dir(const char *dir)
{
    remove_tree(dir);
    if (mkdir(dir, 0755) != 0 || chdir(dir) != 0) {
        printf("FAIL: setting up %s: %s\n", dir, strerror(errno));
        exit(1);
    }
}

static void leave_dir(const char *dir)
{
    struct stat st;

    expect_errno(chdir(".."), 0, "cleanup: chdir ..");
    remove_tree(dir);
    expect_errno(lstat(dir, &st), ENOENT, "cleanup: test directory removed");
}

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
