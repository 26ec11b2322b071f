/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * procfs: a fixed tree of entries (directories, generated files, links)
 * plus the dynamic directories fd and task. Vnodes are made on lookup
 * and freed with their last reference; each holds its parent, for "..".
 * A file's text is generated when it is opened.
 */
#include <pogo/alloc.h>
#include <pogo/boot.h>
#include <pogo/errno.h>
#include <pogo/format.h>
#include <pogo/init.h>
#include <pogo/log.h>
#include <pogo/sched.h>
#include <pogo/string.h>

#include "procfs_internal.h"

#define PROC_SUPER_MAGIC 0x9fa0
#define ST_NOSUID        0x0002
#define ST_NODEV         0x0004
#define ST_NOEXEC        0x0008
#define ST_VALID         0x0020
#define ST_RELATIME      0x1000

enum kind { PROC_DIR, PROC_FILE, PROC_LINK, PROC_MAGIC };
enum dynamic { DYN_NONE, DYN_FDS, DYN_TASKS };

struct entry {
    const char *name;
    enum kind kind;
    uint16_t mode;
    const struct entry *children; /* ends with a NULL name */
    enum dynamic dynamic;
    void (*show)(struct proc_text *t, int arg);
    const char *text; /* constant contents, when show is NULL */
    int (*store)(int arg, const char *buf, size_t len);
    long (*link)(int arg, char *buf, size_t size);
    int (*follow)(int arg, struct pogo_vnode **out, struct pogo_file **file);
};

struct proc_node {
    struct pogo_vnode v;
    const struct entry *entry;
    int arg;                   /* fd or thread id, 0 for the process */
    struct pogo_vnode *parent; /* a reference; NULL for the root */
};

static struct pogo_fs proc_fs;
static const struct pogo_vnode_ops proc_ops;
static const struct pogo_vnode_ops magic_ops;
static const struct pogo_file_ops file_ops;
static const struct pogo_file_ops dir_ops;
extern const char pogo_app_name[];

static struct proc_node *node_of(struct pogo_vnode *v)
{
    return pogo_container_of(v, struct proc_node, v);
}

/* --- Links --------------------------------------------------------------- */

static long copy_link(char *buf, size_t size, const char *text)
{
    size_t n = POGO_MIN(size, pogo_strlen(text));

    pogo_memcpy(buf, text, n);
    return n;
}

static long link_self(int arg, char *buf, size_t size)
{
    return copy_link(buf, size, "1");
}

static long link_thread_self(int arg, char *buf, size_t size)
{
    char text[32];

    pogo_snprintf(text, sizeof(text), "%d/task/%d", PROC_PID,
                  pogo_thread_current()->tid);
    return copy_link(buf, size, text);
}

static long link_exe(int arg, char *buf, size_t size)
{
    char text[POGO_NAME_MAX + 2];

    /* NOTE: the image has no file of its own, so this link names the
     * application but cannot be opened. */
    pogo_snprintf(text, sizeof(text), "/%s", pogo_app_name);
    return copy_link(buf, size, text);
}

static long link_root(int arg, char *buf, size_t size)
{
    return copy_link(buf, size, "/");
}

static long link_mounts(int arg, char *buf, size_t size)
{
    return copy_link(buf, size, "self/mounts");
}

static long link_cwd(int arg, char *buf, size_t size)
{
    char *path = pogo_malloc(POGO_PATH_MAX);
    long n;

    if (!path)
        return -ENOMEM;
    n = pogo_vfs_getcwd(path, POGO_PATH_MAX);
    n = n > 0 ? copy_link(buf, size, path) : n;
    pogo_free(path);
    return n;
}

static int follow_cwd(int arg, struct pogo_vnode **out, struct pogo_file **file)
{
    *out = pogo_vfs_cwd();
    *file = NULL;
    return 0;
}

static long link_fd(int fd, char *buf, size_t size)
{
    struct pogo_file *f = pogo_fd_get_raw(fd);
    char *name = pogo_malloc(POGO_PATH_MAX);
    long n = -ENOMEM;

    if (!f) {
        pogo_free(name);
        return -ENOENT;
    }
    if (name) {
        pogo_file_name(f, name, POGO_PATH_MAX);
        n = copy_link(buf, size, name);
    }
    pogo_file_put(f);
    pogo_free(name);
    return n;
}

