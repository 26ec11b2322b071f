/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cpio newc reader against archives that GNU cpio writes from a
 * temporary folder, and against hand-made broken ones. Every archive is
 * copied into a heap block of its exact size first, so that AddressSanitizer
 * reports any read past its end.
 */
#define _GNU_SOURCE
#include <pogo/cpio.h>
#include <pogo/errno.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#define MAX_ENTRIES 64
#define BIG_SIZE    (100 * 1024)

/* --- Collecting the entries of a walk ------------------------------------ */

struct record {
    enum pogo_cpio_type type;
    char name[POGO_CPIO_PATH_MAX];
    char link_name[POGO_CPIO_PATH_MAX];
    unsigned mode, uid, gid;
    int64_t mtime;
    size_t number;
    size_t size;
    unsigned char *data; /* a copy */
};

struct records {
    struct record r[MAX_ENTRIES];
    size_t n;
    size_t stop_at; /* return -EIO at this entry number, if not 0 */
};

static int collect(const struct pogo_cpio_entry *e, void *arg)
{
    struct records *rs = arg;
    struct record *r;

    if (rs->stop_at && e->number == rs->stop_at)
        return -EIO;
    if (rs->n == MAX_ENTRIES)
        return -ENOSPC;
    r = &rs->r[rs->n++];
    r->type = e->type;
    snprintf(r->name, sizeof(r->name), "%s", e->name);
    snprintf(r->link_name, sizeof(r->link_name), "%s",
             e->link_name ? e->link_name : "");
    r->mode = e->mode;
    r->uid = e->uid;
    r->gid = e->gid;
    r->mtime = e->mtime;
    r->number = e->number;
    r->size = e->size;
    r->data = NULL;
    if (e->size) {
        r->data = malloc(e->size);
        memcpy(r->data, e->data, e->size);
    } else if (e->data) {
        unit_fail(__FILE__, __LINE__, "%s: data is not NULL for size 0",
                  e->name);
    }
    return 0;
}

static void free_records(struct records *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        free(rs->r[i].data);
    rs->n = 0;
}

static const struct record *find(const struct records *rs, const char *name)
{
    for (size_t i = 0; i < rs->n; i++) {
        if (strcmp(rs->r[i].name, name) == 0)
            return &rs->r[i];
    }
    unit_fail(__FILE__, __LINE__, "no entry named '%s'", name);
    return NULL;
}

/* Copies an archive into a heap block of exactly its size. */
static unsigned char *exact_copy(const void *p, size_t size)
{
    unsigned char *copy = malloc(size ? size : 1);

    memcpy(copy, p, size);
    return copy;
}

static int walk(const void *archive, size_t size, struct records *rs,
                struct pogo_cpio_error *error)
{
    unsigned char *copy = exact_copy(archive, size);
    int err = pogo_cpio_walk(copy, size, collect, rs, error);

    free(copy);
    return err;
}

/* --- Archives written by GNU cpio ----------------------------------------- */

struct tree {
    char dir[64];
    unsigned char big[BIG_SIZE];
};

static void write_file(const char *dir, const char *name, const void *data,
                       size_t size, mode_t mode)
{
    char path[256];
    int fd;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    CHECK_EQ(write(fd, data, size), (long long)size);
    fchmod(fd, mode);
    close(fd);
}

static void make_dir(const char *dir, const char *name, mode_t mode)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    CHECK_EQ(mkdir(path, mode), 0);
    chmod(path, mode);
}

static void make_symlink(const char *dir, const char *target, const char *name)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    CHECK_EQ(symlink(target, path), 0);
}

static void make_link(const char *dir, const char *old, const char *name)
{
    char a[256], b[256];

    snprintf(a, sizeof(a), "%s/%s", dir, old);
    snprintf(b, sizeof(b), "%s/%s", dir, name);
    CHECK_EQ(link(a, b), 0);
}

/*
 * Makes a folder with files, an empty file, nested folders, symlinks, hard
 * links and a 100 KiB file.
 */
