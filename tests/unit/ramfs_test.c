/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ramfs on the host: the directory cursor under removals and additions,
 * the rename table of POSIX rules, sparse file data in frames, and files
 * that stay readable after their name is gone.
 */
#include <pogo/errno.h>
#include <pogo/mm.h>
#include <pogo/ramfs.h>
#include <pogo/vfs.h>

#include "fake_vfs.h"
#include "unit.h"

#define MIB (1024 * 1024)

static void setup(void)
{
    if (!pogo_vfs_root()) {
        struct pogo_fs *fs = pogo_ramfs_create(0755);

        if (!fs || pogo_vfs_mount(fs, "/") != 0)
            abort();
    }
}

static struct pogo_file *open_path(const char *path, unsigned flags)
{
    struct pogo_file *f = NULL;

    CHECK_EQ(pogo_vfs_open(NULL, path, flags, 0644, &f), 0);
    return f;
}

static void make_file(const char *path, const char *text)
{
    struct pogo_file *f = open_path(path, POGO_O_CREAT | POGO_O_WRONLY);

    if (!f)
        return;
    CHECK_EQ(pogo_file_write_kernel(f, text, strlen(text), &f->pos),
             (long)strlen(text));
    pogo_file_put(f);
}

static int read_all(struct pogo_file *f, char *buf, size_t size)
{
    int64_t pos = 0;
    long n = pogo_file_read_kernel(f, buf, size - 1, &pos);

    if (n >= 0)
        buf[n] = '\0';
    return n;
}

static uint64_t ino_of(const char *path)
{
    struct pogo_vnode *v;
    uint64_t ino;

    if (pogo_vfs_lookup(NULL, path, 0, &v) != 0)
        return 0;
    ino = v->ino;
    pogo_vnode_put(v);
    return ino;
}

/* --- Directory reads ----------------------------------------------------- */

#define MAX_SEEN 4096

/* Collects names, at most room per call, as a small getdents buffer. */
struct collect {
    struct pogo_dir_ctx ctx;
    size_t room;
    char names[MAX_SEEN][16];
    size_t count;
};

static bool collect_emit(struct pogo_dir_ctx *ctx, const char *name, size_t len,
                         uint64_t ino, unsigned type, int64_t next_pos)
{
    struct collect *c = (struct collect *)ctx;

    if (c->room == 0 || c->count >= MAX_SEEN)
        return false;
    c->room--;
    snprintf(c->names[c->count++], 16, "%.*s", (int)len, name);
    return true;
}

/* Reads up to room entries; returns how many came. */
static size_t read_some(struct pogo_file *dir, struct collect *c, size_t room)
{
    size_t before = c->count;

    c->ctx.emit = collect_emit;
    c->room = room;
    CHECK_EQ(dir->ops->readdir(dir, &c->ctx), 0);
    return c->count - before;
}

static int times_seen(const struct collect *c, const char *name)
{
    int n = 0;

    for (size_t i = 0; i < c->count; i++)
        n += strcmp(c->names[i], name) == 0;
    return n;
}

static struct collect seen;

TEST(readdir_lists_names_in_creation_order)
{
    struct pogo_file *d;

    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/order", 0755), 0);
    make_file("/order/b", "");
    make_file("/order/a", "");
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/order/c", 0755), 0);
    d = open_path("/order", POGO_O_RDONLY | POGO_O_DIRECTORY);
    memset(&seen, 0, sizeof(seen));
    CHECK_EQ(read_some(d, &seen, 100), 5);
    CHECK_STR(seen.names[0], ".");
    CHECK_STR(seen.names[1], "..");
    CHECK_STR(seen.names[2], "b");
    CHECK_STR(seen.names[3], "a");
    CHECK_STR(seen.names[4], "c");
    CHECK_EQ(read_some(d, &seen, 100), 0);
    pogo_file_put(d);
}

TEST(readdir_with_removals_sees_each_live_entry_once)
{
    char path[64];
    struct pogo_file *d;

    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/churn", 0755), 0);
    for (int i = 0; i < 1000; i++) {
        snprintf(path, sizeof(path), "/churn/f%d", i);
        make_file(path, "");
    }
    d = open_path("/churn", POGO_O_RDONLY | POGO_O_DIRECTORY);
    memset(&seen, 0, sizeof(seen));
    /* Read 7 at a time; after each batch, remove the last entry read and
     * the next 3 names, which the reader has not seen yet. */
    while (read_some(d, &seen, 7)) {
        const char *last = seen.names[seen.count - 1];
        int n;

        if (sscanf(last, "f%d", &n) != 1)
            continue;
        for (int k = n; k <= n + 3 && k < 1000; k++) {
            snprintf(path, sizeof(path), "/churn/f%d", k);
            pogo_vfs_unlink(NULL, path);
        }
    }
    for (int i = 0; i < 1000; i++) {
        snprintf(path, sizeof(path), "f%d", i);
        CHECK(times_seen(&seen, path) <= 1);
        snprintf(path, sizeof(path), "/churn/f%d", i);
        if (ino_of(path)) {
            snprintf(path, sizeof(path), "f%d", i);
            CHECK_EQ(times_seen(&seen, path), 1);
        }
    }
    pogo_file_put(d);
}

