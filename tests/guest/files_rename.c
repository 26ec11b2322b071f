// rename and renameat2 over a table of cases, printing the errno and the
// tree afterwards. The cases pair sources and targets of each kind: file,
// empty and non-empty directory, symlink, missing name, the same name, a
// directory into itself, across directories, with RENAME_NOREPLACE and
// RENAME_EXCHANGE. An open file that a rename replaces stays readable.
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
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

#define DIR_NAME "t-rename"
#define CASE_DIR "case"

#ifndef SYS_renameat2
#define SYS_renameat2 316
#endif
#define NOREPLACE 1 // RENAME_NOREPLACE
#define EXCHANGE  2 // RENAME_EXCHANGE

struct rename_case {
    const char *from;
    const char *to;
    unsigned flags; // renameat2 flags; 0 calls rename()
    int expected;   // errno, or 0
};

static const struct rename_case cases[] = {
    {"file", "new", 0, 0},
    {"file", "file2", 0, 0},
    {"file", "file", 0, 0},
    {"file", "hard", 0, 0},
    {"file", "edir", 0, EISDIR},
    {"file", "ndir", 0, EISDIR},
    {"edir", "file", 0, ENOTDIR},
    {"edir", "newdir", 0, 0},
    {"edir", "edir2", 0, 0},
    {"edir", "ndir", 0, ENOTEMPTY},
    {"ndir", "edir", 0, 0},
    {"ndir", "ndir", 0, 0},
    {"ndir", "ndir/sub/moved", 0, EINVAL},
    {"ndir", "ndir/sub", 0, EINVAL},
    {"ndir/sub", "ndir", 0, ENOTEMPTY},
    {"missing", "x", 0, ENOENT},
    {"file", "missing/x", 0, ENOENT},
    {"file", "file2/x", 0, ENOTDIR},
    {"link", "newlink", 0, 0},
    {"link", "file2", 0, 0},
    {"file2", "link", 0, 0},
    {"dlink", "edir2", 0, EISDIR},
    {"edir", "dlink", 0, ENOTDIR},
    {"dlink", "newdlink", 0, 0},
    {"file", "other/file", 0, 0},
    {"other/y", "file", 0, 0},
    {"ndir", "other/ndir", 0, 0},
    {"ndir/inner", "ndir2/x", 0, 0},
    {"file", "file2/", 0, ENOTDIR},
    {"file", "new/", 0, ENOTDIR},
    {"edir", "newdir/", 0, 0},
    {"edir/", "newdir", 0, 0},
    {".", "x", 0, EBUSY},
    {"file", ".", 0, EBUSY},
    {"ndir/..", "x", 0, EBUSY},
    {"file", "file2", NOREPLACE, EEXIST},
    {"file", "new", NOREPLACE, 0},
    {"edir", "edir2", NOREPLACE, EEXIST},
    {"file", "file2", EXCHANGE, 0},
    {"file", "edir", EXCHANGE, 0},
    {"file", "missing", EXCHANGE, ENOENT},
    {"missing", "file", EXCHANGE, ENOENT},
    {"ndir", "ndir/sub", EXCHANGE, EINVAL},
    {"file", "other/y", EXCHANGE, 0},
    {"link", "dlink", EXCHANGE, 0},
    {"file", "file2", NOREPLACE | EXCHANGE, EINVAL},
    {"file", "file2", 0x100, EINVAL},
};

static void write_file(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    if (fd < 0 || write(fd, data, strlen(data)) != (ssize_t)strlen(data))
        printf("FAIL: creating %s: %s\n", path, strerror(errno));
    close(fd);
}

// The tree every case starts from.
static void make_case_dir(void)
{
    remove_tree(CASE_DIR);
    mkdir(CASE_DIR, 0755);
    if (chdir(CASE_DIR) != 0) {
        printf("FAIL: chdir %s: %s\n", CASE_DIR, strerror(errno));
        exit(1);
    }
    write_file("file", "F1");
    write_file("file2", "F2");
    link("file", "hard");
    mkdir("edir", 0755);
    mkdir("edir2", 0755);
    mkdir("ndir", 0755);
    mkdir("ndir/sub", 0755);
    write_file("ndir/inner", "IN");
    mkdir("ndir2", 0755);
    write_file("ndir2/x", "X");
    mkdir("other", 0755);
    write_file("other/y", "Y");
    symlink("file", "link");
    symlink("edir", "dlink");
}

