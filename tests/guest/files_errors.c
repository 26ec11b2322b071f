// Error returns of the file syscalls, each as Linux gives it. The cases
// are missing names, non-directories in a path, names and paths that are
// too long, existing names, directories where a file is needed and the
// reverse, symlink loops, bad fds and bad pointers.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

#define DIR_NAME "t-errors"

static void create_file(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    if (fd < 0 || write(fd, data, strlen(data)) != (ssize_t)strlen(data))
        printf("FAIL: creating %s: %s\n", path, strerror(errno));
    close(fd);
}

// Returns a path of len bytes: "d/d/d/..." ending in "x".
static char *long_path(size_t len)
{
    char *p = malloc(len + 1);

    for (size_t i = 0; i < len; i++)
        p[i] = i % 2 ? '/' : 'd';
    p[len - 1] = 'x';
    p[len] = '\0';
    return p;
}

static void check_open_errors(void)
{
    static char component[300];
    char *path;
    int fd;

    expect_errno(open("missing", O_RDONLY), ENOENT, "open of a missing file");
    expect_errno(open("missing/x", O_RDONLY), ENOENT,
                 "open below a missing directory");
    expect_errno(open("file/x", O_RDONLY), ENOTDIR,
                 "open below a regular file");
    expect_errno(open("file/", O_RDONLY), ENOTDIR,
                 "open of a file with a trailing slash");
    expect_errno(open("new/", O_RDWR | O_CREAT, 0644), EISDIR,
                 "O_CREAT of a new name with a trailing slash");
    expect_errno(open("", O_RDONLY), ENOENT, "open of an empty path");

    path = long_path(5000);
    expect_errno(open(path, O_RDONLY), ENAMETOOLONG,
                 "open of a 5000-byte path");
    free(path);
    path = long_path(4096);
    expect_errno(open(path, O_RDONLY), ENAMETOOLONG,
                 "open of a 4096-byte path");
    free(path);
    path = long_path(4095);
    expect_errno(open(path, O_RDONLY), ENOENT,
                 "open of a 4095-byte path (missing)");
    free(path);

    memset(component, 'c', 256);
    component[256] = '\0';
    expect_errno(open(component, O_RDONLY), ENAMETOOLONG,
                 "open of a 256-byte name");
    expect_errno(open(component, O_RDWR | O_CREAT, 0644), ENAMETOOLONG,
                 "O_CREAT of a 256-byte name");
    expect_errno(mkdir(component, 0755), ENAMETOOLONG,
                 "mkdir of a 256-byte name");
    component[255] = '\0';
    fd = open(component, O_RDWR | O_CREAT, 0644);
    expect_errno(fd, 0, "O_CREAT of a 255-byte name");
    close(fd);
    expect_errno(unlink(component), 0, "unlink of a 255-byte name");

    expect_errno(open("file", O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST,
                 "O_CREAT|O_EXCL of an existing file");
    expect_errno(open("dir", O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST,
                 "O_CREAT|O_EXCL of an existing directory");
    expect_errno(open("dangling", O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST,
                 "O_CREAT|O_EXCL of a dangling symlink");
    expect_errno(open("file", O_RDONLY | O_DIRECTORY), ENOTDIR,
                 "O_DIRECTORY on a regular file");
    expect_errno(open("dir", O_WRONLY), EISDIR,
                 "open of a directory for writing");
    expect_errno(open("dir", O_RDWR), EISDIR,
                 "open of a directory for reading and writing");
}

static void check_directory_fd(void)
{
    char buf[16];
    int fd = open("dir", O_RDONLY | O_DIRECTORY);

    expect_errno(fd, 0, "open of a directory with O_DIRECTORY");
    expect_errno(write(fd, "x", 1), EBADF, "write to a directory fd");
    expect_errno(read(fd, buf, sizeof(buf)), EISDIR,
                 "read from a directory fd");
    expect_errno(ftruncate(fd, 0), EINVAL, "ftruncate of a directory fd");
    close(fd);
    expect_errno(truncate("dir", 0), EISDIR, "truncate of a directory");
}

static void check_remove_errors(void)
{
    expect_errno(rmdir("full"), ENOTEMPTY, "rmdir of a non-empty directory");
    expect_errno(rmdir("file"), ENOTDIR, "rmdir of a regular file");
    expect_errno(rmdir("missing"), ENOENT, "rmdir of a missing name");
    expect_errno(rmdir("."), EINVAL, "rmdir of .");
    expect_errno(rmdir("full/.."), ENOTEMPTY, "rmdir of full/..");
    expect_errno(unlink("dir"), EISDIR, "unlink of a directory");
    expect_errno(unlink("missing"), ENOENT, "unlink of a missing name");
    expect_errno(unlink("file/x"), ENOTDIR, "unlink below a regular file");
    expect_errno(mkdir("dir", 0755), EEXIST, "mkdir of an existing name");
    expect_errno(mkdir("missing/x", 0755), ENOENT,
                 "mkdir below a missing directory");
    expect_errno(mkdir("file/x", 0755), ENOTDIR, "mkdir below a regular file");
    expect_errno(link("dir", "dir-link"), EPERM, "link to a directory");
    expect_errno(link("file", "dir"), EEXIST, "link onto an existing name");
    expect_errno(link("missing", "x"), ENOENT, "link of a missing name");
    expect_errno(symlink("file", "dir"), EEXIST,
                 "symlink onto an existing name");
}

static void check_symlink_errors(void)
{
    char name[16], target[16];
    int fd;

    expect_errno(symlink("loop2", "loop1"), 0, "symlink loop1 -> loop2");
    expect_errno(symlink("loop1", "loop2"), 0, "symlink loop2 -> loop1");
    expect_errno(open("loop1", O_RDONLY), ELOOP, "open of a symlink loop");
    expect_errno(symlink("self", "self"), 0, "symlink self -> self");
    expect_errno(open("self", O_RDONLY), ELOOP, "open of a symlink to itself");
    expect_errno(open("self/x", O_RDONLY), ELOOP,
                 "open below a symlink to itself");
    expect_errno(open("link", O_RDONLY | O_NOFOLLOW), ELOOP,
                 "O_NOFOLLOW on a symlink");
    fd = open("dirlink/inner", O_RDONLY | O_NOFOLLOW);
    expect_errno(fd, 0, "O_NOFOLLOW only applies to the last component");
    close(fd);

    // chain0 -> chain1 -> ... -> chain40 -> file: 41 links from chain0.
    for (int i = 0; i <= 40; i++) {
        snprintf(name, sizeof(name), "chain%d", i);
        if (i == 40)
            snprintf(target, sizeof(target), "file");
        else
            snprintf(target, sizeof(target), "chain%d", i + 1);
        if (symlink(target, name) != 0)
            printf("FAIL: symlink %s: %s\n", name, strerror(errno));
    }
    fd = open("chain1", O_RDONLY);
    expect_errno(fd, 0, "open through 40 symlinks");
    close(fd);
    expect_errno(open("chain0", O_RDONLY), ELOOP, "open through 41 symlinks");

    fd = open("dangling", O_RDWR | O_CREAT, 0644);
    expect_errno(fd, 0, "O_CREAT through a dangling symlink");
    close(fd);
    expect_errno(access("target-of-dangling", F_OK), 0,
                 "the dangling symlink's target was created");
}

static void check_bad_fds(void)
{
    char buf[8];
    struct stat st;
    int fd = open("file", O_RDONLY);

    expect_errno(read(-1, buf, 1), EBADF, "read from fd -1");
    expect_errno(read(9999, buf, 1), EBADF, "read from fd 9999");
    expect_errno(write(-1, "x", 1), EBADF, "write to fd -1");
    expect_errno(close(-1), EBADF, "close of fd -1");
    expect_errno(fstat(9999, &st), EBADF, "fstat of fd 9999");
    expect_errno(lseek(9999, 0, SEEK_SET), EBADF, "lseek of fd 9999");
    expect_errno(dup(9999), EBADF, "dup of fd 9999");
    expect_errno(dup2(9999, 20), EBADF, "dup2 of fd 9999");
    expect_errno(fcntl(9999, F_GETFD), EBADF, "fcntl of fd 9999");
    expect_errno(fsync(9999), EBADF, "fsync of fd 9999");
    expect_errno(ftruncate(9999, 0), EBADF, "ftruncate of fd 9999");
    expect_errno(write(fd, "x", 1), EBADF, "write to a read-only fd");
    expect_errno(ftruncate(fd, 0), EINVAL, "ftruncate of a read-only fd");
    expect_errno(close(fd), 0, "close");
    expect_errno(close(fd), EBADF, "close of a closed fd");
    expect_errno(read(fd, buf, 1), EBADF, "read from a closed fd");
    fd = open("file", O_WRONLY);
    expect_errno(read(fd, buf, 1), EBADF, "read from a write-only fd");
    close(fd);
}

static void check_bad_pointers(void)
{
    struct stat st;
    char *page;
    ssize_t n;
    int fd = open("file", O_RDWR);

    expect_errno(read(fd, (void *)1, 10), EFAULT, "read into address 1");
    expect_errno(write(fd, (void *)1, 10), EFAULT, "write from address 1");
    expect_long(read(fd, NULL, 0), 0, "read of 0 bytes into NULL");
    expect_errno(open((const char *)1, O_RDONLY), EFAULT,
                 "open of a path at address 1");
    // musl's stat() copies the kernel's result, so call the kernel itself.
    expect_errno(syscall(SYS_stat, "file", (struct stat *)1), EFAULT,
                 "stat into address 1");
    expect_errno(syscall(SYS_stat, (const char *)1, &st), EFAULT,
                 "stat of a path at address 1");
    close(fd);

    // A read that runs into an unmapped page copies what fits before it.
    fd = open("big", O_RDWR | O_CREAT | O_TRUNC, 0644);
    page = malloc(8192);
    memset(page, 'b', 8192);
    expect_long(write(fd, page, 8192), 8192, "write of 8192 bytes");
    free(page);
    page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                -1, 0);
    munmap(page + 4096, 4096);
    n = pread(fd, page, 8192, 0);
    expect_long(n, 4096, "read of 8192 bytes before an unmapped page");
    n = pread(fd, page + 4000, 8192, 100);
    expect_long(n, 96, "read of 8192 bytes 96 bytes before an unmapped page");
    n = pwrite(fd, page + 4000, 8192, 0);
    expect_long(n, 96, "write of 8192 bytes from 96 before an unmapped page");
    munmap(page, 4096);
    close(fd);
}

static void check_argument_errors(void)
{
    int fd = open("file", O_RDWR);

    expect_errno(lseek(fd, -1, SEEK_SET), EINVAL, "lseek to offset -1");
    expect_errno(lseek(fd, 0, 99), EINVAL, "lseek with whence 99");
    expect_errno(ftruncate(fd, -1), EINVAL, "ftruncate to -1");
    expect_errno(fallocate(fd, 0, 0, 0), EINVAL, "fallocate of length 0");
    expect_errno(fallocate(fd, 0, -1, 10), EINVAL, "fallocate at offset -1");
    expect_errno(access("file", 8), EINVAL, "access with mode 8");
    close(fd);
}

int main(void)
{
    int fd;

    setvbuf(stdout, NULL, _IOLBF, 0);
    umask(022);
    enter_dir(DIR_NAME);
    create_file("file", "contents\n");
    mkdir("dir", 0755);
    mkdir("dir/inner", 0755);
    mkdir("full", 0755);
    create_file("full/x", "x");
    symlink("file", "link");
    symlink("dir", "dirlink");
    symlink("target-of-dangling", "dangling");
    fd = open("file", O_RDONLY);
    close(fd);

    check_open_errors();
    check_directory_fd();
    check_remove_errors();
    check_symlink_errors();
    check_bad_fds();
    check_bad_pointers();
    check_argument_errors();
    leave_dir(DIR_NAME);
    return finish();
}