static void make_tree(struct tree *t)
{
    snprintf(t->dir, sizeof(t->dir), "/tmp/pogo-cpio-test.XXXXXX");
    CHECK(mkdtemp(t->dir) != NULL);
    for (size_t i = 0; i < BIG_SIZE; i++)
        t->big[i] = (unsigned char)(i * 7 + i / 251);

    write_file(t->dir, "hello.txt", "hello, world\n", 13, 0644);
    write_file(t->dir, "empty", "", 0, 0600);
    write_file(t->dir, "run.sh", "#!/bin/sh\n", 10, 0755);
    write_file(t->dir, "big.bin", t->big, BIG_SIZE, 0644);
    make_dir(t->dir, "etc", 0755);
    make_dir(t->dir, "etc/deep", 0700);
    make_dir(t->dir, "etc/deep/er", 0755);
    make_dir(t->dir, "etc/deep/er/still", 0755);
    write_file(t->dir, "etc/deep/er/still/x", "x", 1, 0640);
    make_dir(t->dir, "empty-dir", 0755);
    make_symlink(t->dir, "hello.txt", "link-to-file");
    make_symlink(t->dir, "etc/deep", "link-to-dir");
    make_symlink(t->dir, "/nowhere/at/all", "dangling");
    write_file(t->dir, "etc/a", "shared", 6, 0644);
    make_link(t->dir, "etc/a", "etc/b");
    make_link(t->dir, "etc/a", "z-third-name");
}

static void remove_tree(const struct tree *t)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
    CHECK_EQ(system(cmd), 0);
}

/* Runs cpio in the tree with options; returns the archive, or NULL. */
static unsigned char *pack(const struct tree *t, const char *options,
                           size_t *size)
{
    char cmd[512], out[96];
    unsigned char *data = NULL;
    FILE *f;
    long n;

    snprintf(out, sizeof(out), "%s.cpio", t->dir);
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && find . | LC_ALL=C sort | cpio -o --quiet %s > '%s'",
             t->dir, options, out);
    CHECK_EQ(system(cmd), 0);
    f = fopen(out, "rb");
    CHECK(f != NULL);
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    data = malloc(n);
    CHECK_EQ(fread(data, 1, n, f), n);
    fclose(f);
    remove(out);
    *size = n;
    return data;
}

static void check_file(const struct records *rs, const char *name,
                       const void *data, size_t size, unsigned mode)
{
    const struct record *r = find(rs, name);

    if (!r)
        return;
    CHECK_EQ(r->type, POGO_CPIO_FILE);
    CHECK_EQ(r->size, size);
    CHECK_EQ(r->mode, mode);
    CHECK(r->size != size || size == 0 || memcmp(r->data, data, size) == 0);
}

static void check_dir(const struct records *rs, const char *name, unsigned mode)
{
    const struct record *r = find(rs, name);

    if (!r)
        return;
    CHECK_EQ(r->type, POGO_CPIO_DIR);
    CHECK_EQ(r->mode, mode);
    CHECK_EQ(r->size, 0);
}

static void check_symlink(const struct records *rs, const char *name,
                          const char *target)
{
    const struct record *r = find(rs, name);

    if (!r)
        return;
    CHECK_EQ(r->type, POGO_CPIO_SYMLINK);
    CHECK_EQ(r->size, strlen(target));
    if (r->size == strlen(target))
        CHECK_EQ(memcmp(r->data, target, r->size), 0);
}

/* Checks what every packing of make_tree's folder must give. */
static void check_tree(const struct tree *t, const struct records *rs)
{
    const struct record *links[3], *file = NULL;
    size_t names = 0;

    check_file(rs, "hello.txt", "hello, world\n", 13, 0644);
    check_file(rs, "empty", "", 0, 0600);
    check_file(rs, "run.sh", "#!/bin/sh\n", 10, 0755);
    check_file(rs, "big.bin", t->big, BIG_SIZE, 0644);
    check_file(rs, "etc/deep/er/still/x", "x", 1, 0640);
    check_dir(rs, "etc", 0755);
    check_dir(rs, "etc/deep", 0700);
    check_dir(rs, "etc/deep/er", 0755);
    check_dir(rs, "etc/deep/er/still", 0755);
    check_dir(rs, "empty-dir", 0755);
    check_symlink(rs, "link-to-file", "hello.txt");
    check_symlink(rs, "link-to-dir", "etc/deep");
    check_symlink(rs, "dangling", "/nowhere/at/all");

    /* One of the three names makes the file with the data; the others
     * link to it. */
    links[0] = find(rs, "etc/a");
    links[1] = find(rs, "etc/b");
    links[2] = find(rs, "z-third-name");
    for (int i = 0; i < 3; i++) {
        if (!links[i])
            return;
        if (links[i]->type == POGO_CPIO_FILE) {
            CHECK(file == NULL);
            file = links[i];
        }
    }
    CHECK(file != NULL);
    if (!file)
        return;
    CHECK_EQ(file->size, 6);
    if (file->size == 6)
        CHECK_EQ(memcmp(file->data, "shared", 6), 0);
    for (int i = 0; i < 3; i++) {
        if (links[i] == file)
            continue;
        CHECK_EQ(links[i]->type, POGO_CPIO_HARDLINK);
        CHECK_STR(links[i]->link_name, file->name);
        CHECK(links[i] > file);
    }

    /* Every name once, parents before children, and no root entry. */
    for (size_t i = 0; i < rs->n; i++) {
        const char *name = rs->r[i].name;
        const char *slash = strrchr(name, '/');

        CHECK(strcmp(name, ".") != 0);
        CHECK(name[0] != '/');
        CHECK(name[0] != '\0');
        for (size_t j = i + 1; j < rs->n; j++)
            CHECK(strcmp(name, rs->r[j].name) != 0);
        if (slash) {
            char parent[POGO_CPIO_PATH_MAX];
            const struct record *p;

            snprintf(parent, sizeof(parent), "%.*s", (int)(slash - name), name);
            p = find(rs, parent);
            CHECK(p != NULL);
            CHECK(!p || p < &rs->r[i]);
        }
        names++;
    }
    CHECK_EQ(names, 16);
}

