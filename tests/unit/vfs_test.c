/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Path lookup (lib/vfs) on a ramfs root in the host process: ".", "..",
 * symlinks and ELOOP, name and path limits, trailing slashes, ENOTDIR,
 * mount points, open with O_CREAT through symlinks, the working
 * directory and getcwd.
 */
#include <pogo/errno.h>
#include <pogo/ramfs.h>
#include <pogo/vfs.h>

#include "fake_vfs.h"
#include "unit.h"

#define FOLLOW POGO_LOOKUP_FOLLOW

static void setup(void)
{
    if (!pogo_vfs_root()) {
        struct pogo_fs *fs = pogo_ramfs_create(0755);

        if (!fs || pogo_vfs_mount(fs, "/") != 0)
            abort();
    }
}

static void make_file(const char *path, const char *text)
{
    struct pogo_file *f;
    int err = pogo_vfs_open(NULL, path, POGO_O_CREAT | POGO_O_WRONLY, 0644, &f);

    CHECK_EQ(err, 0);
    if (err)
        return;
    CHECK_EQ(pogo_file_write_kernel(f, text, strlen(text), &f->pos),
             (long)strlen(text));
    pogo_file_put(f);
}

/* Reads the start of the file at path into buf, or returns an errno. */
static int read_file(const char *path, char *buf, size_t size)
{
    struct pogo_file *f;
    int64_t pos = 0;
    long n;
    int err = pogo_vfs_open(NULL, path, POGO_O_RDONLY, 0, &f);

    if (err)
        return err;
    n = pogo_file_read_kernel(f, buf, size - 1, &pos);
    pogo_file_put(f);
    if (n < 0)
        return n;
    buf[n] = '\0';
    return 0;
}

/* Looks path up and returns 0 or the errno; *ino gets the inode. */
static int lookup(const char *path, unsigned flags, uint64_t *ino)
{
    struct pogo_vnode *v;
    int err = pogo_vfs_lookup(NULL, path, flags, &v);

    if (err)
        return err;
    if (ino)
        *ino = v->ino;
    pogo_vnode_put(v);
    return 0;
}

static uint64_t ino_of(const char *path)
{
    uint64_t ino = 0;

    CHECK_EQ(lookup(path, FOLLOW, &ino), 0);
    return ino;
}

TEST(dot_and_dotdot_resolve_as_on_linux)
{
    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/dots", 0755), 0);
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/dots/a", 0755), 0);
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/dots/b", 0755), 0);
    CHECK_EQ(ino_of("/dots/a/../b"), ino_of("/dots/b"));
    CHECK_EQ(ino_of("/dots/./a/."), ino_of("/dots/a"));
    CHECK_EQ(ino_of("/.."), ino_of("/"));
    CHECK_EQ(ino_of("/../../dots"), ino_of("/dots"));
    CHECK_EQ(ino_of("//dots///a//"), ino_of("/dots/a"));
}

TEST(empty_path_is_enoent_unless_allowed)
{
    setup();
    CHECK_EQ(lookup("", FOLLOW, NULL), -ENOENT);
    CHECK_EQ(lookup("", FOLLOW | POGO_LOOKUP_EMPTY, NULL), 0);
}

TEST(missing_component_is_enoent)
{
    setup();
    CHECK_EQ(lookup("/no/such", FOLLOW, NULL), -ENOENT);
    CHECK_EQ(lookup("/nosuch", FOLLOW, NULL), -ENOENT);
}

TEST(file_used_as_directory_is_enotdir)
{
    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/notdir", 0755), 0);
    make_file("/notdir/f", "x");
    CHECK_EQ(lookup("/notdir/f/x", FOLLOW, NULL), -ENOTDIR);
    CHECK_EQ(lookup("/notdir/f/.", FOLLOW, NULL), -ENOTDIR);
    CHECK_EQ(lookup("/notdir/f/..", FOLLOW, NULL), -ENOTDIR);
    CHECK_EQ(lookup("/notdir/f", FOLLOW | POGO_LOOKUP_DIRECTORY, NULL),
             -ENOTDIR);
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/notdir/f/d", 0755), -ENOTDIR);
}

