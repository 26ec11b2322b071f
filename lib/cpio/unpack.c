/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unpacks the initial file system at boot, after the file systems are up:
 * the cpio newc archive that the monitor loaded as the initrd (QEMU's
 * -initrd), or else the one linked into the image's .pogo_initrd section,
 * goes into the root file system. A malformed archive stops the boot.
 */
#include <pogo/cpio.h>
#include <pogo/errno.h>
#include <pogo/format.h>
#include <pogo/init.h>
#include <pogo/log.h>
#include <pogo/plat.h>
#include <pogo/string.h>
#include <pogo/vfs.h>

/* Runs just after the file systems (POGO_INIT_FS); a literal because the
 * level becomes part of a section name. */
#define INITRD_INIT_LEVEL 71
POGO_STATIC_ASSERT(INITRD_INIT_LEVEL == POGO_INIT_FS + 1,
                   "the initrd is unpacked right after the file systems");

extern const char __pogo_initrd_start[];
extern const char __pogo_initrd_end[];

struct unpack {
    size_t entries;
    bool reported; /* a callback printed why it failed */
};

/* A symlink's target, NUL-terminated; only the boot thread unpacks. */
static char link_target[POGO_CPIO_PATH_MAX];

static const char *error_name(int err)
{
    switch (-err) {
    case EEXIST:
        return "EEXIST";
    case ENOENT:
        return "ENOENT";
    case ENOTDIR:
        return "ENOTDIR";
    case EISDIR:
        return "EISDIR";
    case ENOSPC:
        return "ENOSPC";
    case ENOMEM:
        return "ENOMEM";
    case ENAMETOOLONG:
        return "ENAMETOOLONG";
    case EPERM:
        return "EPERM";
    case EROFS:
        return "EROFS";
    case EINVAL:
        return "EINVAL";
    default:
        return NULL;
    }
}

/* Prints one error line with the entry and the action that failed. */
static int fail_entry(struct unpack *u, const struct pogo_cpio_entry *e,
                      const char *action, int err)
{
    char problem[80];
    char line[200];
    const char *name = error_name(err);
    struct pogo_cpio_error error = {
        .number = e->number,
        .name = e->name,
        .name_len = pogo_strlen(e->name),
        .problem = problem,
    };

    if (name)
        pogo_snprintf(problem, sizeof(problem), "%s failed (%s)", action, name);
    else
        pogo_snprintf(problem, sizeof(problem), "%s failed (error %d)", action,
                      -err);
    pogo_cpio_format_error(&error, line, sizeof(line));
    pogo_error("initrd: %s\n", line);
    u->reported = true;
    return err;
}

/*
 * Gives a directory that exists already (such as one the root file system
 * starts with) the entry's mode. Returns -EEXIST when the name is not a
 * directory.
 */
static int update_directory(const struct pogo_cpio_entry *e)
{
    struct pogo_attr attr = {.mask = POGO_ATTR_MODE, .mode = e->mode};
    struct pogo_vnode *v;
    int err = pogo_vfs_lookup(NULL, e->name, 0, &v);

    if (err)
        return err;
    if (POGO_S_ISDIR(v->mode))
        err = pogo_vfs_setattr(v, &attr);
    else
        err = -EEXIST;
    pogo_vnode_put(v);
    return err;
}

static int create_entry(const struct pogo_cpio_entry *e)
{
    int err;

    switch (e->type) {
    case POGO_CPIO_DIR:
        err = pogo_vfs_mkdir_path(e->name, e->mode);
        return err == -EEXIST ? update_directory(e) : err;
    case POGO_CPIO_FILE:
        return pogo_vfs_create_file(e->name, e->mode, e->data, e->size);
    case POGO_CPIO_SYMLINK:
        pogo_memcpy(link_target, e->data, e->size);
        link_target[e->size] = '\0';
        return pogo_vfs_symlink_path(link_target, e->name);
    case POGO_CPIO_HARDLINK:
        return pogo_vfs_link(NULL, e->link_name, NULL, e->name, 0);
    }
    return -EINVAL;
}

/*
 * Creates one entry with its owner and, except for a directory (whose
 * time the entries created in it would change), its modification time.
 * A hard link shares the attributes of the file it names.
 */
static int unpack_entry(const struct pogo_cpio_entry *e, void *arg)
{
    struct unpack *u = arg;
    int err = create_entry(e);

    if (err)
        return fail_entry(u, e, "creating it", err);
    u->entries++;
    if (e->type == POGO_CPIO_HARDLINK)
        return 0;
    err = pogo_vfs_chown_path(e->name, e->uid, e->gid);
    if (err)
        return fail_entry(u, e, "setting its owner", err);
    if (e->type == POGO_CPIO_DIR)
        return 0;
    err = pogo_vfs_set_mtime(e->name, e->mtime);
    if (err)
        return fail_entry(u, e, "setting its modification time", err);
    return 0;
}

static int set_dir_mtime(const struct pogo_cpio_entry *e, void *arg)
{
    struct unpack *u = arg;
    int err;

    if (e->type != POGO_CPIO_DIR)
        return 0;
    err = pogo_vfs_set_mtime(e->name, e->mtime);
    if (err)
        return fail_entry(u, e, "setting its modification time", err);
    return 0;
}

/* The monitor's initrd wins over the archive built into the image. */
static const char *find_archive(const void **archive, size_t *size)
{
    uintptr_t addr;

    if (pogo_plat_initrd(&addr, size)) {
        *archive = (const void *)addr;
        return "the monitor's initrd";
    }
    *archive = __pogo_initrd_start;
    *size = __pogo_initrd_end - __pogo_initrd_start;
    return "the image's built-in archive";
}

static int initrd_init(void)
{
    struct unpack u = {0};
    struct pogo_cpio_error error;
    const void *archive;
    size_t size;
    const char *source = find_archive(&archive, &size);
    int err;

    if (size == 0)
        return 0;
    err = pogo_cpio_walk(archive, size, unpack_entry, &u, &error);
    if (!err)
        err = pogo_cpio_walk(archive, size, set_dir_mtime, &u, &error);
    if (err && !u.reported) {
        char line[200];

        pogo_cpio_format_error(&error, line, sizeof(line));
        pogo_error("initrd: %s\n", line);
    }
    if (err)
        return err;
    pogo_info("initrd: unpacked %zu entries (%zu bytes) from %s\n", u.entries,
              size, source);
    return 0;
}
POGO_INIT(INITRD_INIT_LEVEL, "initrd", initrd_init, NULL);