TEST(newc_archive_gives_back_the_tree)
{
    static struct tree t;
    static struct records rs;
    struct pogo_cpio_error error;
    unsigned char *archive;
    size_t size = 0;

    make_tree(&t);
    archive = pack(&t, "-H newc --reproducible -R +0:+0", &size);
    if (archive) {
        CHECK_EQ(memcmp(archive, "070701", 6), 0);
        CHECK_EQ(walk(archive, size, &rs, &error), 0);
        check_tree(&t, &rs);
        for (size_t i = 0; i < rs.n; i++) {
            CHECK_EQ(rs.r[i].uid, 0);
            CHECK_EQ(rs.r[i].gid, 0);
        }
        free_records(&rs);
    }
    free(archive);
    remove_tree(&t);
}

TEST(newc_archive_keeps_owner_and_mtime)
{
    static struct tree t;
    static struct records rs;
    struct pogo_cpio_error error;
    unsigned char *archive;
    char path[128];
    struct stat st;
    size_t size = 0;

    make_tree(&t);
    snprintf(path, sizeof(path), "%s/hello.txt", t.dir);
    CHECK_EQ(stat(path, &st), 0);
    archive = pack(&t, "-H newc", &size);
    if (archive) {
        const struct record *r;

        CHECK_EQ(walk(archive, size, &rs, &error), 0);
        check_tree(&t, &rs);
        r = find(&rs, "hello.txt");
        if (r) {
            CHECK_EQ(r->uid, st.st_uid);
            CHECK_EQ(r->gid, st.st_gid);
            CHECK_EQ(r->mtime, st.st_mtime);
        }
        free_records(&rs);
    }
    free(archive);
    remove_tree(&t);
}

TEST(crc_archive_gives_back_the_tree)
{
    static struct tree t;
    static struct records rs;
    struct pogo_cpio_error error;
    unsigned char *archive;
    size_t size = 0;

    make_tree(&t);
    archive = pack(&t, "-H crc --reproducible", &size);
    if (archive) {
        CHECK_EQ(memcmp(archive, "070702", 6), 0);
        CHECK_EQ(walk(archive, size, &rs, &error), 0);
        check_tree(&t, &rs);
        free_records(&rs);
    }
    free(archive);
    remove_tree(&t);
}

TEST(crc_archive_with_flipped_byte_fails)
{
    static struct tree t;
    struct pogo_cpio_error error;
    unsigned char *archive;
    size_t size = 0;
    unsigned char *p;

    make_tree(&t);
    archive = pack(&t, "-H crc --reproducible", &size);
    p = archive ? memmem(archive, size, "hello, world", 12) : NULL;
    CHECK(p != NULL);
    if (p) {
        unsigned char *copy;

        p[0] ^= 1;
        copy = exact_copy(archive, size);
        CHECK_EQ(pogo_cpio_check(copy, size, &error), -EINVAL);
        CHECK_STR(error.problem, "checksum mismatch");
        CHECK_EQ(error.name_len, 9);
        if (error.name_len == 9)
            CHECK_EQ(memcmp(error.name, "hello.txt", 9), 0);
        free(copy);
    }
    free(archive);
    remove_tree(&t);
}

/* --- Hand-made archives --------------------------------------------------- */