struct listing {
    char *entries[64];
    size_t count;
};

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

// Adds "path/" for a directory, "path@target" for a symlink and
// "path='contents'" for a file, for everything below dir.
static void list_tree(const char *dir, struct listing *out)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    while (d && (e = readdir(d))) {
        char path[512], text[600], data[64] = {0};
        struct stat st;

        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (!strcmp(dir, "."))
            snprintf(path, sizeof(path), "%s", e->d_name);
        else
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            snprintf(text, sizeof(text), "%s/", path);
            list_tree(path, out);
        } else if (S_ISLNK(st.st_mode)) {
            readlink(path, data, sizeof(data) - 1);
            snprintf(text, sizeof(text), "%s@%s", path, data);
        } else {
            int fd = open(path, O_RDONLY);

            read(fd, data, sizeof(data) - 1);
            close(fd);
            snprintf(text, sizeof(text), "%s='%s'", path, data);
        }
        if (out->count < 64)
            out->entries[out->count++] = strdup(text);
    }
    if (d)
        closedir(d);
}

static void print_state(void)
{
    struct listing l = {.count = 0};

    list_tree(".", &l);
    qsort(l.entries, l.count, sizeof(l.entries[0]), compare_strings);
    printf("  state:");
    for (size_t i = 0; i < l.count; i++) {
        printf(" %s", l.entries[i]);
        free(l.entries[i]);
    }
    printf("\n");
}

static const char *flag_name(unsigned flags)
{
    switch (flags) {
    case 0:
        return "rename";
    case NOREPLACE:
        return "renameat2 NOREPLACE";
    case EXCHANGE:
        return "renameat2 EXCHANGE";
    case NOREPLACE | EXCHANGE:
        return "renameat2 NOREPLACE|EXCHANGE";
    default:
        return "renameat2 0x100";
    }
}

static void run_case(const struct rename_case *c)
{
    long ret;

    make_case_dir();
    if (c->flags == 0)
        ret = rename(c->from, c->to);
    else
        ret = syscall(SYS_renameat2, AT_FDCWD, c->from, AT_FDCWD, c->to,
                      c->flags);
    expect_errno(ret, c->expected,
                 label("%s %s -> %s", flag_name(c->flags), c->from, c->to));
    print_state();
    if (chdir("..") != 0)
        exit(1);
}

static void check_open_fd_of_replaced_file(void)
{
    char buf[8] = {0};
    struct stat st;
    int fd;

    make_case_dir();
    fd = open("file2", O_RDONLY);
    expect_errno(rename("file", "file2"), 0, "rename file onto an open file");
    expect_long(read(fd, buf, sizeof(buf) - 1), 2,
                "the replaced file stays readable");
    expect_str(buf, "F2", "the replaced file keeps its contents");
    fstat(fd, &st);
    expect_long(st.st_nlink, 0, "the replaced file has no names left");
    close(fd);
    if (chdir("..") != 0)
        exit(1);
}

static void check_inode_and_parents(void)
{
    struct stat before, after, parent, dotdot, top_before, top_after;

    make_case_dir();
    stat("file", &before);
    rename("file", "moved");
    stat("moved", &after);
    expect_true(before.st_ino == after.st_ino, "rename keeps the inode");

    stat(".", &top_before);
    stat("other", &parent);
    expect_errno(rename("ndir", "other/ndir"), 0, "rename ndir other/ndir");
    stat("other/ndir/..", &dotdot);
    expect_true(dotdot.st_ino == parent.st_ino,
                "the moved directory's .. is its new parent");
    stat(".", &top_after);
    expect_long((long)top_after.st_nlink - (long)top_before.st_nlink, -1,
                "the old parent's nlink drops by 1");
    stat("other", &after);
    expect_long((long)after.st_nlink - (long)parent.st_nlink, 1,
                "the new parent's nlink grows by 1");
    if (chdir("..") != 0)
        exit(1);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    umask(022);
    enter_dir(DIR_NAME);
    make_case_dir();
    printf("initial state:\n");
    print_state();
    if (chdir("..") != 0)
        exit(1);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_case(&cases[i]);
    check_open_fd_of_replaced_file();
    check_inode_and_parents();
    leave_dir(DIR_NAME);
    return finish();
}
