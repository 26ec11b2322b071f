/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cpio "newc" reader. Each entry is a 110-byte header of ASCII hex
 * fields, the name (NUL included) padded so that the data starts on a
 * multiple of 4 bytes from the start of the archive, then the data padded
 * the same way. Every offset is checked against the buffer's size before
 * the bytes behind it are read.
 */
#include <pogo/cpio.h>
#include <pogo/errno.h>
#include <pogo/format.h>
#include <pogo/string.h>

#define HEADER_SIZE  110
#define MAGIC_SIZE   6
#define FIELD_DIGITS 8
#define TRAILER      "TRAILER!!!"

/* The header's fields after the magic, in archive order. */
enum field {
    F_INO,
    F_MODE,
    F_UID,
    F_GID,
    F_NLINK,
    F_MTIME,
    F_FILESIZE,
    F_DEVMAJOR,
    F_DEVMINOR,
    F_RDEVMAJOR,
    F_RDEVMINOR,
    F_NAMESIZE,
    F_CHECK,
    FIELDS
};

static const char *const bad_field[FIELDS] = {
    "invalid hex digit in the ino field",
    "invalid hex digit in the mode field",
    "invalid hex digit in the uid field",
    "invalid hex digit in the gid field",
    "invalid hex digit in the nlink field",
    "invalid hex digit in the mtime field",
    "invalid hex digit in the filesize field",
    "invalid hex digit in the devmajor field",
    "invalid hex digit in the devminor field",
    "invalid hex digit in the rdevmajor field",
    "invalid hex digit in the rdevminor field",
    "invalid hex digit in the namesize field",
    "invalid hex digit in the check field",
};

/* File types of the mode field: Linux's S_IF* values. */
#define MODE_TYPE    0170000
#define MODE_PERM    07777
#define MODE_SOCKET  0140000
#define MODE_SYMLINK 0120000
#define MODE_REGULAR 0100000
#define MODE_BLOCK   0060000
#define MODE_DIR     0040000
#define MODE_CHAR    0020000
#define MODE_FIFO    0010000

/* Bytes of a name that an error message shows. */
#define ERROR_NAME_MAX 64

struct archive {
    const uint8_t *base;
    size_t size;
};

/* One header, read and bounds-checked. */
struct header {
    uint32_t field[FIELDS];
    bool checksummed; /* magic 070702 */
    bool trailer;
    const char *name; /* NUL-terminated, leading "/" and "./" removed */
    const uint8_t *data;
    size_t next; /* offset of the next header, at most the archive size */
};

struct failure {
    int err;
    const char *problem;
};

/* Returns x rounded up to a multiple of 4, or limit if that is beyond it. */
static size_t align4_within(size_t x, size_t limit)
{
    size_t pad = (4 - (x & 3)) & 3;

    if (x > limit || pad > limit - x)
        return limit;
    return x + pad;
}

static bool parse_hex(const uint8_t *digits, uint32_t *out)
{
    uint32_t v = 0;

    for (int i = 0; i < FIELD_DIGITS; i++) {
        uint8_t c = digits[i];
        uint32_t d;

        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return false;
        v = v << 4 | d;
    }
    *out = v;
    return true;
}

/* Returns how many leading bytes of s are "/" or "./" prefixes. */
static size_t prefix_length(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        if (s[i] == '/')
            i++;
        else if (s[i] == '.' && i + 1 < len && s[i + 1] == '/')
            i += 2;
        else
            break;
    }
    return i;
}

/* Points error at the readable part of the name at raw (avail bytes). */
static void note_name(struct pogo_cpio_error *error, const char *raw,
                      size_t avail)
{
    size_t len = pogo_strnlen(raw, avail);
    size_t skip = prefix_length(raw, len);

    error->name = raw + skip;
    error->name_len = len - skip;
}

static int fail(struct pogo_cpio_error *error, int err, const char *problem)
{
    error->problem = problem;
    return err;
}

static int read_fields(const uint8_t *p, struct header *h,
                       struct pogo_cpio_error *error)
{
    if (pogo_memcmp(p, "070701", MAGIC_SIZE) == 0)
        h->checksummed = false;
    else if (pogo_memcmp(p, "070702", MAGIC_SIZE) == 0)
        h->checksummed = true;
    else
        return fail(error, -EINVAL, "bad magic");

    for (int i = 0; i < FIELDS; i++) {
        if (!parse_hex(p + MAGIC_SIZE + i * FIELD_DIGITS, &h->field[i]))
            return fail(error, -EINVAL, bad_field[i]);
    }
    return 0;
}

/* Reads the name that follows the header at offset. */
static int read_name(const struct archive *a, size_t offset, struct header *h,
                     struct pogo_cpio_error *error)
{
    size_t name_off = offset + HEADER_SIZE;
    size_t avail = a->size - name_off;
    size_t name_size = h->field[F_NAMESIZE];
    const char *raw = (const char *)a->base + name_off;