enum {
    INO,
    MODE,
    UID,
    GID,
    NLINK,
    MTIME,
    FILESIZE,
    DEVMAJ,
    DEVMIN,
    RDEVMAJ,
    RDEVMIN,
    NAMESIZE,
    CHECKSUM,
    FIELDS
};

struct builder {
    unsigned char buf[16384];
    size_t len;
};

static void put(struct builder *b, const void *p, size_t n)
{
    if (b->len + n > sizeof(b->buf)) {
        unit_fail(__FILE__, __LINE__, "test archive too large");
        return;
    }
    memcpy(b->buf + b->len, p, n);
    b->len += n;
}

static void pad4(struct builder *b)
{
    while (b->len % 4)
        put(b, "", 1);
}

/* Appends a header with these fields and exactly these name bytes. */
static void add_raw(struct builder *b, const char *magic,
                    const uint32_t f[FIELDS], const void *name,
                    size_t name_bytes, const void *data, size_t data_bytes)
{
    char header[111];
    int n = snprintf(header, sizeof(header), "%s", magic);

    for (int i = 0; i < FIELDS; i++)
        n += snprintf(header + n, sizeof(header) - n, "%08X", f[i]);
    put(b, header, 110);
    put(b, name, name_bytes);
    pad4(b);
    put(b, data, data_bytes);
    pad4(b);
}

static void fields_for(uint32_t f[FIELDS], uint32_t mode, const char *name,
                       size_t size)
{
    static uint32_t next_ino = 100;

    memset(f, 0, FIELDS * sizeof(f[0]));
    f[INO] = next_ino++;
    f[MODE] = mode;
    f[UID] = 1000;
    f[GID] = 100;
    f[NLINK] = (mode & 0170000) == 0040000 ? 2 : 1;
    f[MTIME] = 1700000000;
    f[FILESIZE] = size;
    f[NAMESIZE] = strlen(name) + 1;
}

static void add(struct builder *b, uint32_t mode, const char *name,
                const void *data, size_t size)
{
    uint32_t f[FIELDS];

    fields_for(f, mode, name, size);
    add_raw(b, "070701", f, name, strlen(name) + 1, data, size);
}

static void add_trailer(struct builder *b)
{
    uint32_t f[FIELDS] = {0};

    f[NLINK] = 1;
    f[NAMESIZE] = 11;
    add_raw(b, "070701", f, "TRAILER!!!", 11, "", 0);
}

/* A valid archive of a folder, a file and a symlink. */
static void small_archive(struct builder *b)
{
    b->len = 0;
    add(b, 0040755, ".", "", 0);
    add(b, 0040755, "dir", "", 0);
    add(b, 0100644, "dir/file", "contents\n", 9);
    add(b, 0120777, "dir/link", "file", 4);
    add_trailer(b);
}

/*
 * Checks that the archive is rejected with err, at entry number, with
 * problem and (when name is not NULL) that name. A walk of it must make
 * no calls.
 */
static void expect_error(const struct builder *b, int err, size_t number,
                         const char *problem, const char *name)
{
    static struct records rs;
    struct pogo_cpio_error error;
    unsigned char *copy = exact_copy(b->buf, b->len);

    memset(&error, 0, sizeof(error));
    CHECK_EQ(pogo_cpio_check(copy, b->len, &error), err);
    CHECK_EQ(error.number, number);
    CHECK_STR(error.problem, problem);
    if (name) {
        CHECK(error.name != NULL);
        CHECK_EQ(error.name_len, strlen(name));
        if (error.name && error.name_len == strlen(name))
            CHECK_EQ(memcmp(error.name, name, error.name_len), 0);
    } else {
        CHECK(error.name == NULL);
    }
    rs.n = 0;
    CHECK_EQ(pogo_cpio_walk(copy, b->len, collect, &rs, &error), err);
    CHECK_EQ(rs.n, 0);
    free(copy);
}

TEST(small_archive_walks_in_order)
{
    static struct builder b;
    static struct records rs;
    struct pogo_cpio_error error;

    small_archive(&b);
    CHECK_EQ(walk(b.buf, b.len, &rs, &error), 0);
    CHECK_EQ(rs.n, 3);
    if (rs.n != 3)
        return;
    CHECK_STR(rs.r[0].name, "dir");
    CHECK_EQ(rs.r[0].type, POGO_CPIO_DIR);
    CHECK_EQ(rs.r[0].number, 2);
    CHECK_EQ(rs.r[0].mode, 0755);
    CHECK_EQ(rs.r[0].uid, 1000);
    CHECK_EQ(rs.r[0].gid, 100);
    CHECK_EQ(rs.r[0].mtime, 1700000000);
    CHECK_STR(rs.r[1].name, "dir/file");
    CHECK_EQ(rs.r[1].type, POGO_CPIO_FILE);
    CHECK_EQ(rs.r[1].size, 9);
    CHECK_EQ(memcmp(rs.r[1].data, "contents\n", 9), 0);
    CHECK_STR(rs.r[2].name, "dir/link");
    CHECK_EQ(rs.r[2].type, POGO_CPIO_SYMLINK);
    CHECK_EQ(rs.r[2].size, 4);
    CHECK_EQ(memcmp(rs.r[2].data, "file", 4), 0);
    free_records(&rs);
}

