// test: timeout=300
// getdents64 while the directory changes and on a large directory. First
// 1,000 files are unlinked one by one while a 512-byte buffer reads the
// directory: each is seen once and the directory ends empty. Then a
// 10,000-entry directory is listed completely, again after a rewind, and
// in two parts split at a d_off.
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
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

#define DIR_NAME   "t-getdents"
#define FEW_FILES  1000
#define MANY_FILES 10000
#define SMALL_BUF  512

// The kernel's struct linux_dirent64.
struct dirent64_k {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static long sys_getdents64(int fd, void *buf, size_t size)
{
    return syscall(SYS_getdents64, fd, buf, size);
}

static void create_files(const char *dir, int count)
{
    char path[64];

    for (int i = 0; i < count; i++) {
        int fd;

        snprintf(path, sizeof(path), "%s/f%05d", dir, i);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0) {
            printf("FAIL: creating %s: %s\n", path, strerror(errno));
            exit(1);
        }
        close(fd);
    }
}

// Returns the file number of a name "fNNNNN", or -1.
static int file_number(const char *name)
{
    char *end;
    long n;

    if (name[0] != 'f')
        return -1;
    n = strtol(name + 1, &end, 10);
    return *end == '\0' && end != name + 1 ? (int)n : -1;
}

struct tally {
    int seen[MANY_FILES];
    int files, dots, dotdots, duplicates, strangers, wrong_types;
    int last_records; // records in the last non-empty batch
};

// Counts one directory entry.
static void tally_entry(struct tally *t, const struct dirent64_k *d)
{
    int n;

    if (!strcmp(d->d_name, ".")) {
        t->dots++;
        if (d->d_type != DT_DIR)
            t->wrong_types++;
        return;
    }
    if (!strcmp(d->d_name, "..")) {
        t->dotdots++;
        if (d->d_type != DT_DIR)
            t->wrong_types++;
        return;
    }
    n = file_number(d->d_name);
    if (n < 0 || n >= MANY_FILES) {
        t->strangers++;
        return;
    }
    if (t->seen[n]++)
        t->duplicates++;
    t->files++;
    if (d->d_type != DT_REG)
        t->wrong_types++;
}

// Reads dir to its end, calling fn for each entry of each batch.
static long read_all(int fd, size_t buf_size, struct tally *t,
                     void (*fn)(const struct dirent64_k *d, void *arg),
                     void *arg)
{
    static char buf[65536] __attribute__((aligned(8)));
    long batches = 0;

    // Bounded, in case a broken getdents64 never reaches the end.
    for (int calls = 0; calls < 100000; calls++) {
        long n = sys_getdents64(fd, buf, buf_size);

        if (n < 0) {
            printf("FAIL: getdents64: %s\n", strerror(errno));
            return -1;
        }
        if (n == 0)
            return batches;
        batches++;
        for (long off = 0; off < n;) {
            const struct dirent64_k *d = (const void *)(buf + off);

            if (d->d_reclen == 0 || off + d->d_reclen > n) {
                printf("FAIL: getdents64: bad record length %u\n", d->d_reclen);
                return -1;
            }
            tally_entry(t, d);
            if (fn)
                fn(d, arg);
            off += d->d_reclen;
        }
    }
    printf("FAIL: getdents64 did not reach the end\n");
    return -1;
}

static void unlink_entry(const struct dirent64_k *d, void *arg)
{
    char path[64];

    if (file_number(d->d_name) < 0)
        return;
    snprintf(path, sizeof(path), "%s/%s", (const char *)arg, d->d_name);
    if (unlink(path) != 0)
        printf("FAIL: unlink %s: %s\n", path, strerror(errno));
}