TEST(trailing_slash_requires_a_directory)
{
    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/slash", 0755), 0);
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/slash/d/", 0755), 0);
    make_file("/slash/f", "x");
    CHECK_EQ(pogo_vfs_symlink("d", NULL, "/slash/ld"), 0);
    CHECK_EQ(pogo_vfs_symlink("f", NULL, "/slash/lf"), 0);
    CHECK_EQ(lookup("/slash/d/", 0, NULL), 0);
    CHECK_EQ(lookup("/slash/f/", 0, NULL), -ENOTDIR);
    /* A trailing slash follows a symlink even without FOLLOW. */
    CHECK_EQ(ino_of("/slash/ld/"), ino_of("/slash/d"));
    CHECK_EQ(lookup("/slash/lf/", 0, NULL), -ENOTDIR);
}

TEST(component_over_255_bytes_is_enametoolong)
{
    char path[300] = "/";

    setup();
    memset(path + 1, 'n', 255);
    path[256] = '\0';
    make_file(path, "x");
    CHECK_EQ(lookup(path, FOLLOW, NULL), 0);
    path[256] = 'n';
    path[257] = '\0';
    CHECK_EQ(lookup(path, FOLLOW, NULL), -ENAMETOOLONG);
    CHECK_EQ(pogo_vfs_mkdir(NULL, path, 0755), -ENAMETOOLONG);
}

TEST(path_of_4096_bytes_is_enametoolong)
{
    static char path[POGO_PATH_MAX + 1];

    setup();
    /* "/./././..." of exactly 4095 bytes resolves to the root. */
    path[0] = '/';
    for (size_t i = 1; i < POGO_PATH_MAX - 1; i += 2) {
        path[i] = '.';
        path[i + 1] = '/';
    }
    path[POGO_PATH_MAX - 1] = '\0';
    CHECK_EQ(strlen(path), POGO_PATH_MAX - 1);
    CHECK_EQ(lookup(path, FOLLOW, NULL), 0);
    path[POGO_PATH_MAX - 1] = '.';
    path[POGO_PATH_MAX] = '\0';
    CHECK_EQ(lookup(path, FOLLOW, NULL), -ENAMETOOLONG);
}

TEST(symlinks_follow_relative_and_absolute_targets)
{
    char buf[32];

    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/sym", 0755), 0);
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/sym/dir", 0755), 0);
    make_file("/sym/dir/file", "data");
    CHECK_EQ(pogo_vfs_symlink("dir/file", NULL, "/sym/rel"), 0);
    CHECK_EQ(pogo_vfs_symlink("/sym/dir", NULL, "/sym/abs"), 0);
    CHECK_EQ(pogo_vfs_symlink("../dir/../../sym/dir", NULL, "/sym/dir/up"), 0);
    CHECK_EQ(read_file("/sym/rel", buf, sizeof(buf)), 0);
    CHECK_STR(buf, "data");
    CHECK_EQ(read_file("/sym/abs/file", buf, sizeof(buf)), 0);
    CHECK_STR(buf, "data");
    CHECK_EQ(ino_of("/sym/dir/up/file"), ino_of("/sym/dir/file"));
    CHECK_EQ(ino_of("/sym/abs/.."), ino_of("/sym"));
}

TEST(final_symlink_is_not_followed_without_follow)
{
    uint64_t ino = 0;

    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/nofollow", 0755), 0);
    CHECK_EQ(pogo_vfs_symlink("missing", NULL, "/nofollow/dangling"), 0);
    CHECK_EQ(lookup("/nofollow/dangling", 0, &ino), 0);
    CHECK(ino != 0);
    CHECK_EQ(lookup("/nofollow/dangling", FOLLOW, NULL), -ENOENT);
}