TEST(data_after_names_of_every_length_is_aligned)
{
    static struct builder b;
    static struct records rs;
    struct pogo_cpio_error error;
    char name[32];

    b.len = 0;
    for (int len = 1; len <= 9; len++) {
        for (int size = 0; size <= 4; size++) {
            snprintf(name, sizeof(name), "%.*s%d", len - 1, "abcdefgh", size);
            add(&b, 0100644, name, "12345", size);
        }
    }
    add_trailer(&b);
    CHECK_EQ(walk(b.buf, b.len, &rs, &error), 0);
    CHECK_EQ(rs.n, 45);
    for (size_t i = 0; i < rs.n; i++) {
        size_t len = strlen(rs.r[i].name);
        size_t size = rs.r[i].name[len - 1] - '0';

        CHECK_EQ(rs.r[i].size, size);
        CHECK(size == 0 || memcmp(rs.r[i].data, "12345", size) == 0);
    }
    free_records(&rs);
}

TEST(callback_error_stops_the_walk)
{
    static struct builder b;
    static struct records rs;
    struct pogo_cpio_error error;

    small_archive(&b);
    rs.stop_at = 3;
    CHECK_EQ(walk(b.buf, b.len, &rs, &error), -EIO);
    CHECK_EQ(rs.n, 1);
    rs.stop_at = 0;
    free_records(&rs);
}

TEST(mtime_above_2038_stays_positive)
{
    static struct builder b;
    static struct records rs;
    struct pogo_cpio_error error;
    uint32_t f[FIELDS];

    fields_for(f, 0100644, "late", 0);
    f[MTIME] = 0xFFFFFFF0;
    add_raw(&b, "070701", f, "late", 5, "", 0);
    add_trailer(&b);
    CHECK_EQ(walk(b.buf, b.len, &rs, &error), 0);
    CHECK_EQ(rs.n, 1);
    CHECK_EQ(rs.r[0].mtime, 0xFFFFFFF0LL);
    free_records(&rs);
}

TEST(leading_slashes_and_dots_are_removed)
{
    static struct builder b;
    static struct records rs;
    struct pogo_cpio_error error;
    const char *names[] = {"/",    "./",        ".",
                           "/abs", "./rel",     "././twice",
                           "//x",  "./.hidden", "/./mixed/y"};
    const char *want[] = {"abs", "rel", "twice", "x", ".hidden", "mixed/y"};

    b.len = 0;
    for (size_t i = 0; i < 3; i++)
        add(&b, 0040755, names[i], "", 0);
    for (size_t i = 3; i < 9; i++)
        add(&b, 0100644, names[i], "", 0);
    add_trailer(&b);
    CHECK_EQ(walk(b.buf, b.len, &rs, &error), 0);
    CHECK_EQ(rs.n, 6);
    for (size_t i = 0; i < rs.n && i < 6; i++) {
        CHECK_STR(rs.r[i].name, want[i]);
        CHECK_EQ(rs.r[i].number, i + 4);
    }
    free_records(&rs);
}

TEST(lowercase_hex_fields_are_accepted)
{
    static struct builder b;
    static struct records rs;
    struct pogo_cpio_error error;
    char header[111];

    b.len = 0;
    snprintf(header, sizeof(header),
             "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x", 1,
             0100644, 0xabc, 0xdef, 1, 0xfeedbeef, 2, 0, 0, 0, 0, 2, 0);
    put(&b, header, 110);
    put(&b, "f", 2);
    pad4(&b);
    put(&b, "hi", 2);
    pad4(&b);
    add_trailer(&b);
    CHECK_EQ(walk(b.buf, b.len, &rs, &error), 0);
    CHECK_EQ(rs.n, 1);
    CHECK_EQ(rs.r[0].uid, 0xabc);
    CHECK_EQ(rs.r[0].gid, 0xdef);
    CHECK_EQ(rs.r[0].mtime, 0xfeedbeefLL);
    CHECK_EQ(rs.r[0].size, 2);
    free_records(&rs);
}

