/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unpacking the initrd (lib/cpio/unpack.c) into a fake VFS that records
 * each call as a line of text: which archive wins, the order of the calls,
 * and the single error line of a malformed archive or a failed call.
 */
#define _GNU_SOURCE
#include <pogo/compiler.h>
#include <pogo/errno.h>
#include <pogo/vfs.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* --- Fakes of what unpack.c calls ----------------------------------------- */

#define LOG_SIZE 8192

static char vfs_log[LOG_SIZE]; /* one line per VFS call */
static char error_log[LOG_SIZE];
static const char *fail_call; /* a call line to fail, or NULL */
static int fail_error;

static int vfs_call(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int vfs_call(const char *fmt, ...)
{
    char line[512];
    size_t used = strlen(vfs_log);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    snprintf(vfs_log + used, sizeof(vfs_log) - used, "%s\n", line);
    return fail_call && strcmp(line, fail_call) == 0 ? fail_error : 0;
}

/* Names that exist before the unpacking, and their modes. */
static const char *existing_name;
static unsigned existing_mode;
static struct pogo_vnode existing_vnode;

int pogo_vfs_mkdir_path(const char *path, unsigned mode)
{
    int err = vfs_call("mkdir %s %o", path, mode);

    if (!err && existing_name && strcmp(path, existing_name) == 0)
        return -EEXIST;
    return err;
}

int pogo_vfs_lookup(struct pogo_file *dir, const char *path, unsigned flags,
                    struct pogo_vnode **out)
{
    int err = vfs_call("lookup %s %u", path, flags);

    if (err)
        return err;
    if (dir || !existing_name || strcmp(path, existing_name) != 0)
        return -ENOENT;
    existing_vnode.mode = existing_mode;
    *out = &existing_vnode;
    return 0;
}

int pogo_vfs_setattr(struct pogo_vnode *v, const struct pogo_attr *attr)
{
    if (v != &existing_vnode || attr->mask != POGO_ATTR_MODE)
        return vfs_call("setattr of an unknown vnode or attribute");
    return vfs_call("chmod %s %o", existing_name, attr->mode);
}

void pogo_vnode_put(struct pogo_vnode *v)
{
    vfs_call("put %s", v == &existing_vnode ? existing_name : "?");
}

int pogo_vfs_create_file(const char *path, unsigned mode, const void *data,
                         size_t size)
{
    return vfs_call("create %s %o '%.*s'", path, mode, (int)size,
                    data ? (const char *)data : "");
}

int pogo_vfs_symlink_path(const char *target, const char *path)
{
    return vfs_call("symlink %s -> %s", path, target);
}

int pogo_vfs_chown_path(const char *path, unsigned uid, unsigned gid)
{
    return vfs_call("chown %s %u:%u", path, uid, gid);
}

int pogo_vfs_set_mtime(const char *path, int64_t seconds)
{
    return vfs_call("mtime %s %lld", path, (long long)seconds);
}

int pogo_vfs_link(struct pogo_file *old_dir, const char *old_path,
                  struct pogo_file *new_dir, const char *new_path,
                  unsigned flags)
{
    if (old_dir || new_dir || flags)
        return vfs_call("link with dirs or flags");
    return vfs_call("link %s = %s", new_path, old_path);
}

static const void *monitor_initrd;
static size_t monitor_initrd_size;

bool pogo_plat_initrd(uintptr_t *addr, size_t *size)
{
    if (!monitor_initrd)
        return false;
    *addr = (uintptr_t)monitor_initrd;
    *size = monitor_initrd_size;
    return true;
}

/*
 * The built-in archive: BUILTIN_SIZE bytes of writable data, which the
 * build makes 0 for one binary of this test (an image without a rootfs)
 * and 512 for another (GNU cpio pads its output to 512 bytes).
 */
#ifndef BUILTIN_SIZE
#define BUILTIN_SIZE 0
#endif
#define STRINGIFY2(x) #x
#define STRINGIFY(x)  STRINGIFY2(x)
__asm__(".pushsection .data\n"
        ".globl __pogo_initrd_start\n"
        ".globl __pogo_initrd_end\n"
        "__pogo_initrd_start:\n"
        ".fill " STRINGIFY(BUILTIN_SIZE) ", 1, 0\n"
                                         "__pogo_initrd_end:\n"
                                         ".popsection\n");

int pogo_log_level = 3;

void pogo_log(int level, const char *fmt, ...)
{
    size_t used = strlen(error_log);
    va_list ap;

    if (level != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(error_log + used, sizeof(error_log) - used, fmt, ap);
    va_end(ap);
}

/* The code under test, with its static functions. */
#include "../../lib/cpio/unpack.c"

#include "unit.h"

/* The built-in archive's bytes, which the fake places in writable data. */
static char *builtin_archive(void)
{
    return (char *)__pogo_initrd_start;
}

/* --- Archives ---------------------------------------------------------------
 */

struct archive {
    char buf[4096];
    size_t len;
};

static void add(struct archive *a, uint32_t ino, uint32_t mode, uint32_t nlink,
                uint32_t mtime, const char *name, const char *data)
{
    size_t size = strlen(data);

    a->len += snprintf(a->buf + a->len, sizeof(a->buf) - a->len,
                       "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X"
                       "%08X%08X",
                       ino, mode, 0, 0, nlink, mtime, (unsigned)size, 0, 0, 0,
                       0, (unsigned)strlen(name) + 1, 0);
    memcpy(a->buf + a->len, name, strlen(name) + 1);
    a->len += strlen(name) + 1;
    while (a->len % 4)
        a->buf[a->len++] = '\0';
    memcpy(a->buf + a->len, data, size);
    a->len += size;
    while (a->len % 4)
        a->buf[a->len++] = '\0';
}

static void add_trailer(struct archive *a)
{
    add(a, 0, 0, 1, 0, "TRAILER!!!", "");
}

/* A root entry, a folder, a file, a symlink and two names of one file. */
static void tree_archive(struct archive *a)
{
    a->len = 0;
    add(a, 1, 0040755, 3, 100, ".", "");
    add(a, 2, 0040700, 2, 200, "etc", "");
    add(a, 3, 0100644, 1, 300, "etc/motd", "hello");
    add(a, 4, 0120777, 1, 400, "etc/link", "motd");
    add(a, 5, 0100600, 2, 500, "etc/a", "");
    add(a, 5, 0100600, 2, 500, "etc/b", "shared");
    add_trailer(a);
}

static void reset(void)
{
    vfs_log[0] = '\0';
    error_log[0] = '\0';
    fail_call = NULL;
    existing_name = NULL;
    monitor_initrd = NULL;
    monitor_initrd_size = 0;
    memset(builtin_archive(), 0, __pogo_initrd_end - __pogo_initrd_start);
}

TEST(builtin_archive_used_without_initrd)
{
    reset();
    if (BUILTIN_SIZE == 0) {
        CHECK_EQ(initrd_init(), 0);
        CHECK_STR(error_log, "");
    } else {
        /* 512 zero bytes are not an archive. */
        CHECK_EQ(initrd_init(), -EINVAL);
        CHECK_STR(error_log, "initrd: entry 1: bad magic\n");
    }
    CHECK_STR(vfs_log, "");
}

TEST(monitor_initrd_is_unpacked_with_dir_times_last)
{
    static struct archive a;

    reset();
    tree_archive(&a);
    monitor_initrd = a.buf;
    monitor_initrd_size = a.len;
    CHECK_EQ(initrd_init(), 0);
    CHECK_STR(vfs_log, "mkdir etc 700\n"
                       "chown etc 0:0\n"
                       "create etc/motd 644 'hello'\n"
                       "chown etc/motd 0:0\n"
                       "mtime etc/motd 300\n"
                       "symlink etc/link -> motd\n"
                       "chown etc/link 0:0\n"
                       "mtime etc/link 400\n"
                       "create etc/a 600 'shared'\n"
                       "chown etc/a 0:0\n"
                       "mtime etc/a 500\n"
                       "link etc/b = etc/a\n"
                       "mtime etc 200\n");
    CHECK_STR(error_log, "");
}

TEST(monitor_initrd_wins_over_the_builtin_archive)
{
    static struct archive builtin, monitor;

    reset();
    if (BUILTIN_SIZE == 0)
        return;
    builtin.len = 0;
    add(&builtin, 1, 0100644, 1, 1, "builtin", "");
    add_trailer(&builtin);
    memcpy(builtin_archive(), builtin.buf, builtin.len);
    monitor.len = 0;
    add(&monitor, 1, 0100644, 1, 1, "monitor", "");
    add_trailer(&monitor);
    monitor_initrd = monitor.buf;
    monitor_initrd_size = monitor.len;

    CHECK_EQ(initrd_init(), 0);
    CHECK(strstr(vfs_log, "create monitor") != NULL);
    CHECK(strstr(vfs_log, "builtin") == NULL);

    vfs_log[0] = '\0';
    monitor_initrd = NULL;
    CHECK_EQ(initrd_init(), 0);
    CHECK_STR(vfs_log, "create builtin 644 ''\n"
                       "chown builtin 0:0\n"
                       "mtime builtin 1\n");
}

TEST(malformed_archive_prints_one_line_and_creates_nothing)
{
    static struct archive a;

    reset();
    tree_archive(&a);
    monitor_initrd = a.buf;
    /* Cut inside the data of etc/motd, entry 3. */
    monitor_initrd_size =
        (size_t)((char *)memmem(a.buf, a.len, "hello", 5) - a.buf) + 2;
    CHECK_EQ(initrd_init(), -EINVAL);
    CHECK_STR(error_log, "initrd: entry 3 'etc/motd': truncated data\n");
    CHECK_STR(vfs_log, "");
}

TEST(failed_vfs_call_prints_one_line_and_stops)
{
    static struct archive a;

    reset();
    tree_archive(&a);
    monitor_initrd = a.buf;
    monitor_initrd_size = a.len;
    fail_call = "create etc/motd 644 'hello'";
    fail_error = -EEXIST;
    CHECK_EQ(initrd_init(), -EEXIST);
    CHECK_STR(error_log,
              "initrd: entry 3 'etc/motd': creating it failed (EEXIST)\n");
    CHECK_STR(vfs_log, "mkdir etc 700\n"
                       "chown etc 0:0\n"
                       "create etc/motd 644 'hello'\n");

    reset();
    monitor_initrd = a.buf;
    monitor_initrd_size = a.len;
    fail_call = "mtime etc 200";
    fail_error = -EIO;
    CHECK_EQ(initrd_init(), -EIO);
    CHECK_STR(error_log, "initrd: entry 2 'etc': setting its modification "
                         "time failed (error 5)\n");
}

TEST(existing_directory_takes_the_entry_mode)
{
    static struct archive a;
    static const char want[] = "mkdir etc 700\n"
                               "lookup etc 0\n"
                               "chmod etc 700\n"
                               "put etc\n"
                               "chown etc 0:0\n"
                               "create etc/motd 644 'hello'\n";

    reset();
    tree_archive(&a);
    monitor_initrd = a.buf;
    monitor_initrd_size = a.len;
    existing_name = "etc";
    existing_mode = POGO_S_IFDIR | 0755;
    CHECK_EQ(initrd_init(), 0);
    CHECK_EQ(strncmp(vfs_log, want, strlen(want)), 0);
    CHECK_STR(error_log, "");
}

TEST(existing_file_where_a_directory_goes_fails)
{
    static struct archive a;

    reset();
    tree_archive(&a);
    monitor_initrd = a.buf;
    monitor_initrd_size = a.len;
    existing_name = "etc";
    existing_mode = POGO_S_IFREG | 0644;
    CHECK_EQ(initrd_init(), -EEXIST);
    CHECK_STR(error_log,
              "initrd: entry 2 'etc': creating it failed (EEXIST)\n");
}