static int follow_fd(int fd, struct pogo_vnode **out, struct pogo_file **file)
{
    struct pogo_file *f = pogo_fd_get_raw(fd);

    if (!f)
        return -ENOENT;
    pogo_vnode_get(f->vnode);
    *out = f->vnode;
    *file = f;
    return 0;
}

/* --- The tree ------------------------------------------------------------ */

#define ENTRY_DIR(n, kids, m)                                    \
    {                                                            \
        .name = n, .kind = PROC_DIR, .mode = m, .children = kids \
    }
#define ENTRY_FILE(n, fn, m)                                \
    {                                                       \
        .name = n, .kind = PROC_FILE, .mode = m, .show = fn \
    }
#define ENTRY_TEXT(n, s)                                      \
    {                                                         \
        .name = n, .kind = PROC_FILE, .mode = 0644, .text = s \
    }
#define ENTRY_LINK(n, fn)                                      \
    {                                                          \
        .name = n, .kind = PROC_LINK, .mode = 0777, .link = fn \
    }

static const struct entry task_files[] = {
    {.name = "comm",
     .kind = PROC_FILE,
     .mode = 0644,
     .show = proc_show_comm,
     .store = proc_store_comm},
    ENTRY_FILE("maps", proc_show_maps, 0444),
    ENTRY_FILE("stat", proc_show_stat, 0444),
    ENTRY_FILE("status", proc_show_status, 0444),
    {0},
};

static const struct entry task_dir = ENTRY_DIR("task-dir", task_files, 0555);

static const struct entry fd_link = {
    .name = "fd-link",
    .kind = PROC_MAGIC,
    .mode = 0700,
    .link = link_fd,
    .follow = follow_fd,
};

static const struct entry pid_files[] = {
    ENTRY_LINK("exe", link_exe),
    {.name = "cwd",
     .kind = PROC_MAGIC,
     .mode = 0777,
     .link = link_cwd,
     .follow = follow_cwd},
    ENTRY_LINK("root", link_root),
    {.name = "fd", .kind = PROC_DIR, .mode = 0500, .dynamic = DYN_FDS},
    {.name = "task", .kind = PROC_DIR, .mode = 0555, .dynamic = DYN_TASKS},
    ENTRY_FILE("maps", proc_show_maps, 0444),
    ENTRY_FILE("stat", proc_show_stat, 0444),
    ENTRY_FILE("status", proc_show_status, 0444),
    {.name = "comm",
     .kind = PROC_FILE,
     .mode = 0644,
     .show = proc_show_comm,
     .store = proc_store_comm},
    ENTRY_FILE("cmdline", proc_show_cmdline, 0444),
    ENTRY_FILE("environ", proc_show_environ, 0400),
    ENTRY_FILE("mounts", proc_show_mounts, 0444),
    {0},
};

static const struct entry sys_kernel[] = {
    ENTRY_TEXT("domainname", "(none)\n"),
    ENTRY_TEXT("hostname", POGO_PROCFS_HOSTNAME "\n"),
    ENTRY_TEXT("osrelease", POGO_PROCFS_OSRELEASE "\n"),
    ENTRY_TEXT("ostype", "Linux\n"),
    ENTRY_TEXT("version", POGO_PROCFS_VERSION "\n"),
    ENTRY_TEXT("pid_max", "32768\n"),
    ENTRY_TEXT("ngroups_max", "65536\n"),
    {0},
};

static const struct entry sys_vm[] = {
    {.name = "overcommit_memory",
     .kind = PROC_FILE,
     .mode = 0644,
     .show = proc_show_overcommit,
     .store = proc_store_overcommit},
    {0},
};

static const struct entry sys_fs[] = {
    ENTRY_TEXT("pipe-max-size", "1048576\n"),
    {0},
};

/* Linux's default listen() backlog limit, which servers such as Redis
 * compare their backlog with. */
static const struct entry sys_net_core[] = {
    ENTRY_TEXT("somaxconn", "4096\n"),
    {0},
};

static const struct entry sys_net[] = {
    ENTRY_DIR("core", sys_net_core, 0555),
    {0},
};

static const struct entry sys_dirs[] = {
    ENTRY_DIR("fs", sys_fs, 0555),
    ENTRY_DIR("kernel", sys_kernel, 0555),
    ENTRY_DIR("net", sys_net, 0555),
    ENTRY_DIR("vm", sys_vm, 0555),
    {0},
};

static const struct entry pogo_files[] = {
    ENTRY_FILE("net", proc_show_pogo_net, 0444),
    {0},
};

