/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A reader of cpio archives in the "newc" format (magic 070701, and 070702
 * whose regular files carry a checksum), as `cpio -o -H newc` writes them. It
 * reads an archive in memory, never outside its buffer, and reports each
 * directory, regular file, symlink and hard link with its metadata.
 *
 * Usage: call pogo_cpio_walk with the archive and a callback; on an error,
 * pogo_cpio_format_error turns the pogo_cpio_error into one line of text.
 */
#ifndef POGO_CPIO_H
#define POGO_CPIO_H

#include <pogo/compiler.h>

/* Bytes of a name or symlink target, with the terminating NUL. */
#define POGO_CPIO_PATH_MAX 4096
/* Bytes of one component of a name. */
#define POGO_CPIO_NAME_MAX 255

enum pogo_cpio_type {
    POGO_CPIO_DIR,
    POGO_CPIO_FILE,
    POGO_CPIO_SYMLINK,
    /* Another name of a regular file that an earlier entry created. */
    POGO_CPIO_HARDLINK,
};

/*
 * One entry of an archive. The pointers point into the archive and stay
 * valid as long as it does.
 */
struct pogo_cpio_entry {
    size_t number; /* position in the archive: the first entry is 1 */
    enum pogo_cpio_type type;
    /*
     * The path, NUL-terminated, with any leading "/" and "./" removed. It
     * is never empty, and none of its components is "..".
     */
    const char *name;
    unsigned mode; /* permission bits (07777) */
    unsigned uid;
    unsigned gid;
    int64_t mtime; /* seconds since the epoch */
    /*
     * A regular file's contents, or a symlink's target, which is not
     * NUL-terminated and contains no NUL. NULL when size is 0.
     */
    const void *data;
    size_t size;
    /* For POGO_CPIO_HARDLINK: the name of the entry that made the file. */
    const char *link_name;
};

/* The reason an archive was rejected: the entry and its problem. */
struct pogo_cpio_error {
    size_t number; /* the entry, as in pogo_cpio_entry */
    /*
     * The entry's name as far as the archive contains it, without the
     * leading "/" and "./"; not NUL-terminated. name is NULL when the
     * header that gives the name size could not be read.
     */
    const char *name;
    size_t name_len;
    const char *problem; /* such as "truncated data" */
};

/*
 * Called for each entry, in archive order. Returns 0 to go on, or a
 * negative errno to stop the walk, which then returns that value.
 */
typedef int (*pogo_cpio_fn)(const struct pogo_cpio_entry *entry, void *arg);

/*
 * Checks the whole archive of size bytes at archive. Returns 0 when every
 * entry is valid up to and including the TRAILER!!! entry, which ends the
 * archive (bytes after it are ignored). Otherwise fills *error and returns
 * -EINVAL for a malformed or truncated archive, -ENAMETOOLONG for a name,
 * name component or symlink target that is too long, or -EOPNOTSUPP for a
 * file type other than directory, regular file and symlink.
 *
 * An entry of a regular file whose nlink is more than 1 and whose ino and
 * device numbers match an earlier regular file is a hard link to it. A
 * file's contents are those of its first entry with data, since cpio
 * writes the data only once per file, with the last of its names.
 */
int pogo_cpio_check(const void *archive, size_t size,
                    struct pogo_cpio_error *error);

/*
 * Checks the archive as pogo_cpio_check does, and only if it is valid,
 * calls fn(entry, arg) for each entry. Entries of the root directory
 * ("." or "/") are skipped. Returns 0, the error of pogo_cpio_check, or
 * the first non-zero value that fn returned. Linking a file to an earlier
 * name costs a scan of the entries before it, so an archive of n hard
 * links takes O(n^2) time.
 */
int pogo_cpio_walk(const void *archive, size_t size, pogo_cpio_fn fn, void *arg,
                   struct pogo_cpio_error *error);

/*
 * Writes "entry N 'NAME': PROBLEM" (or "entry N: PROBLEM" without a name)
 * into buf, NUL-terminated and cut to size bytes. Bytes of the name that
 * are not printable ASCII are written as '?', and a long name is cut with
 * "...". Returns the length of the text, as snprintf does.
 */
int pogo_cpio_format_error(const struct pogo_cpio_error *error, char *buf,
                           size_t size);

#endif