    note_name(error, raw, POGO_MIN(avail, name_size));
    if (name_size == 0)
        return fail(error, -EINVAL, "name size is zero");
    if (name_size > POGO_CPIO_PATH_MAX)
        return fail(error, -ENAMETOOLONG, "name too long");
    if (name_size > avail)
        return fail(error, -EINVAL, "truncated name");
    if (raw[name_size - 1] != '\0')
        return fail(error, -EINVAL, "name not terminated");
    if (pogo_strlen(raw) != name_size - 1)
        return fail(error, -EINVAL, "name contains a NUL byte");

    h->trailer = name_size == sizeof(TRAILER) &&
                 pogo_memcmp(raw, TRAILER, sizeof(TRAILER)) == 0;
    h->name = raw + prefix_length(raw, name_size - 1);
    return 0;
}

/*
 * Reads the header at offset, its name and the bounds of its data, with
 * error->number already set. The trailer's data is not checked.
 */
static int read_header(const struct archive *a, size_t offset, struct header *h,
                       struct pogo_cpio_error *error)
{
    size_t data_off, file_size;
    int err;

    error->name = NULL;
    error->name_len = 0;
    if (offset >= a->size)
        return fail(error, -EINVAL, "archive ends without a TRAILER!!! entry");
    if (a->size - offset < HEADER_SIZE)
        return fail(error, -EINVAL, "truncated header");
    err = read_fields(a->base + offset, h, error);
    if (err)
        return err;
    err = read_name(a, offset, h, error);
    if (err)
        return err;

    data_off = offset + HEADER_SIZE + h->field[F_NAMESIZE];
    data_off = align4_within(data_off, a->size);
    if (h->trailer) {
        h->data = NULL;
        h->next = data_off;
        return 0;
    }
    file_size = h->field[F_FILESIZE];
    if (file_size > a->size - data_off)
        return fail(error, -EINVAL, "truncated data");
    h->data = a->base + data_off;
    h->next = align4_within(data_off + file_size, a->size);
    return 0;
}

static bool is_root(const char *name)
{
    return name[0] == '\0' || pogo_strcmp(name, ".") == 0;
}