TEST(bytes_after_the_trailer_are_ignored)
{
    static struct builder b;
    struct pogo_cpio_error error;

    small_archive(&b);
    put(&b, "garbage that is not a header", 28);
    CHECK_EQ(pogo_cpio_check(b.buf, b.len, &error), 0);
}

TEST(trailer_without_padding_ends_the_archive)
{
    static struct builder b;
    struct pogo_cpio_error error;
    unsigned char *copy;

    small_archive(&b);
    /* The trailer's header and name end 3 bytes before the padding does. */
    copy = exact_copy(b.buf, b.len - 3);
    CHECK_EQ(pogo_cpio_check(copy, b.len - 3, &error), 0);
    free(copy);
}

TEST(hard_link_group_shares_last_data)
{
    static struct builder b;
    static struct records rs;
    struct pogo_cpio_error error;
    uint32_t f[FIELDS];

    b.len = 0;
    fields_for(f, 0100600, "first", 0);
    f[INO] = 7;
    f[NLINK] = 2;
    add_raw(&b, "070701", f, "first", 6, "", 0);
    add(&b, 0100644, "between", "x", 1);
    fields_for(f, 0100600, "second", 5);
    f[INO] = 7;
    f[NLINK] = 2;
    add_raw(&b, "070701", f, "second", 7, "data!", 5);
    /* The same ino on another device is another file. */
    fields_for(f, 0100600, "other-device", 3);
    f[INO] = 7;
    f[NLINK] = 2;
    f[DEVMIN] = 1;
    add_raw(&b, "070701", f, "other-device", 13, "abc", 3);
    add_trailer(&b);

    CHECK_EQ(walk(b.buf, b.len, &rs, &error), 0);
    CHECK_EQ(rs.n, 4);
    if (rs.n != 4)
        return;
    CHECK_EQ(rs.r[0].type, POGO_CPIO_FILE);
    CHECK_EQ(rs.r[0].size, 5);
    CHECK_EQ(memcmp(rs.r[0].data, "data!", 5), 0);
    CHECK_EQ(rs.r[2].type, POGO_CPIO_HARDLINK);
    CHECK_STR(rs.r[2].link_name, "first");
    CHECK_EQ(rs.r[2].size, 0);
    CHECK_EQ(rs.r[3].type, POGO_CPIO_FILE);
    CHECK_EQ(rs.r[3].size, 3);
    free_records(&rs);
}

TEST(broken_header_fields_are_rejected)
{
    static struct builder b;

    small_archive(&b);
    memcpy(b.buf + 112, "07070X", 6);
    expect_error(&b, -EINVAL, 2, "bad magic", NULL);

    small_archive(&b);
    b.buf[112 + 6 + 8 + 3] = 'g'; /* entry 2's mode field */
    expect_error(&b, -EINVAL, 2, "invalid hex digit in the mode field", NULL);

    small_archive(&b);
    b.buf[6 + 11 * 8 + 7] = ' '; /* entry 1's namesize field */
    expect_error(&b, -EINVAL, 1, "invalid hex digit in the namesize field",
                 NULL);

    small_archive(&b);
    b.buf[6 + 12 * 8] = '-'; /* entry 1's check field */
    expect_error(&b, -EINVAL, 1, "invalid hex digit in the check field", NULL);
}