static const struct entry root_files[] = {
    ENTRY_LINK("self", link_self),
    ENTRY_LINK("thread-self", link_thread_self),
    ENTRY_DIR("1", pid_files, 0555),
    ENTRY_FILE("meminfo", proc_show_meminfo, 0444),
    ENTRY_FILE("cpuinfo", proc_show_cpuinfo, 0444),
    ENTRY_FILE("loadavg", proc_show_loadavg, 0444),
    ENTRY_FILE("uptime", proc_show_uptime, 0444),
    ENTRY_FILE("stat", proc_show_cpu_stat, 0444),
    ENTRY_FILE("version", proc_show_version, 0444),
    ENTRY_FILE("filesystems", proc_show_filesystems, 0444),
    ENTRY_LINK("mounts", link_mounts),
    ENTRY_DIR("sys", sys_dirs, 0555),
    ENTRY_DIR("pogo", pogo_files, 0555),
    {0},
};

static const struct entry root_entry = ENTRY_DIR("", root_files, 0555);

static uint32_t type_bits(enum kind kind)
{
    switch (kind) {
    case PROC_DIR:
        return POGO_S_IFDIR;
    case PROC_FILE:
        return POGO_S_IFREG;
    default:
        return POGO_S_IFLNK;
    }
}

/* An inode number that stays the same for one entry and arg. */
static uint64_t ino_of(const struct entry *e, int arg)
{
    return (((uint64_t)(uintptr_t)e & 0xffffff) << 22) | (arg & 0x3fffff);
}

/* The mode of an fd link shows how the file is open, as on Linux. */
static uint32_t fd_link_mode(int fd)
{
    struct pogo_file *f = pogo_fd_get_raw(fd);
    uint32_t mode = 0;

    if (!f)
        return 0;
    if (pogo_file_readable(f))
        mode |= 0500;
    if (pogo_file_writable(f))
        mode |= 0300;
    pogo_file_put(f);
    return mode;
}

static struct pogo_vnode *new_node(const struct entry *e, int arg,
                                   struct pogo_vnode *parent)
{
    struct proc_node *n = pogo_calloc(1, sizeof(*n));
    uint32_t mode = type_bits(e->kind) | e->mode;

    if (!n)
        return NULL;
    if (e == &fd_link)
        mode = POGO_S_IFLNK | fd_link_mode(arg);
    pogo_vnode_init(&n->v, &proc_fs, mode,
                    e->kind == PROC_MAGIC ? &magic_ops : &proc_ops);
    n->v.ino = ino_of(e, arg);
    if (e->kind == PROC_DIR)
        n->v.nlink = 2;
    n->entry = e;
    n->arg = arg;
    n->parent = parent;
    if (parent)
        pogo_vnode_get(parent);
    return &n->v;
}

/* --- Lookup -------------------------------------------------------------- */

/* Parses a decimal name as Linux's name_to_int: no sign, no leading 0. */
static int name_to_int(const char *name, size_t len)
{
    int value = 0;

    if (len == 0 || len > 9 || (len > 1 && name[0] == '0'))
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        value = value * 10 + (name[i] - '0');
    }
    return value;
}

struct pogo_thread *proc_thread(int tid)
{
    struct pogo_thread *t = pogo_thread_find(tid ? tid : PROC_PID);

    return t && t->is_app ? t : NULL;
}

static int lookup_dynamic(struct proc_node *dir, const char *name, size_t len,
                          struct pogo_vnode **out)
{
    int n = name_to_int(name, len);
    struct pogo_file *f;

    if (n < 0)
        return -ENOENT;
    if (dir->entry->dynamic == DYN_FDS) {
        f = pogo_fd_get_raw(n);
        if (!f)
            return -ENOENT;
        pogo_file_put(f);
        *out = new_node(&fd_link, n, &dir->v);
    } else {
        if (!proc_thread(n))
            return -ENOENT;
        *out = new_node(&task_dir, n, &dir->v);
    }
    return *out ? 0 : -ENOMEM;
}

static int proc_lookup(struct pogo_vnode *v, const char *name, size_t len,
                       struct pogo_vnode **out)
{
    struct proc_node *dir = node_of(v);
    const struct entry *e = dir->entry->children;