TEST(readdir_continues_after_its_cursor_entry_is_removed)
{
    struct pogo_file *d;

    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/cursor", 0755), 0);
    make_file("/cursor/a", "");
    make_file("/cursor/b", "");
    make_file("/cursor/c", "");
    d = open_path("/cursor", POGO_O_RDONLY);
    memset(&seen, 0, sizeof(seen));
    CHECK_EQ(read_some(d, &seen, 3), 3); /* ".", "..", "a" */
    CHECK_EQ(pogo_vfs_unlink(NULL, "/cursor/a"), 0);
    CHECK_EQ(pogo_vfs_unlink(NULL, "/cursor/b"), 0);
    make_file("/cursor/d", "");
    CHECK_EQ(read_some(d, &seen, 100), 2);
    CHECK_STR(seen.names[3], "c");
    CHECK_STR(seen.names[4], "d");
    /* Rewinding starts over with what exists now. */
    d->ops->llseek(d, 0, 0);
    CHECK_EQ(read_some(d, &seen, 100), 4);
    pogo_file_put(d);
}

TEST(directory_of_10000_entries_finds_each_name)
{
    char path[64];
    struct pogo_file *d;
    size_t total = 0;

    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/big", 0755), 0);
    for (int i = 0; i < 10000; i++) {
        snprintf(path, sizeof(path), "/big/entry-%05d", i);
        make_file(path, "");
    }
    for (int i = 0; i < 10000; i += 997) {
        snprintf(path, sizeof(path), "/big/entry-%05d", i);
        CHECK(ino_of(path) != 0);
    }
    d = open_path("/big", POGO_O_RDONLY);
    for (;;) {
        size_t n;

        memset(&seen, 0, sizeof(seen));
        n = read_some(d, &seen, 512);
        if (!n)
            break;
        total += n;
    }
    CHECK_EQ(total, 10002);
    pogo_file_put(d);
}

/* --- Rename -------------------------------------------------------------- */

struct rename_case {
    const char *from, *to;
    unsigned flags;
    int expected;
};

TEST(rename_follows_posix_rules)
{
    static const struct rename_case cases[] = {
        {"/ren/nothing", "/ren/x", 0, -ENOENT},
        {"/ren/file", "/ren/dir", 0, -EISDIR},
        {"/ren/dir", "/ren/file", 0, -ENOTDIR},
        {"/ren/dir", "/ren/full", 0, -ENOTEMPTY},
        {"/ren/dir", "/ren/dir/inside", 0, -EINVAL},
        {"/ren/full/sub", "/ren/full", 0, -ENOTEMPTY},
        {"/ren/file", "/ren/file/", 0, -ENOTDIR},
        {"/ren/file/", "/ren/other", 0, -ENOTDIR},
        {"/ren/file", "/ren/missing/x", 0, -ENOENT},
        {"/ren/file", "/ren/file2", POGO_RENAME_NOREPLACE, -EEXIST},
        {"/ren/file", "/ren/none", POGO_RENAME_EXCHANGE, -ENOENT},
        {"/ren/file", "/ren/x", POGO_RENAME_EXCHANGE | POGO_RENAME_NOREPLACE,
         -EINVAL},
        {"/ren/file", "/ren/x", 8, -EINVAL},
        {"/ren/.", "/ren/x", 0, -EBUSY},
        {"/ren/file", "/ren/..", 0, -EBUSY},
        {"/ren/file", "/ren/..", POGO_RENAME_NOREPLACE, -EEXIST},
        {"/ren/file", "/ren/file", 0, 0},
        {"/ren/file", "/ren/hardlink", 0, 0},
        {"/ren/dir", "/ren/empty", 0, 0},
        {"/ren/dir2/", "/ren/dir3/", 0, 0},
    };

    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/ren", 0755), 0);
    make_file("/ren/file", "F");
    make_file("/ren/file2", "G");
    CHECK_EQ(pogo_vfs_link(NULL, "/ren/file", NULL, "/ren/hardlink", 0), 0);
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/ren/dir", 0755), 0);
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/ren/dir2", 0755), 0);
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/ren/empty", 0755), 0);
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/ren/full", 0755), 0);
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/ren/full/sub", 0755), 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct rename_case *c = &cases[i];
        int got = pogo_vfs_rename(NULL, c->from, NULL, c->to, c->flags);

        if (got != c->expected)
            unit_fail(__FILE__, __LINE__,
                      "rename %s -> %s (flags %u): %d, "
                      "expected %d",
                      c->from, c->to, c->flags, got, c->expected);
    }
    /* Renaming one name of a file onto another name of it keeps both. */
    CHECK(ino_of("/ren/file") != 0);
    CHECK_EQ(ino_of("/ren/file"), ino_of("/ren/hardlink"));
    CHECK_EQ(ino_of("/ren/dir"), 0);
    CHECK(ino_of("/ren/empty") != 0);
    CHECK(ino_of("/ren/dir3") != 0);
}