TEST(forty_symlinks_resolve_and_forty_one_give_eloop)
{
    char name[64], target[64];

    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/chain", 0755), 0);
    make_file("/chain/end", "x");
    /* l0 -> end, l1 -> l0, ..., l40 -> l39 */
    for (int i = 0; i <= 40; i++) {
        snprintf(name, sizeof(name), "/chain/l%d", i);
        if (i == 0)
            snprintf(target, sizeof(target), "end");
        else
            snprintf(target, sizeof(target), "l%d", i - 1);
        CHECK_EQ(pogo_vfs_symlink(target, NULL, name), 0);
    }
    CHECK_EQ(lookup("/chain/l39", FOLLOW, NULL), 0);
    CHECK_EQ(lookup("/chain/l40", FOLLOW, NULL), -ELOOP);
}

TEST(symlink_loop_gives_eloop)
{
    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/loop", 0755), 0);
    CHECK_EQ(pogo_vfs_symlink("b", NULL, "/loop/a"), 0);
    CHECK_EQ(pogo_vfs_symlink("a", NULL, "/loop/b"), 0);
    CHECK_EQ(lookup("/loop/a", FOLLOW, NULL), -ELOOP);
    CHECK_EQ(lookup("/loop/a/x", 0, NULL), -ELOOP);
    CHECK_EQ(pogo_vfs_symlink("self/x", NULL, "/loop/self"), 0);
    CHECK_EQ(lookup("/loop/self", FOLLOW, NULL), -ELOOP);
}

TEST(open_creat_through_dangling_symlink_creates_target)
{
    struct pogo_file *f;

    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/dangle", 0755), 0);
    CHECK_EQ(pogo_vfs_symlink("made", NULL, "/dangle/link"), 0);
    CHECK_EQ(pogo_vfs_open(NULL, "/dangle/link",
                           POGO_O_CREAT | POGO_O_EXCL | POGO_O_WRONLY, 0644,
                           &f),
             -EEXIST);
    CHECK_EQ(pogo_vfs_open(NULL, "/dangle/link",
                           POGO_O_CREAT | POGO_O_NOFOLLOW | POGO_O_WRONLY, 0644,
                           &f),
             -ELOOP);
    CHECK_EQ(pogo_vfs_open(NULL, "/dangle/link", POGO_O_CREAT | POGO_O_WRONLY,
                           0644, &f),
             0);
    CHECK_STR(f->path, "/dangle/made");
    pogo_file_put(f);
    CHECK_EQ(lookup("/dangle/made", 0, NULL), 0);
}

TEST(open_flags_follow_linux_rules)
{
    struct pogo_file *f = NULL;

    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/oflags", 0755), 0);
    make_file("/oflags/f", "x");
    CHECK_EQ(pogo_vfs_open(NULL, "/oflags", POGO_O_WRONLY, 0, &f), -EISDIR);
    CHECK_EQ(pogo_vfs_open(NULL, "/oflags", POGO_O_CREAT, 0644, &f), -EISDIR);
    CHECK_EQ(pogo_vfs_open(NULL, "/oflags/f/", POGO_O_CREAT, 0644, &f),
             -EISDIR);
    CHECK_EQ(pogo_vfs_open(NULL, "/oflags/new/", POGO_O_CREAT, 0644, &f),
             -EISDIR);
    CHECK_EQ(pogo_vfs_open(NULL, "/oflags/f", POGO_O_DIRECTORY, 0, &f),
             -ENOTDIR);
    CHECK_EQ(pogo_vfs_open(NULL, "/oflags/x", POGO_O_CREAT | POGO_O_DIRECTORY,
                           0644, &f),
             -EINVAL);
    CHECK_EQ(
        pogo_vfs_open(NULL, "/oflags/f", POGO_O_RDWR | POGO_O_CLOEXEC, 0, &f),
        0);
    CHECK_EQ_HEX(f->flags, POGO_O_RDWR | POGO_O_LARGEFILE);
    pogo_file_put(f);
    CHECK_EQ(pogo_vfs_open(NULL, "/oflags/f", POGO_O_PATH | POGO_O_RDWR, 0, &f),
             0);
    CHECK_EQ_HEX(f->flags, POGO_O_PATH);
    pogo_file_put(f);
}