    if (dir->entry->dynamic)
        return lookup_dynamic(dir, name, len, out);
    for (; e && e->name; e++) {
        if (pogo_strlen(e->name) == len &&
            pogo_memcmp(e->name, name, len) == 0) {
            *out = new_node(e, dir->arg, v);
            return *out ? 0 : -ENOMEM;
        }
    }
    return -ENOENT;
}

static struct pogo_vnode *proc_parent(struct pogo_vnode *v)
{
    struct pogo_vnode *up = node_of(v)->parent ? node_of(v)->parent : v;

    pogo_vnode_get(up);
    return up;
}

static long proc_readlink(struct pogo_vnode *v, char *buf, size_t size)
{
    struct proc_node *n = node_of(v);

    return n->entry->link(n->arg, buf, size);
}

static int proc_follow(struct pogo_vnode *v, struct pogo_vnode **out,
                       struct pogo_file **file)
{
    struct proc_node *n = node_of(v);

    return n->entry->follow(n->arg, out, file);
}

/* As Linux's proc_setattr: no mode changes; sizes and times are ignored,
 * so that O_TRUNC opens (echo name > comm) work. */
static int proc_setattr(struct pogo_vnode *v, const struct pogo_attr *attr)
{
    return (attr->mask & POGO_ATTR_MODE) ? -EPERM : 0;
}

static void proc_release(struct pogo_vnode *v)
{
    struct proc_node *n = node_of(v);

    if (n->parent)
        pogo_vnode_put(n->parent);
    pogo_free(n);
}

/* --- Open files ---------------------------------------------------------- */

static void release_text(struct pogo_file *f)
{
    struct proc_text *t = f->data;

    if (t)
        pogo_free(t->buf);
    pogo_free(t);
}

static int proc_open(struct pogo_vnode *v, struct pogo_file *f)
{
    struct proc_node *n = node_of(v);
    struct proc_text *t;

    if (n->entry->kind == PROC_DIR) {
        f->ops = &dir_ops;
        return 0;
    }
    t = pogo_calloc(1, sizeof(*t));
    if (!t)
        return -ENOMEM;
    if (n->entry->show)
        n->entry->show(t, n->arg);
    else
        proc_write(t, n->entry->text, pogo_strlen(n->entry->text));
    if (t->failed) {
        pogo_free(t->buf);
        pogo_free(t);
        return -ENOMEM;
    }
    f->data = t;
    f->ops = &file_ops;
    return 0;
}

static long text_read(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    struct proc_text *t = f->data;
    size_t start = u->resid;
    size_t n;
    int err;

    if ((uint64_t)*pos >= t->len)
        return 0;
    n = POGO_MIN(u->resid, t->len - *pos);
    err = pogo_uio_copy_out(u, t->buf + *pos, n);
    n = start - u->resid;
    if (err && !n)
        return err;
    *pos += n;
    return n;
}

static long text_write(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    struct proc_node *n = node_of(f->vnode);
    char buf[POGO_THREAD_NAME_MAX];
    size_t len = u->resid;
    size_t take = POGO_MIN(len, sizeof(buf) - 1);
    int err;

    if (!n->entry->store)
        return -EIO;
    if (pogo_uio_copy_in(u, buf, take))
        return -EFAULT;
    err = n->entry->store(n->arg, buf, take);
    return err ? err : (long)len;
}

/* As Linux's seq_lseek: SEEK_SET and SEEK_CUR only. */
static int64_t proc_llseek(struct pogo_file *f, int64_t offset, int whence)
{
    int64_t pos = offset;

    if (whence == 1 && __builtin_add_overflow(f->pos, offset, &pos))
        return -EINVAL;
    if ((whence != 0 && whence != 1) || pos < 0)
        return -EINVAL;
    f->pos = pos;
    return pos;
}

static const struct pogo_file_ops file_ops = {
    .read = text_read,
    .write = text_write,
    .llseek = proc_llseek,
    .mmap = POGO_MMAP_EIO,
    .release = release_text,
};

/* --- Directories --------------------------------------------------------- */

static unsigned dtype(const struct entry *e)
{
    return e->kind == PROC_DIR    ? POGO_DT_DIR
           : e->kind == PROC_FILE ? POGO_DT_REG
                                  : POGO_DT_LNK;
}

static bool emit_number(struct pogo_dir_ctx *ctx, const struct entry *e, int n,
                        struct pogo_file *f)
{
    char name[16];
    int len = pogo_snprintf(name, sizeof(name), "%d", n);