static void check_unlink_while_reading(void)
{
    static struct tally t, after;
    long batches;
    int fd;

    mkdir("few", 0755);
    create_files("few", FEW_FILES);
    fd = open("few", O_RDONLY | O_DIRECTORY);
    batches = read_all(fd, SMALL_BUF, &t, unlink_entry, "few");
    expect_true(batches > 1, "512-byte buffer: several getdents64 calls");
    expect_long(t.files, FEW_FILES, "files seen while unlinking");
    expect_long(t.duplicates, 0, "files seen twice");
    expect_long(t.strangers, 0, "unknown names seen");
    expect_long(t.dots, 1, ". seen once");
    expect_long(t.dotdots, 1, ".. seen once");
    expect_long(t.wrong_types, 0, "entries with a wrong d_type");
    expect_long(sys_getdents64(fd, (char[SMALL_BUF]){0}, SMALL_BUF), 0,
                "getdents64 at the end gives 0");
    close(fd);

    fd = open("few", O_RDONLY | O_DIRECTORY);
    read_all(fd, SMALL_BUF, &after, NULL, NULL);
    expect_long(after.files, 0, "files left after unlinking them all");
    expect_long(after.dots + after.dotdots, 2, "only . and .. are left");
    close(fd);
    expect_errno(rmdir("few"), 0, "rmdir of the emptied directory");
}

struct resume {
    int count;
    int64_t offset; // d_off of the record at position stop
    int stop;
};

static void note_offset(const struct dirent64_k *d, void *arg)
{
    struct resume *r = arg;

    if (++r->count == r->stop)
        r->offset = d->d_off;
}

static void check_large_directory(void)
{
    static struct tally all, again, first, rest;
    static char small[16];
    struct resume r = {0, 0, 100};
    struct stat st;
    int fd;

    mkdir("many", 0755);
    create_files("many", MANY_FILES);
    fd = open("many", O_RDONLY | O_DIRECTORY);
    read_all(fd, 4096, &all, NULL, NULL);
    expect_long(all.files, MANY_FILES,
                "files listed in a 10000-entry directory");
    expect_long(all.duplicates, 0, "files listed twice");
    expect_long(all.strangers, 0, "unknown names listed");
    expect_long(all.dots, 1, ". listed");
    expect_long(all.dotdots, 1, ".. listed");
    expect_long(all.wrong_types, 0, "entries with a wrong d_type");

    expect_long(lseek(fd, 0, SEEK_SET), 0, "lseek of the directory to 0");
    read_all(fd, 32768, &again, NULL, NULL);
    expect_long(again.files, MANY_FILES, "files listed after rewinding");
    expect_long(again.duplicates, 0, "files listed twice after rewinding");

    // Stop after 100 entries, then go on from the d_off of the 100th.
    lseek(fd, 0, SEEK_SET);
    while (r.count < r.stop) {
        static char buf[SMALL_BUF] __attribute__((aligned(8)));
        long n = sys_getdents64(fd, buf, sizeof(buf));

        if (n <= 0)
            break;
        for (long off = 0; off < n && r.count < r.stop;) {
            const struct dirent64_k *d = (const void *)(buf + off);

            tally_entry(&first, d);
            note_offset(d, &r);
            off += d->d_reclen;
        }
    }
    expect_true(lseek(fd, r.offset, SEEK_SET) == r.offset,
                "lseek to the d_off of the 100th entry");
    read_all(fd, 4096, &rest, NULL, NULL);
    expect_long(first.files + rest.files, MANY_FILES,
                "files listed in two parts split at a d_off");
    for (int i = 0; i < MANY_FILES; i++) {
        if (first.seen[i] && rest.seen[i])
            rest.duplicates++;
    }
    expect_long(rest.duplicates, 0, "files in both parts");
    expect_long(first.dots + rest.dots, 1, ". in one of the parts");

    lseek(fd, 0, SEEK_SET);
    expect_errno(sys_getdents64(fd, small, sizeof(small)), EINVAL,
                 "getdents64 with a 16-byte buffer");
    close(fd);

    fd = open("many/f00000", O_RDONLY);
    expect_errno(sys_getdents64(fd, small, sizeof(small)), ENOTDIR,
                 "getdents64 of a regular file");
    close(fd);
    expect_errno(sys_getdents64(9999, small, sizeof(small)), EBADF,
                 "getdents64 of a bad fd");

    stat("many", &st);
    expect_long(st.st_nlink, 2, "nlink of a directory of files");
    for (int i = 0; i < MANY_FILES; i++) {
        char path[64];

        snprintf(path, sizeof(path), "many/f%05d", i);
        if (unlink(path) != 0)
            printf("FAIL: unlink %s: %s\n", path, strerror(errno));
    }
    expect_errno(rmdir("many"), 0, "rmdir after unlinking 10000 files");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    umask(022);
    enter_dir(DIR_NAME);
    check_unlink_while_reading();
    check_large_directory();
    leave_dir(DIR_NAME);
    return finish();
}