TEST(open_trunc_empties_the_file)
{
    struct pogo_file *f;
    char buf[16];

    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/trunc", 0755), 0);
    make_file("/trunc/f", "hello");
    CHECK_EQ(
        pogo_vfs_open(NULL, "/trunc/f", POGO_O_WRONLY | POGO_O_TRUNC, 0, &f),
        0);
    CHECK_EQ(f->vnode->size, 0);
    pogo_file_put(f);
    CHECK_EQ(read_file("/trunc/f", buf, sizeof(buf)), 0);
    CHECK_STR(buf, "");
}

TEST(mounted_file_system_is_crossed_both_ways)
{
    struct pogo_fs *fs = NULL;
    struct pogo_vnode *v;

    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/mnt", 0755), 0);
    make_file("/mnt/hidden", "under");
    fs = pogo_ramfs_create(0700);
    CHECK(fs != NULL);
    CHECK_EQ(pogo_vfs_mount(fs, "/mnt"), 0);
    CHECK_EQ(lookup("/mnt/hidden", FOLLOW, NULL), -ENOENT);
    make_file("/mnt/top", "over");
    CHECK_EQ(pogo_vfs_lookup(NULL, "/mnt", FOLLOW, &v), 0);
    CHECK(v == fs->root);
    pogo_vnode_put(v);
    CHECK_EQ(ino_of("/mnt/.."), ino_of("/"));
    CHECK_EQ(pogo_vfs_rmdir(NULL, "/mnt"), -EBUSY);
    CHECK_EQ(pogo_vfs_rename(NULL, "/mnt/top", NULL, "/top", 0), -EXDEV);
    CHECK_EQ(pogo_vfs_link(NULL, "/mnt/top", NULL, "/top", 0), -EXDEV);
}

TEST(relative_paths_start_at_the_working_directory)
{
    struct pogo_vnode *v;
    char buf[64];

    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/cwd", 0755), 0);
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/cwd/sub", 0755), 0);
    make_file("/cwd/sub/f", "in sub");
    CHECK_EQ(pogo_vfs_lookup(NULL, "/cwd/sub", FOLLOW, &v), 0);
    CHECK_EQ(pogo_vfs_chdir(v, "/cwd/sub"), 0);
    pogo_vnode_put(v);
    CHECK_EQ(read_file("f", buf, sizeof(buf)), 0);
    CHECK_STR(buf, "in sub");
    CHECK_EQ(pogo_vfs_getcwd(buf, sizeof(buf)), (long)strlen("/cwd/sub") + 1);
    CHECK_STR(buf, "/cwd/sub");
    CHECK_EQ(pogo_vfs_getcwd(buf, 5), -ERANGE);

    /* getcwd follows a rename of a directory above. */
    CHECK_EQ(pogo_vfs_rename(NULL, "/cwd", NULL, "/cwd2", 0), 0);
    CHECK_EQ(pogo_vfs_getcwd(buf, sizeof(buf)), (long)strlen("/cwd2/sub") + 1);
    CHECK_STR(buf, "/cwd2/sub");

    CHECK_EQ(pogo_vfs_rmdir(NULL, "../sub"), -ENOTEMPTY);
    CHECK_EQ(pogo_vfs_unlink(NULL, "f"), 0);
    CHECK_EQ(pogo_vfs_rmdir(NULL, "/cwd2/sub"), 0);
    CHECK_EQ(pogo_vfs_getcwd(buf, sizeof(buf)), -ENOENT);
    CHECK_EQ(pogo_vfs_open(NULL, "new", POGO_O_CREAT | POGO_O_WRONLY, 0644,
                           &(struct pogo_file *){NULL}),
             -ENOENT);
    CHECK_EQ(ino_of(".."), ino_of("/cwd2"));
    CHECK_EQ(pogo_vfs_chdir(pogo_vfs_root(), "/"), 0);
}