TEST(rename_over_file_keeps_old_readable)
{
    struct pogo_file *old;
    char buf[16];

    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/over", 0755), 0);
    make_file("/over/a", "new");
    make_file("/over/b", "old");
    old = open_path("/over/b", POGO_O_RDONLY);
    CHECK_EQ(pogo_vfs_rename(NULL, "/over/a", NULL, "/over/b", 0), 0);
    CHECK_EQ(ino_of("/over/a"), 0);
    CHECK_EQ(read_all(old, buf, sizeof(buf)), 3);
    CHECK_STR(buf, "old");
    CHECK_EQ(old->vnode->nlink, 0);
    pogo_file_put(old);
    old = open_path("/over/b", POGO_O_RDONLY);
    CHECK_EQ(read_all(old, buf, sizeof(buf)), 3);
    CHECK_STR(buf, "new");
    pogo_file_put(old);
}

TEST(rename_of_directory_moves_dotdot_and_link_counts)
{
    struct pogo_vnode *a, *b, *moved;

    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/mv", 0755), 0);
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/mv/a", 0755), 0);
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/mv/b", 0755), 0);
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/mv/a/d", 0755), 0);
    CHECK_EQ(pogo_vfs_lookup(NULL, "/mv/a", 0, &a), 0);
    CHECK_EQ(pogo_vfs_lookup(NULL, "/mv/b", 0, &b), 0);
    CHECK_EQ(a->nlink, 3);
    CHECK_EQ(b->nlink, 2);
    CHECK_EQ(pogo_vfs_rename(NULL, "/mv/a/d", NULL, "/mv/b/d", 0), 0);
    CHECK_EQ(a->nlink, 2);
    CHECK_EQ(b->nlink, 3);
    CHECK_EQ(pogo_vfs_lookup(NULL, "/mv/b/d/..", 0, &moved), 0);
    CHECK(moved == b);
    pogo_vnode_put(moved);
    CHECK_EQ(
        pogo_vfs_rename(NULL, "/mv/a", NULL, "/mv/b", POGO_RENAME_EXCHANGE), 0);
    CHECK_EQ(ino_of("/mv/a/d"), ino_of("/mv/a/d/../d"));
    CHECK(ino_of("/mv/a/d") != 0);
    CHECK_EQ(ino_of("/mv/b/d"), 0);
    pogo_vnode_put(a);
    pogo_vnode_put(b);
}

TEST(exchange_swaps_a_file_and_a_directory)
{
    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/xchg", 0755), 0);
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/xchg/d", 0755), 0);
    make_file("/xchg/d/inner", "");
    make_file("/xchg/f", "");
    CHECK_EQ(
        pogo_vfs_rename(NULL, "/xchg/f", NULL, "/xchg/d", POGO_RENAME_EXCHANGE),
        0);
    CHECK(ino_of("/xchg/f/inner") != 0);
    CHECK_EQ(pogo_vfs_rename(NULL, "/xchg/f", NULL, "/xchg/f/inner",
                             POGO_RENAME_EXCHANGE),
             -EINVAL);
}

/* --- File data ----------------------------------------------------------- */

TEST(sparse_file_takes_pages_only_where_written)
{
    struct pogo_file *f;
    size_t before;
    char buf[8] = "xxxxxxx";
    int64_t pos = 100 * MIB;

    setup();
    before = fake_frames_used();
    f = open_path("/sparse", POGO_O_CREAT | POGO_O_RDWR);
    CHECK_EQ(pogo_file_write_kernel(f, "end", 3, &pos), 3);
    CHECK_EQ(f->vnode->size, 100 * MIB + 3);
    CHECK_EQ(f->vnode->blocks, 8);
    /* One data page and the tree nodes above it. */
    CHECK(fake_frames_used() - before <= 4);
    pos = 50 * MIB;
    CHECK_EQ(pogo_file_read_kernel(f, buf, 4, &pos), 4);
    CHECK_EQ(memcmp(buf, "\0\0\0\0", 4), 0);
    CHECK_EQ(f->ops->llseek(f, 0, 3), 100 * MIB); /* SEEK_DATA */
    CHECK_EQ(f->ops->llseek(f, 0, 4), 0);         /* SEEK_HOLE */
    CHECK_EQ(f->ops->llseek(f, 100 * MIB, 4), 100 * MIB + 3);
    CHECK_EQ(f->ops->llseek(f, 100 * MIB + 3, 3), -ENXIO);
    CHECK_EQ(pogo_vfs_truncate(f->vnode, 10), 0);
    CHECK_EQ(f->vnode->blocks, 0);
    CHECK_EQ(fake_frames_used(), before);
    pogo_file_put(f);
    CHECK_EQ(pogo_vfs_unlink(NULL, "/sparse"), 0);
}

