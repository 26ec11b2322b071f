/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The initrd unpacked (lib/cpio/unpack.c) into the real VFS and ramfs.
 * Archives that GNU cpio writes from a temporary folder must come back as
 * the same tree, with modes, sizes, contents, hard links, symlinks and
 * modification times. A malformed archive must create nothing.
 */
#define _GNU_SOURCE
#include <pogo/compiler.h>
#include <pogo/errno.h>
#include <pogo/ramfs.h>
#include <pogo/vfs.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- What unpack.c needs besides the VFS --------------------------------- */

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

/* An empty built-in archive, as in an image without a rootfs. */
__asm__(".pushsection .data\n"
        ".globl __pogo_initrd_start\n"
        ".globl __pogo_initrd_end\n"
        "__pogo_initrd_start:\n"
        "__pogo_initrd_end:\n"
        ".popsection\n");

/* The code under test, with its static functions. */
#include "../../lib/cpio/unpack.c"

#include "unit.h"

/* --- Helpers ----------------------------------------------------------------
 */

static void mount_root(void)
{
    if (!pogo_vfs_root()) {
        struct pogo_fs *fs = pogo_ramfs_create(0755);

        if (!fs || pogo_vfs_mount(fs, "/") != 0)
            abort();
    }
}

/* Runs a shell command in which $D is the folder dir. */
static void sh(const char *dir, const char *cmd)
{
    setenv("D", dir, 1);
    CHECK_EQ(system(cmd), 0);
}

/* Packs folder dir with options into a heap block; returns its size. */
static size_t pack(const char *dir, const char *options, char **out)
{
    char cmd[512], path[128];
    FILE *f;
    long n;

    snprintf(path, sizeof(path), "%s.cpio", dir);
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && find . | LC_ALL=C sort | cpio -o --quiet %s > '%s'",
             dir, options, path);
    CHECK_EQ(system(cmd), 0);
    f = fopen(path, "rb");
    if (!f) {
        *out = NULL;
        return 0;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    *out = malloc(n);
    CHECK_EQ(fread(*out, 1, n, f), n);
    fclose(f);
    remove(path);
    return n;
}

/* Looks path up without following a final symlink; NULL when missing. */
static struct pogo_vnode *find(const char *path)
{
    struct pogo_vnode *v = NULL;

    if (pogo_vfs_lookup(NULL, path, 0, &v) != 0)
        return NULL;
    return v;
}

static void read_text(const char *path, char *buf, size_t size)
{
    struct pogo_file *f = NULL;
    int64_t pos = 0;
    long n;

    memset(buf, 0, size);
    CHECK_EQ(pogo_vfs_open(NULL, path, POGO_O_RDONLY, 0, &f), 0);
    if (!f)
        return;
    n = pogo_file_read_kernel(f, buf, size - 1, &pos);
    CHECK(n >= 0);
    pogo_file_put(f);
}

static int unpack(const char *archive, size_t size)
{
    monitor_initrd = archive;
    monitor_initrd_size = size;
    return initrd_init();
}

/* --- Tests
 * -------------------------------------------------------------------- */

TEST(gnu_cpio_tree_unpacks_into_ramfs)
{
    char dir[] = "/tmp/pogo-initrd-test.XXXXXX";
    struct pogo_vnode *a, *b, *v;
    char *archive, text[64];
    size_t size;

    mount_root();
    CHECK(mkdtemp(dir) != NULL);
    sh(dir, "mkdir -p $D/tree/etc/deep $D/tree/empty-dir && "
            "printf 'hello motd\\n' > $D/tree/etc/motd && "
            "ln $D/tree/etc/motd $D/tree/etc/motd2 && "
            "ln -s motd $D/tree/etc/link && chmod 0700 $D/tree/etc/deep && "
            "touch -d @1600000000 $D/tree/etc/motd && "
            "touch -d @1500000000 $D/tree/etc $D/tree/etc/deep");
    size = pack(dir, "-H newc --reproducible -R +0:+0", &archive);
    CHECK_EQ(unpack(archive, size), 0);

    v = find("tree/etc/deep");
    CHECK(v != NULL);
    if (v) {
        CHECK_EQ(v->mode, POGO_S_IFDIR | 0700);
        CHECK_EQ(v->mtime.sec, 1500000000);
        pogo_vnode_put(v);
    }
    v = find("tree/etc");
    CHECK(v != NULL);
    if (v) {
        /* Set after the entries inside it were created. */
        CHECK_EQ(v->mtime.sec, 1500000000);
        pogo_vnode_put(v);
    }
    v = find("tree/empty-dir");
    CHECK(v != NULL);
    if (v)
        pogo_vnode_put(v);

    a = find("tree/etc/motd");
    b = find("tree/etc/motd2");
    CHECK(a != NULL);
    CHECK(b != NULL);
    if (a && b) {
        CHECK(a == b);
        CHECK_EQ(a->nlink, 2);
        CHECK_EQ(a->size, 11);
        CHECK_EQ(a->mode, POGO_S_IFREG | 0644);
        CHECK_EQ(a->mtime.sec, 1600000000);
    }
    if (a)
        pogo_vnode_put(a);
    if (b)
        pogo_vnode_put(b);
    read_text("tree/etc/motd2", text, sizeof(text));
    CHECK_STR(text, "hello motd\n");

    v = find("tree/etc/link");
    CHECK(v != NULL);
    if (v) {
        CHECK(POGO_S_ISLNK(v->mode));
        pogo_vnode_put(v);
    }
    memset(text, 0, sizeof(text));
    CHECK_EQ(pogo_vfs_readlink(NULL, "tree/etc/link", text, sizeof(text)), 4);
    CHECK_STR(text, "motd");
    read_text("tree/etc/link", text, sizeof(text));
    CHECK_STR(text, "hello motd\n");

    free(archive);
    sh(dir, "rm -rf $D");
}

TEST(owners_of_the_archive_are_kept)
{
    char dir[] = "/tmp/pogo-initrd-test.XXXXXX";
    struct pogo_vnode *v;
    char *archive;
    size_t size;

    mount_root();
    CHECK(mkdtemp(dir) != NULL);
    sh(dir, "mkdir -p $D/owned && printf x > $D/owned/file && "
            "ln -s file $D/owned/link");
    size = pack(dir, "-H newc -R 1234:5678", &archive);
    CHECK_EQ(unpack(archive, size), 0);
    v = find("owned/file");
    CHECK(v != NULL);
    if (v) {
        CHECK_EQ(v->uid, 1234);
        CHECK_EQ(v->gid, 5678);
        pogo_vnode_put(v);
    }
    v = find("owned/link");
    CHECK(v != NULL);
    if (v) {
        CHECK_EQ(v->uid, 1234);
        pogo_vnode_put(v);
    }
    free(archive);
    sh(dir, "rm -rf $D");
}

TEST(truncated_archive_creates_nothing)
{
    char dir[] = "/tmp/pogo-initrd-test.XXXXXX";
    char *archive, *data;
    size_t size;

    mount_root();
    CHECK(mkdtemp(dir) != NULL);
    sh(dir, "mkdir -p $D/cut/a/b && printf 0123456789 > $D/cut/a/b/file");
    size = pack(dir, "-H newc --reproducible -R +0:+0", &archive);
    data = memmem(archive, size, "0123456789", 10);
    CHECK(data != NULL);
    /* The cut falls in the data of the last file. */
    if (data)
        CHECK_EQ(unpack(archive, (size_t)(data - archive) + 5), -EINVAL);
    CHECK(find("cut") == NULL);
    free(archive);
    sh(dir, "rm -rf $D");
}