TEST(create_rules_match_filename_create)
{
    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/creat", 0755), 0);
    make_file("/creat/f", "x");
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/", 0755), -EEXIST);
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/creat/.", 0755), -EEXIST);
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/creat/f", 0755), -EEXIST);
    CHECK_EQ(pogo_vfs_symlink("x", NULL, "/creat/new/"), -ENOENT);
    CHECK_EQ(pogo_vfs_symlink("", NULL, "/creat/new"), -ENOENT);
    CHECK_EQ(pogo_vfs_link(NULL, "/creat/f", NULL, "/creat/g/", 0), -ENOENT);
    CHECK_EQ(pogo_vfs_link(NULL, "/creat", NULL, "/creat/g", 0), -EPERM);
    CHECK_EQ(pogo_vfs_link(NULL, "/creat/f/", NULL, "/creat/g", 0), -ENOTDIR);
}

TEST(unlink_and_rmdir_errors_match_linux)
{
    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/rm", 0755), 0);
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/rm/d", 0755), 0);
    make_file("/rm/f", "x");
    CHECK_EQ(pogo_vfs_unlink(NULL, "/rm/f/"), -ENOTDIR);
    CHECK_EQ(pogo_vfs_unlink(NULL, "/rm/d"), -EISDIR);
    CHECK_EQ(pogo_vfs_unlink(NULL, "/rm/d/"), -EISDIR);
    CHECK_EQ(pogo_vfs_unlink(NULL, "/rm/."), -EISDIR);
    CHECK_EQ(pogo_vfs_unlink(NULL, "/rm/none"), -ENOENT);
    CHECK_EQ(pogo_vfs_rmdir(NULL, "/rm/d/."), -EINVAL);
    CHECK_EQ(pogo_vfs_rmdir(NULL, "/rm/d/.."), -ENOTEMPTY);
    CHECK_EQ(pogo_vfs_rmdir(NULL, "/"), -EBUSY);
    CHECK_EQ(pogo_vfs_rmdir(NULL, "/rm/f"), -ENOTDIR);
    CHECK_EQ(pogo_vfs_rmdir(NULL, "/rm"), -ENOTEMPTY);
    CHECK_EQ(pogo_vfs_rmdir(NULL, "/rm/d/"), 0);
    CHECK_EQ(pogo_vfs_unlink(NULL, "/rm/f"), 0);
    CHECK_EQ(pogo_vfs_rmdir(NULL, "/rm"), 0);
}

TEST(open_path_of_file_keeps_name)
{
    struct pogo_file *f;
    char name[64];

    setup();
    CHECK_EQ(pogo_vfs_mkdir(NULL, "/named", 0755), 0);
    make_file("/named/f", "x");
    CHECK_EQ(pogo_vfs_open(NULL, "/named/./f", POGO_O_RDONLY, 0, &f), 0);
    pogo_file_name(f, name, sizeof(name));
    CHECK_STR(name, "/named/f");
    CHECK_EQ(pogo_vfs_unlink(NULL, "/named/f"), 0);
    pogo_file_name(f, name, sizeof(name));
    CHECK_STR(name, "/named/f (deleted)");
    pogo_file_put(f);
}

/* --- The fd table and record locks ---------------------------------------- */

static struct pogo_file *new_file(void)
{
    struct pogo_file *f = NULL;

    setup();
    CHECK_EQ(pogo_vfs_open(NULL, "/", POGO_O_RDONLY, 0, &f), 0);
    return f;
}

TEST(fd_install_takes_lowest_free_fd)
{
    struct pogo_file *f = new_file();
    int a, b, c;

    pogo_file_get(f);
    a = pogo_fd_install(f, 0, false);
    pogo_file_get(f);
    b = pogo_fd_install(f, 0, true);
    pogo_file_get(f);
    c = pogo_fd_install(f, 10, false);
    CHECK_EQ(b, a + 1);
    CHECK_EQ(c, 10);
    CHECK_EQ(pogo_fd_get_cloexec(b), 1);
    CHECK_EQ(pogo_fd_close(a), 0);
    CHECK_EQ(pogo_fd_close(a), -EBADF);
    CHECK_EQ(pogo_fd_lowest_free(0), a);
    CHECK_EQ(pogo_fd_dup2(b, a, false), a);
    CHECK_EQ(pogo_fd_get_cloexec(a), 0);
    CHECK_EQ(pogo_fd_dup2(99, a, false), -EBADF);
    CHECK_EQ(pogo_fd_close(a), 0);
    CHECK_EQ(pogo_fd_close(b), 0);
    CHECK_EQ(pogo_fd_close(c), 0);
    CHECK_EQ(f->refs, 1);
    pogo_file_put(f);
}