TEST(broken_names_are_rejected)
{
    static struct builder b;
    uint32_t f[FIELDS];
    static char long_name[5000];
    static char long_component[300];

    b.len = 0;
    fields_for(f, 0100644, "x", 0);
    f[NAMESIZE] = 0;
    add_raw(&b, "070701", f, "", 0, "", 0);
    add_trailer(&b);
    expect_error(&b, -EINVAL, 1, "name size is zero", "");

    b.len = 0;
    fields_for(f, 0100644, "abc", 0);
    f[NAMESIZE] = 3;
    add_raw(&b, "070701", f, "abc", 3, "", 0);
    add_trailer(&b);
    expect_error(&b, -EINVAL, 1, "name not terminated", "abc");

    b.len = 0;
    fields_for(f, 0100644, "abcdef", 0);
    add_raw(&b, "070701", f, "abc\0ef", 7, "", 0);
    add_trailer(&b);
    expect_error(&b, -EINVAL, 1, "name contains a NUL byte", "abc");

    memset(long_name, 'a', sizeof(long_name) - 1);
    for (size_t i = 100; i < sizeof(long_name) - 1; i += 100)
        long_name[i] = '/';
    b.len = 0;
    add(&b, 0100644, "ok", "", 0);
    fields_for(f, 0100644, long_name, 0);
    add_raw(&b, "070701", f, long_name, sizeof(long_name), "", 0);
    add_trailer(&b);
    expect_error(&b, -ENAMETOOLONG, 2, "name too long", long_name);

    memset(long_component, 'c', sizeof(long_component) - 1);
    long_component[256 + 4] = '\0';
    memcpy(long_component, "dir/", 4);
    b.len = 0;
    add(&b, 0100644, long_component, "", 0);
    add_trailer(&b);
    expect_error(&b, -ENAMETOOLONG, 1, "name too long", long_component);
    long_component[255 + 4] = '\0';
    b.len = 0;
    add(&b, 0100644, long_component, "", 0);
    add_trailer(&b);
    CHECK_EQ(pogo_cpio_check(b.buf, b.len, &(struct pogo_cpio_error){0}), 0);

    const char *dotdot[][2] = {{"..", ".."},     {"../x", "../x"},
                               {"a/..", "a/.."}, {"a/../b", "a/../b"},
                               {"./..", ".."},   {"/..", ".."}};
    for (size_t i = 0; i < POGO_ARRAY_SIZE(dotdot); i++) {
        b.len = 0;
        add(&b, 0040755, "a", "", 0);
        add(&b, 0100644, dotdot[i][0], "", 0);
        add_trailer(&b);
        expect_error(&b, -EINVAL, 2, "name has a '..' component", dotdot[i][1]);
    }

    b.len = 0;
    add(&b, 0100644, ".", "", 0);
    add_trailer(&b);
    expect_error(&b, -EINVAL, 1, "the root entry is not a directory", ".");
}

TEST(dotted_names_other_than_dotdot_pass)
{
    static struct builder b;
    static struct records rs;
    struct pogo_cpio_error error;

    b.len = 0;
    add(&b, 0100644, "...", "", 0);
    add(&b, 0100644, "..x", "", 0);
    add(&b, 0100644, "x..", "", 0);
    add_trailer(&b);
    CHECK_EQ(walk(b.buf, b.len, &rs, &error), 0);
    CHECK_EQ(rs.n, 3);
    free_records(&rs);
}

TEST(unsupported_file_types_are_rejected)
{
    static struct builder b;
    const struct {
        uint32_t mode;
        const char *problem;
    } cases[] = {
        {0020644, "unsupported file type: character device"},
        {0060644, "unsupported file type: block device"},
        {0010644, "unsupported file type: FIFO"},
        {0140755, "unsupported file type: socket"},
        {0000644, "unsupported file type"},
        {0170644, "unsupported file type"},
    };

    for (size_t i = 0; i < POGO_ARRAY_SIZE(cases); i++) {
        b.len = 0;
        add(&b, 0040755, "dev", "", 0);
        add(&b, cases[i].mode, "dev/thing", "", 0);
        add_trailer(&b);
        expect_error(&b, -EOPNOTSUPP, 2, cases[i].problem, "dev/thing");
    }

    b.len = 0;
    add(&b, 0x10000 | 0100644, "toobig", "", 0);
    add_trailer(&b);
    expect_error(&b, -EINVAL, 1, "invalid mode", "toobig");
}

TEST(broken_data_is_rejected)
{
    static struct builder b;
    static char target[POGO_CPIO_PATH_MAX];
    uint32_t f[FIELDS];

    b.len = 0;
    add(&b, 0040755, "d", "data", 4);
    add_trailer(&b);
    expect_error(&b, -EINVAL, 1, "directory with data", "d");

    b.len = 0;
    add(&b, 0120777, "l", "", 0);
    add_trailer(&b);
    expect_error(&b, -EINVAL, 1, "empty symlink target", "l");

    b.len = 0;
    add(&b, 0120777, "l", "a\0b", 3);
    add_trailer(&b);
    expect_error(&b, -EINVAL, 1, "symlink target contains a NUL byte", "l");

    memset(target, 't', sizeof(target));
    b.len = 0;
    add(&b, 0120777, "l", target, sizeof(target));
    add_trailer(&b);
    expect_error(&b, -ENAMETOOLONG, 1, "symlink target too long", "l");
    b.len = 0;
    add(&b, 0120777, "l", target, sizeof(target) - 1);
    add_trailer(&b);
    CHECK_EQ(pogo_cpio_check(b.buf, b.len, &(struct pogo_cpio_error){0}), 0);

    /* A file size that runs past the end of the archive. */
    b.len = 0;
    fields_for(f, 0100644, "f", 0xFFFFFFFF);
    add_raw(&b, "070701", f, "f", 2, "short", 5);
    add_trailer(&b);
    expect_error(&b, -EINVAL, 1, "truncated data", "f");
}

