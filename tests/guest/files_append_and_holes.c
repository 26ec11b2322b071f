// Appends and holes: two fds with O_APPEND on one file, pwrite on an
// O_APPEND fd, lseek past the end then write, pwrite beyond the end and a
// sparse file of 256 MiB. The SEEK_DATA and SEEK_HOLE results are those
// that Linux's tmpfs and ext4 (with 4 KiB blocks) agree on.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

#define DIR_NAME "t-append-holes"
#define MIB      (1024L * 1024)

static off_t size_of_fd(int fd)
{
    struct stat st;

    return fstat(fd, &st) == 0 ? st.st_size : -1;
}

// Returns whether bytes [from, to) of fd are all zero.
static bool zeros(int fd, off_t from, off_t to)
{
    char buf[4096];

    while (from < to) {
        size_t n =
            to - from < (off_t)sizeof(buf) ? (size_t)(to - from) : sizeof(buf);
        ssize_t got = pread(fd, buf, n, from);

        if (got <= 0)
            return false;
        for (ssize_t i = 0; i < got; i++) {
            if (buf[i] != 0)
                return false;
        }
        from += got;
    }
    return true;
}

static void check_append(void)
{
    char buf[64] = {0};
    int a = open("log", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    int b = open("log", O_WRONLY | O_APPEND);
    int plain = open("log", O_RDWR);

    expect_long(write(a, "A1", 2), 2, "append through fd a");
    expect_long(write(b, "B22", 3), 3, "append through fd b");
    expect_long(write(a, "A333", 4), 4, "append through fd a again");
    expect_long(lseek(a, 0, SEEK_CUR), 9, "fd a's offset is the end");
    expect_long(lseek(b, 0, SEEK_SET), 0, "lseek of fd b to 0");
    expect_long(write(b, "B4", 2), 2, "append through fd b after lseek 0");
    expect_long(lseek(b, 0, SEEK_CUR), 11,
                "an append moves the offset to the end");
    pread(plain, buf, sizeof(buf) - 1, 0);
    expect_str(buf, "A1B22A333B4", "interleaved appends, in order");

    expect_long(write(plain, "xy", 2), 2, "write at offset 0 without O_APPEND");
    expect_long(pwrite(a, "P", 1, 0), 1, "pwrite at 0 on an O_APPEND fd");
    memset(buf, 0, sizeof(buf));
    pread(plain, buf, sizeof(buf) - 1, 0);
    // Linux appends for pwrite on an O_APPEND fd, whatever the offset.
    expect_str(buf, "xyB22A333B4P", "pwrite on an O_APPEND fd appends");
    expect_long(lseek(a, 0, SEEK_CUR), 9, "pwrite leaves fd a's offset");

    fcntl(a, F_SETFL, 0);
    lseek(a, 0, SEEK_SET);
    write(a, "Z", 1);
    memset(buf, 0, sizeof(buf));
    pread(plain, buf, sizeof(buf) - 1, 0);
    expect_str(buf, "ZyB22A333B4P",
               "F_SETFL without O_APPEND: writes at the offset");
    close(a);
    close(b);
    close(plain);
}

static void check_holes(void)
{
    char buf[8] = {0};
    int fd = open("holes", O_RDWR | O_CREAT | O_TRUNC, 0644);

    write(fd, "head", 4);
    expect_long(lseek(fd, 10000, SEEK_SET), 10000, "lseek past the end");
    expect_long(size_of_fd(fd), 4, "lseek alone keeps the size");
    expect_long(read(fd, buf, sizeof(buf)), 0, "read past the end gives 0");
    expect_long(write(fd, "tail", 4), 4, "write past the end");
    expect_long(size_of_fd(fd), 10004, "size after the write past the end");
    expect_true(zeros(fd, 4, 10000), "the hole reads as zeros");
    pread(fd, buf, 4, 10000);
    expect_str(buf, "tail", "the data after the hole");

    expect_long(pwrite(fd, "XY", 2, 20000), 2, "pwrite beyond the end");
    expect_long(size_of_fd(fd), 20002, "size after pwrite beyond the end");
    expect_long(lseek(fd, 0, SEEK_CUR), 10004, "pwrite keeps the offset");
    expect_true(zeros(fd, 10004, 20000), "the pwrite hole reads as zeros");

    expect_long(pwrite(fd, "far", 3, 256 * MIB), 3,
                "pwrite 256 MiB beyond the start");
    expect_long(size_of_fd(fd), 256 * MIB + 3, "size of the sparse file");
    expect_true(zeros(fd, 128 * MIB, 128 * MIB + 65536),
                "the middle of the 256 MiB hole reads as zeros");
    memset(buf, 0, sizeof(buf));
    pread(fd, buf, sizeof(buf), 256 * MIB);
    expect_str(buf, "far", "the data after the 256 MiB hole");
    expect_errno(ftruncate(fd, 0), 0, "ftruncate of the sparse file to 0");
    close(fd);
}

static void check_seek_data_hole(void)
{
    static char page[4096];
    int full = open("full", O_RDWR | O_CREAT | O_TRUNC, 0644);
    int sparse = open("sparse", O_RDWR | O_CREAT | O_TRUNC, 0644);
    int empty = open("empty", O_RDWR | O_CREAT | O_TRUNC, 0644);

    memset(page, 'd', sizeof(page));
    for (int i = 0; i < 3; i++)
        write(full, page, sizeof(page));
    write(full, page, 100);
    expect_long(lseek(full, 0, SEEK_DATA), 0, "no holes: SEEK_DATA from 0");
    expect_long(lseek(full, 0, SEEK_HOLE), 12388,
                "no holes: SEEK_HOLE from 0 is the end");
    expect_long(lseek(full, 5000, SEEK_DATA), 5000,
                "no holes: SEEK_DATA from 5000");
    expect_long(lseek(full, 12387, SEEK_HOLE), 12388,
                "no holes: SEEK_HOLE from the last byte");
    expect_errno(lseek(full, 12388, SEEK_DATA), ENXIO,
                 "SEEK_DATA from the end");
    expect_errno(lseek(full, 12388, SEEK_HOLE), ENXIO,
                 "SEEK_HOLE from the end");
    expect_errno(lseek(full, 99999, SEEK_DATA), ENXIO,
                 "SEEK_DATA beyond the end");
    expect_errno(lseek(full, -1, SEEK_DATA), ENXIO, "SEEK_DATA from -1");

    // Data in the first page and in the page at 1 MiB, a hole between.
    pwrite(sparse, page, sizeof(page), 0);
    pwrite(sparse, page, sizeof(page), MIB);
    expect_long(lseek(sparse, 0, SEEK_DATA), 0, "sparse: SEEK_DATA from 0");
    expect_long(lseek(sparse, 0, SEEK_HOLE), 4096, "sparse: SEEK_HOLE from 0");
    expect_long(lseek(sparse, 100, SEEK_HOLE), 4096,
                "sparse: SEEK_HOLE from 100");
    expect_long(lseek(sparse, 4096, SEEK_DATA), MIB,
                "sparse: SEEK_DATA from the hole");
    expect_long(lseek(sparse, 8192, SEEK_HOLE), 8192,
                "sparse: SEEK_HOLE inside the hole");
    expect_long(lseek(sparse, MIB + 10, SEEK_HOLE), MIB + 4096,
                "sparse: SEEK_HOLE from the last data is the end");
    expect_long(lseek(sparse, 0, SEEK_CUR), MIB + 4096,
                "SEEK_HOLE moved the offset");

    ftruncate(empty, 100000);
    expect_errno(lseek(empty, 0, SEEK_DATA), ENXIO,
                 "all hole: SEEK_DATA from 0");
    expect_long(lseek(empty, 0, SEEK_HOLE), 0, "all hole: SEEK_HOLE from 0");
    close(full);
    close(sparse);
    close(empty);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    umask(022);
    enter_dir(DIR_NAME);
    check_append();
    check_holes();
    check_seek_data_hole();
    leave_dir(DIR_NAME);
    return finish();
}