TEST(fd_table_stops_at_the_limit)
{
    struct pogo_file *f = new_file();
    int limit = pogo_fd_limit();
    int first = pogo_fd_lowest_free(0);

    CHECK_EQ(pogo_fd_set_limit(first + 2), 0);
    pogo_file_get(f);
    CHECK_EQ(pogo_fd_install(f, 0, false), first);
    pogo_file_get(f);
    CHECK_EQ(pogo_fd_install(f, 0, false), first + 1);
    CHECK_EQ(pogo_fd_install(f, 0, false), -EMFILE);
    CHECK_EQ(pogo_fd_install(f, first + 2, false), -EINVAL);
    CHECK_EQ(pogo_fd_dup2(first, first + 2, false), -EBADF);
    CHECK_EQ(pogo_fd_set_limit(0), -EINVAL);
    CHECK_EQ(pogo_fd_set_limit(limit), 0);
    CHECK_EQ(pogo_fd_close(first), 0);
    CHECK_EQ(pogo_fd_close(first + 1), 0);
    pogo_file_put(f);
}

/* Writes the lock list of v as "type:start-end ..." into buf. */
static const char *locks_of(const struct pogo_vnode *v, char *buf, size_t size)
{
    size_t at = 0;

    buf[0] = '\0';
    for (const struct pogo_lock *l = v->locks; l; l = l->next)
        at += snprintf(buf + at, size - at, "%s%c:%lld-%lld", at ? " " : "",
                       l->type == POGO_F_RDLCK ? 'r' : 'w', (long long)l->start,
                       (long long)l->end);
    return buf;
}

TEST(record_locks_split_merge_and_release)
{
    struct pogo_vnode v = {0};
    char buf[256];

    CHECK_EQ(pogo_lock_set(&v, POGO_F_WRLCK, 0, 99), 0);
    CHECK_EQ(pogo_lock_set(&v, POGO_F_RDLCK, 10, 19), 0);
    CHECK_STR(locks_of(&v, buf, sizeof(buf)), "w:0-9 r:10-19 w:20-99");
    CHECK_EQ(pogo_lock_set(&v, POGO_F_WRLCK, 10, 19), 0);
    CHECK_STR(locks_of(&v, buf, sizeof(buf)), "w:0-99");
    CHECK_EQ(pogo_lock_set(&v, POGO_F_UNLCK, 50, POGO_OFFSET_MAX), 0);
    CHECK_STR(locks_of(&v, buf, sizeof(buf)), "w:0-49");
    CHECK_EQ(pogo_lock_set(&v, POGO_F_WRLCK, 50, POGO_OFFSET_MAX), 0);
    CHECK_STR(locks_of(&v, buf, sizeof(buf)), "w:0-9223372036854775807");
    CHECK_EQ(pogo_lock_set(&v, POGO_F_RDLCK, 200, 300), 0);
    CHECK_STR(locks_of(&v, buf, sizeof(buf)),
              "w:0-199 r:200-300 w:301-9223372036854775807");
    pogo_lock_release_all(&v);
    CHECK(v.locks == NULL);
}

TEST(close_releases_the_process_locks)
{
    struct pogo_file *f = new_file();
    int fd;

    pogo_file_get(f);
    fd = pogo_fd_install(f, 0, false);
    CHECK_EQ(pogo_lock_set(f->vnode, POGO_F_RDLCK, 0, 10), 0);
    CHECK(f->vnode->locks != NULL);
    CHECK_EQ(pogo_fd_close(fd), 0);
    CHECK(f->vnode->locks == NULL);
    pogo_file_put(f);
}