TEST(checksums_are_checked_in_crc_archives_only)
{
    static struct builder b;
    uint32_t f[FIELDS];

    b.len = 0;
    fields_for(f, 0100644, "sum", 3);
    f[CHECKSUM] = 'a' + 'b' + 'c';
    add_raw(&b, "070702", f, "sum", 4, "abc", 3);
    add_trailer(&b);
    CHECK_EQ(pogo_cpio_check(b.buf, b.len, &(struct pogo_cpio_error){0}), 0);

    b.len = 0;
    f[CHECKSUM] = 'a' + 'b' + 'c' + 1;
    add_raw(&b, "070702", f, "sum", 4, "abc", 3);
    add_trailer(&b);
    expect_error(&b, -EINVAL, 1, "checksum mismatch", "sum");

    /* 070701 has no checksum: the check field means nothing there. */
    b.len = 0;
    add_raw(&b, "070701", f, "sum", 4, "abc", 3);
    add_trailer(&b);
    CHECK_EQ(pogo_cpio_check(b.buf, b.len, &(struct pogo_cpio_error){0}), 0);
}

TEST(archive_without_trailer_is_rejected)
{
    static struct builder b;

    b.len = 0;
    add(&b, 0040755, "a", "", 0);
    add(&b, 0100644, "a/b", "xy", 2);
    expect_error(&b, -EINVAL, 3, "archive ends without a TRAILER!!! entry",
                 NULL);

    b.len = 0;
    expect_error(&b, -EINVAL, 1, "archive ends without a TRAILER!!! entry",
                 NULL);
}

TEST(archive_cut_at_every_byte_is_rejected)
{
    static struct builder b;
    static const char *const problems[] = {
        "archive ends without a TRAILER!!! entry",
        "truncated header",
        "truncated name",
        "truncated data",
    };
    size_t trailer_end;

    small_archive(&b);
    trailer_end = b.len - 3; /* the end of the trailer's name */
    for (size_t n = 0; n < b.len; n++) {
        struct pogo_cpio_error error = {0};
        unsigned char *copy = exact_copy(b.buf, n);
        int err = pogo_cpio_check(copy, n, &error);
        bool known = false;

        if (n >= trailer_end) {
            CHECK_EQ(err, 0);
        } else {
            CHECK_EQ(err, -EINVAL);
            for (size_t i = 0; i < POGO_ARRAY_SIZE(problems); i++)
                known |= error.problem && !strcmp(error.problem, problems[i]);
            if (!known)
                unit_fail(__FILE__, __LINE__, "cut at %zu: unexpected '%s'", n,
                          error.problem ? error.problem : "(null)");
            CHECK(error.number >= 1);
            CHECK(error.number <= 5);
        }
        free(copy);
    }
}

TEST(error_text_names_the_entry_and_the_problem)
{
    struct pogo_cpio_error error = {3, "etc/x", 5, "truncated data"};
    char buf[128], want[128];
    char name[100];

    CHECK_EQ(pogo_cpio_format_error(&error, buf, sizeof(buf)),
             strlen("entry 3 'etc/x': truncated data"));
    CHECK_STR(buf, "entry 3 'etc/x': truncated data");

    error.name = NULL;
    error.problem = "bad magic";
    pogo_cpio_format_error(&error, buf, sizeof(buf));
    CHECK_STR(buf, "entry 3: bad magic");

    error.name = "a\nb\x7f\x01";
    error.name_len = 5;
    pogo_cpio_format_error(&error, buf, sizeof(buf));
    CHECK_STR(buf, "entry 3 'a?b?"
                   "?': bad magic");

    memset(name, 'n', sizeof(name));
    error.name = name;
    error.name_len = sizeof(name);
    pogo_cpio_format_error(&error, buf, sizeof(buf));
    snprintf(want, sizeof(want), "entry 3 '%.64s...': bad magic", name);
    CHECK_STR(buf, want);

    error.name = NULL;
    CHECK_EQ(pogo_cpio_format_error(&error, buf, 8), 18);
    CHECK_STR(buf, "entry 3");
}