    if (!ctx->emit(ctx, name, len, ino_of(e, n), dtype(e), n + 3))
        return false;
    f->pos = n + 3;
    return true;
}

struct tid_list {
    int tids[64];
    size_t count;
};

static void add_tid(struct pogo_thread *t, void *arg)
{
    struct tid_list *l = arg;

    if (t->is_app && l->count < POGO_ARRAY_SIZE(l->tids))
        l->tids[l->count++] = t->tid;
}

/* Lists fds or thread ids from position f->pos; each number n sits at
 * position n + 2. */
static void readdir_dynamic(struct pogo_file *f, struct pogo_dir_ctx *ctx,
                            enum dynamic kind)
{
    if (kind == DYN_FDS) {
        int size = pogo_fd_table_size();

        for (int fd = POGO_MAX(f->pos - 2, (int64_t)0); fd < size; fd++) {
            struct pogo_file *file = pogo_fd_get_raw(fd);

            if (!file)
                continue;
            pogo_file_put(file);
            if (!emit_number(ctx, &fd_link, fd, f))
                return;
        }
        return;
    }
    /* NOTE: at most 64 threads are listed. */
    struct tid_list l = {.count = 0};
    int last = (int)f->pos - 3;

    pogo_thread_for_each(add_tid, &l);
    for (;;) {
        int next = -1;

        for (size_t i = 0; i < l.count; i++) {
            if (l.tids[i] > last && (next < 0 || l.tids[i] < next))
                next = l.tids[i];
        }
        if (next < 0 || !emit_number(ctx, &task_dir, next, f))
            return;
        last = next;
    }
}

static int64_t count_entries(const struct entry *e)
{
    int64_t n = 0;

    while (e && e[n].name)
        n++;
    return n;
}

static int proc_readdir(struct pogo_file *f, struct pogo_dir_ctx *ctx)
{
    struct proc_node *n = node_of(f->vnode);
    struct pogo_vnode *up = n->parent ? n->parent : f->vnode;
    const struct entry *kids = n->entry->children;

    if (f->pos == 0) {
        if (!ctx->emit(ctx, ".", 1, f->vnode->ino, POGO_DT_DIR, 1))
            return 0;
        f->pos = 1;
    }
    if (f->pos == 1) {
        if (!ctx->emit(ctx, "..", 2, up->ino, POGO_DT_DIR, 2))
            return 0;
        f->pos = 2;
    }
    if (n->entry->dynamic) {
        readdir_dynamic(f, ctx, n->entry->dynamic);
        return 0;
    }
    for (int64_t i = f->pos - 2; i < count_entries(kids); i++) {
        const struct entry *e = &kids[i];

        if (!ctx->emit(ctx, e->name, pogo_strlen(e->name), ino_of(e, n->arg),
                       dtype(e), i + 3))
            break;
        f->pos = i + 3;
    }
    return 0;
}

static const struct pogo_file_ops dir_ops = {
    .readdir = proc_readdir,
    .llseek = proc_llseek,
};

static const struct pogo_vnode_ops proc_ops = {
    .lookup = proc_lookup,
    .parent = proc_parent,
    .readlink = proc_readlink,
    .open = proc_open,
    .setattr = proc_setattr,
    .release = proc_release,
};

/* Magic links: the same, and followed to what they name. */
static const struct pogo_vnode_ops magic_ops = {
    .readlink = proc_readlink,
    .follow = proc_follow,
    .setattr = proc_setattr,
    .release = proc_release,
};

static int proc_statfs(struct pogo_fs *fs, struct pogo_statfs *st)
{
    st->type = PROC_SUPER_MAGIC;
    st->flags = ST_VALID | ST_RELATIME | ST_NOSUID | ST_NODEV | ST_NOEXEC;
    return 0;
}

static int procfs_init(void)
{
    struct pogo_vnode *root;
    int err;

    pogo_fs_init(&proc_fs, "proc");
    proc_fs.statfs = proc_statfs;
    root = new_node(&root_entry, 0, NULL);
    if (!root)
        return -ENOMEM;
    proc_fs.root = root;
    err = pogo_vfs_mkdir(NULL, "/proc", 0555);
    if (!err || err == -EEXIST)
        err = pogo_vfs_mount(&proc_fs, "/proc");
    if (err)
        pogo_error("procfs: mounting /proc failed (error %d)\n", -err);
    return err;
}
POGO_INIT(POGO_INIT_FS_MOUNTS, "procfs", procfs_init, NULL);