/* Checks each component of a name that is not the root. */
static int check_components(const char *name, struct pogo_cpio_error *error)
{
    const char *p = name;

    while (*p) {
        const char *end = pogo_strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : pogo_strlen(p);

        if (len == 2 && p[0] == '.' && p[1] == '.')
            return fail(error, -EINVAL, "name has a '..' component");
        if (len > POGO_CPIO_NAME_MAX)
            return fail(error, -ENAMETOOLONG, "name too long");
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

static struct failure check_type(uint32_t mode)
{
    switch (mode & MODE_TYPE) {
    case MODE_DIR:
    case MODE_REGULAR:
    case MODE_SYMLINK:
        return (struct failure){0, NULL};
    case MODE_CHAR:
        return (struct failure){-EOPNOTSUPP,
                                "unsupported file type: character device"};
    case MODE_BLOCK:
        return (struct failure){-EOPNOTSUPP,
                                "unsupported file type: block device"};
    case MODE_FIFO:
        return (struct failure){-EOPNOTSUPP, "unsupported file type: FIFO"};
    case MODE_SOCKET:
        return (struct failure){-EOPNOTSUPP, "unsupported file type: socket"};
    default:
        return (struct failure){-EOPNOTSUPP, "unsupported file type"};
    }
}

static int check_symlink(const struct header *h, struct pogo_cpio_error *error)
{
    size_t size = h->field[F_FILESIZE];

    if (size == 0)
        return fail(error, -EINVAL, "empty symlink target");
    if (size >= POGO_CPIO_PATH_MAX)
        return fail(error, -ENAMETOOLONG, "symlink target too long");
    for (size_t i = 0; i < size; i++) {
        if (h->data[i] == '\0')
            return fail(error, -EINVAL, "symlink target contains a NUL byte");
    }
    return 0;
}

static uint32_t sum_bytes(const uint8_t *data, size_t size)
{
    uint32_t sum = 0;

    for (size_t i = 0; i < size; i++)
        sum += data[i];
    return sum;
}

/* Checks what the bounds of a header cannot show: type, name and data. */
static int check_entry(const struct header *h, struct pogo_cpio_error *error)
{
    uint32_t mode = h->field[F_MODE];
    struct failure f;

    if (mode & ~(uint32_t)(MODE_TYPE | MODE_PERM))
        return fail(error, -EINVAL, "invalid mode");
    f = check_type(mode);
    if (f.err)
        return fail(error, f.err, f.problem);
    if (is_root(h->name)) {
        if ((mode & MODE_TYPE) != MODE_DIR)
            return fail(error, -EINVAL, "the root entry is not a directory");
    } else {
        int err = check_components(h->name, error);
        if (err)
            return err;
    }
    if ((mode & MODE_TYPE) == MODE_DIR && h->field[F_FILESIZE] != 0)
        return fail(error, -EINVAL, "directory with data");
    if ((mode & MODE_TYPE) == MODE_SYMLINK) {
        int err = check_symlink(h, error);
        if (err)
            return err;
    }
    /* GNU cpio 2.13 writes a check of 0 for symlinks, and Linux checks
     * only regular files too. */
    if (h->checksummed && (mode & MODE_TYPE) == MODE_REGULAR &&
        sum_bytes(h->data, h->field[F_FILESIZE]) != h->field[F_CHECK])
        return fail(error, -EINVAL, "checksum mismatch");
    return 0;
}

int pogo_cpio_check(const void *archive, size_t size,
                    struct pogo_cpio_error *error)
{
    struct archive a = {archive, size};
    size_t offset = 0;

    for (size_t number = 1;; number++) {
        struct header h;
        int err;

        error->number = number;
        err = read_header(&a, offset, &h, error);
        if (err)
            return err;
        if (h.trailer)
            return 0;
        err = check_entry(&h, error);
        if (err)
            return err;
        offset = h.next;
    }
}

static bool is_regular(const struct header *h)
{
    return (h->field[F_MODE] & MODE_TYPE) == MODE_REGULAR;
}

/* Tells whether a and b are names of one regular file with several. */
static bool same_file(const struct header *a, const struct header *b)
{
    return is_regular(a) && is_regular(b) && a->field[F_NLINK] > 1 &&
           b->field[F_NLINK] > 1 && a->field[F_INO] == b->field[F_INO] &&
           a->field[F_DEVMAJOR] == b->field[F_DEVMAJOR] &&
           a->field[F_DEVMINOR] == b->field[F_DEVMINOR];
}

/*
 * Finds the first entry of the file of h between offsets from and to,
 * looking for one with data when with_data is set. Only walks call it, on
 * archives that pogo_cpio_check accepted, so reading a header succeeds.
 */
static bool find_same_file(const struct archive *a, const struct header *h,
                           size_t from, size_t to, bool with_data,
                           struct header *found)
{
    struct pogo_cpio_error ignored;

    while (from < to) {
        if (read_header(a, from, found, &ignored) != 0 || found->trailer)
            return false;
        if (same_file(h, found) &&
            (!with_data || found->field[F_FILESIZE] != 0))
            return true;
        from = found->next;
    }
    return false;
}

/* Fills in a regular file's entry, which may be a hard link. */
static void describe_file(const struct archive *a, const struct header *h,
                          size_t offset, struct pogo_cpio_entry *e)
{
    struct header other;

    e->type = POGO_CPIO_FILE;
    e->data = h->data;
    e->size = h->field[F_FILESIZE];
    if (h->field[F_NLINK] < 2)
        return;
    if (find_same_file(a, h, 0, offset, false, &other)) {
        e->type = POGO_CPIO_HARDLINK;
        e->link_name = other.name;
        e->data = NULL;
        e->size = 0;
        return;
    }
    if (e->size == 0 && find_same_file(a, h, h->next, a->size, true, &other)) {
        e->data = other.data;
        e->size = other.field[F_FILESIZE];
    }
}

static void describe(const struct archive *a, const struct header *h,
                     size_t offset, struct pogo_cpio_entry *e)
{
    uint32_t mode = h->field[F_MODE];

    e->name = h->name;
    e->mode = mode & MODE_PERM;
    e->uid = h->field[F_UID];
    e->gid = h->field[F_GID];
    e->mtime = h->field[F_MTIME];
    e->link_name = NULL;
    e->data = NULL;
    e->size = 0;
    if ((mode & MODE_TYPE) == MODE_DIR) {
        e->type = POGO_CPIO_DIR;
    } else if ((mode & MODE_TYPE) == MODE_SYMLINK) {
        e->type = POGO_CPIO_SYMLINK;
        e->data = h->data;
        e->size = h->field[F_FILESIZE];
    } else {
        describe_file(a, h, offset, e);
    }
    if (e->size == 0)
        e->data = NULL;
}

int pogo_cpio_walk(const void *archive, size_t size, pogo_cpio_fn fn, void *arg,
                   struct pogo_cpio_error *error)
{
    struct archive a = {archive, size};
    size_t offset = 0;
    int err = pogo_cpio_check(archive, size, error);

    if (err)
        return err;
    for (size_t number = 1;; number++) {
        struct pogo_cpio_entry e;
        struct header h;

        error->number = number;
        if (read_header(&a, offset, &h, error) != 0 || h.trailer)
            return 0;
        if (!is_root(h.name)) {
            describe(&a, &h, offset, &e);
            e.number = number;
            err = fn(&e, arg);
            if (err)
                return err;
        }
        offset = h.next;
    }
}

int pogo_cpio_format_error(const struct pogo_cpio_error *error, char *buf,
                           size_t size)
{
    char name[ERROR_NAME_MAX + sizeof("...")];
    size_t len = POGO_MIN(error->name_len, (size_t)ERROR_NAME_MAX);

    if (!error->name) {
        return pogo_snprintf(buf, size, "entry %zu: %s", error->number,
                             error->problem);
    }
    for (size_t i = 0; i < len; i++) {
        char c = error->name[i];
        name[i] = c >= ' ' && c <= '~' ? c : '?';
    }
    if (error->name_len > ERROR_NAME_MAX) {
        pogo_memcpy(name + len, "...", 3);
        len += 3;
    }
    name[len] = '\0';
    return pogo_snprintf(buf, size, "entry %zu '%s': %s", error->number, name,
                         error->problem);
}