TEST(write_and_read_100_mib)
{
    static char chunk[64 * 1024];
    struct pogo_file *f;
    int64_t pos = 0;
    size_t before = fake_frames_used();

    setup();
    f = open_path("/large", POGO_O_CREAT | POGO_O_RDWR);
    for (int i = 0; i < 100 * MIB / (int)sizeof(chunk); i++) {
        memset(chunk, i & 0xff, sizeof(chunk));
        CHECK_EQ(pogo_file_write_kernel(f, chunk, sizeof(chunk), &pos),
                 (long)sizeof(chunk));
    }
    CHECK_EQ(f->vnode->size, 100 * MIB);
    pos = 77 * (int64_t)sizeof(chunk) + 5;
    CHECK_EQ(pogo_file_read_kernel(f, chunk, 10, &pos), 10);
    CHECK_EQ(chunk[0], 77);
    pogo_file_put(f);
    CHECK_EQ(pogo_vfs_unlink(NULL, "/large"), 0);
    CHECK_EQ(fake_frames_used(), before);
}

TEST(unlinked_open_file_stays_readable_until_closed)
{
    struct pogo_file *f;
    char buf[16];
    size_t before;

    setup();
    before = fake_frames_used();
    make_file("/gone", "still here");
    f = open_path("/gone", POGO_O_RDONLY);
    CHECK_EQ(pogo_vfs_unlink(NULL, "/gone"), 0);
    CHECK_EQ(ino_of("/gone"), 0);
    CHECK_EQ(read_all(f, buf, sizeof(buf)), 10);
    CHECK_STR(buf, "still here");
    pogo_file_put(f);
    CHECK_EQ(fake_frames_used(), before);
}

TEST(hard_links_share_data_and_count_names)
{
    struct pogo_file *f;
    char buf[16];

    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/links", 0755), 0);
    make_file("/links/one", "shared");
    CHECK_EQ(pogo_vfs_link(NULL, "/links/one", NULL, "/links/two", 0), 0);
    CHECK_EQ(pogo_vfs_link(NULL, "/links/one", NULL, "/links/two", 0), -EEXIST);
    f = open_path("/links/two", POGO_O_RDONLY);
    CHECK_EQ(f->vnode->nlink, 2);
    CHECK_EQ(pogo_vfs_unlink(NULL, "/links/one"), 0);
    CHECK_EQ(f->vnode->nlink, 1);
    CHECK_EQ(read_all(f, buf, sizeof(buf)), 6);
    pogo_file_put(f);
}

TEST(punch_hole_zeros_and_frees_whole_pages)
{
    static char page[POGO_PAGE_SIZE * 3];
    struct pogo_file *f;
    int64_t pos = 0;

    setup();
    memset(page, 'a', sizeof(page));
    f = open_path("/holes", POGO_O_CREAT | POGO_O_RDWR);
    CHECK_EQ(pogo_file_write_kernel(f, page, sizeof(page), &pos),
             (long)sizeof(page));
    CHECK_EQ(f->vnode->blocks, 24);
    CHECK_EQ(f->vnode->ops->fallocate(
                 f->vnode, POGO_FALLOC_PUNCH_HOLE | POGO_FALLOC_KEEP_SIZE, 100,
                 2 * POGO_PAGE_SIZE),
             0);
    CHECK_EQ(f->vnode->blocks, 16);
    CHECK_EQ(f->vnode->size, sizeof(page));
    pos = 0;
    memset(page, 0, sizeof(page));
    CHECK_EQ(pogo_file_read_kernel(f, page, sizeof(page), &pos),
             (long)sizeof(page));
    CHECK_EQ(page[99], 'a');
    CHECK_EQ(page[100], 0);
    CHECK_EQ(page[2 * POGO_PAGE_SIZE + 99], 0);
    CHECK_EQ(page[2 * POGO_PAGE_SIZE + 100], 'a');
    pogo_file_put(f);
}
