/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A libFuzzer target for the cpio newc reader (lib/cpio/cpio.c). The first
 * input byte picks how the rest is used: as an archive of its own, or as
 * byte patches and a cut applied to a valid built-in archive, which
 * reaches the deeper checks without a seed corpus. Every entry that a walk
 * reports must lie inside the archive and keep the promises of
 * <pogo/cpio.h>; a rejected archive must give a one-line message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pogo/cpio.h>
#include <pogo/errno.h>

#define TEMPLATE_MAX 4096
#define MAX_NAMES    256

#define FUZZ_ASSERT(cond)                                                \
    do {                                                                 \
        if (!(cond)) {                                                   \
            fprintf(stderr, "cpio_fuzz: line %d: %s failed\n", __LINE__, \
                    #cond);                                              \
            abort();                                                     \
        }                                                                \
    } while (0)

struct walk_state {
    const uint8_t *archive;
    size_t size;
    size_t last_number;
    size_t calls;
    const char *names[MAX_NAMES]; /* of the entries seen so far */
    uint32_t sum;                 /* of all data bytes, so each is read */
};

static uint8_t template[TEMPLATE_MAX];
static size_t template_size;

static void put(const void *p, size_t n)
{
    FUZZ_ASSERT(template_size + n <= TEMPLATE_MAX);
    memcpy(template + template_size, p, n);
    template_size += n;
    while (template_size % 4)
        template[template_size++] = 0;
}

static void add(const char *magic, uint32_t ino, uint32_t mode, uint32_t nlink,
                const char *name, const char *data)
{
    char header[111];
    size_t size = strlen(data);
    uint32_t check = 0;

    for (size_t i = 0; i < size; i++)
        check += (uint8_t)data[i];
    snprintf(header, sizeof(header),
             "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", magic,
             ino, mode, 0, 0, nlink, 1700000000, (unsigned)size, 0, 0, 0, 0,
             (unsigned)strlen(name) + 1, check);
    memcpy(template + template_size, header, 110);
    template_size += 110;
    put(name, strlen(name) + 1);
    if (size)
        put(data, size);
}

/* A valid archive with each kind of entry and both magics. */
static void build_template(void)
{
    add("070701", 1, 0040755, 2, ".", "");
    add("070701", 2, 0040700, 2, "./dir", "");
    add("070701", 3, 0100644, 1, "dir/file", "contents of a file\n");
    add("070702", 4, 0100600, 1, "/dir/summed", "abcdef");
    add("070701", 5, 0120777, 1, "dir/link", "file");
    add("070701", 6, 0100644, 2, "dir/first", "");
    add("070701", 6, 0100644, 2, "second", "linked data");
    add("070701", 7, 0100644, 1, "empty", "");
    add("070701", 0, 0, 1, "TRAILER!!!", "");
}

static bool has_dotdot(const char *name)
{
    const char *p = name;

    for (;;) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        if (len == 2 && p[0] == '.' && p[1] == '.')
            return true;
        if (!end)
            return false;
        p = end + 1;
    }
}

static bool inside(const struct walk_state *st, const void *p, size_t n)
{
    const uint8_t *b = p;

    if (!b)
        return n == 0;
    return b >= st->archive && b <= st->archive + st->size &&
           n <= (size_t)(st->archive + st->size - b);
}

static bool seen_before(const struct walk_state *st, const char *name)
{
    for (size_t i = 0; i < st->calls && i < MAX_NAMES; i++) {
        if (st->names[i] == name || strcmp(st->names[i], name) == 0)
            return true;
    }
    return st->calls > MAX_NAMES;
}

static int check_entry(const struct pogo_cpio_entry *e, void *arg)
{
    struct walk_state *st = arg;
    size_t len;

    FUZZ_ASSERT(e->number > st->last_number);
    st->last_number = e->number;
    len = strnlen(e->name, POGO_CPIO_PATH_MAX);
    FUZZ_ASSERT(inside(st, e->name, len + 1));
    FUZZ_ASSERT(len > 0 && len < POGO_CPIO_PATH_MAX);
    FUZZ_ASSERT(e->name[0] != '/');
    FUZZ_ASSERT(strncmp(e->name, "./", 2) != 0 && strcmp(e->name, ".") != 0);
    FUZZ_ASSERT(!has_dotdot(e->name));
    FUZZ_ASSERT(e->mode <= 07777);
    FUZZ_ASSERT((e->size == 0) == (e->data == NULL));
    FUZZ_ASSERT(inside(st, e->data, e->size));
    for (size_t i = 0; i < e->size; i++)
        st->sum += ((const uint8_t *)e->data)[i];

    switch (e->type) {
    case POGO_CPIO_DIR:
        FUZZ_ASSERT(e->size == 0);
        break;
    case POGO_CPIO_FILE:
        break;
    case POGO_CPIO_SYMLINK:
        FUZZ_ASSERT(e->size > 0 && e->size < POGO_CPIO_PATH_MAX);
        FUZZ_ASSERT(memchr(e->data, '\0', e->size) == NULL);
        break;
    case POGO_CPIO_HARDLINK:
        FUZZ_ASSERT(e->link_name != NULL);
        FUZZ_ASSERT(e->size == 0);
        FUZZ_ASSERT(seen_before(st, e->link_name));
        break;
    default:
        FUZZ_ASSERT(!"unknown entry type");
    }
    if (e->type != POGO_CPIO_HARDLINK)
        FUZZ_ASSERT(e->link_name == NULL);
    if (st->calls < MAX_NAMES)
        st->names[st->calls] = e->name;
    st->calls++;
    return 0;
}

static void check_error_text(const struct pogo_cpio_error *error)
{
    char text[256];
    int n = pogo_cpio_format_error(error, text, sizeof(text));

    FUZZ_ASSERT(n > 0 && (size_t)n < sizeof(text));
    FUZZ_ASSERT(strlen(text) == (size_t)n);
    FUZZ_ASSERT(strchr(text, '\n') == NULL);
    FUZZ_ASSERT(strncmp(text, "entry ", 6) == 0);
}

static int run(const uint8_t *archive, size_t size)
{
    struct walk_state st = {archive, size};
    struct pogo_cpio_error error;
    int checked, walked;

    memset(&error, 0, sizeof(error));
    checked = pogo_cpio_check(archive, size, &error);
    FUZZ_ASSERT(checked == 0 || checked == -EINVAL ||
                checked == -ENAMETOOLONG || checked == -EOPNOTSUPP);
    if (checked) {
        FUZZ_ASSERT(error.number >= 1 && error.problem != NULL);
        FUZZ_ASSERT(error.name == NULL ||
                    inside(&st, error.name, error.name_len));
        check_error_text(&error);
    }
    walked = pogo_cpio_walk(archive, size, check_entry, &st, &error);
    FUZZ_ASSERT(walked == checked);
    FUZZ_ASSERT(checked == 0 || st.calls == 0);
    return checked;
}

/* Applies (offset, byte) patches from the input to the template, then
 * cuts it to the length that the first two bytes give. */
static void run_patched(const uint8_t *data, size_t size)
{
    uint8_t *copy;
    size_t cut = template_size;

    if (size >= 2)
        cut = (data[0] | (size_t)data[1] << 8) % (template_size + 1);
    copy = malloc(template_size);
    memcpy(copy, template, template_size);
    for (size_t i = 2; i + 2 < size; i += 3) {
        size_t off = (data[i] | (size_t)data[i + 1] << 8) % template_size;
        copy[off] = data[i + 2];
    }
    /* A heap block of the cut size, so that any read past it is caught. */
    uint8_t *archive = malloc(cut ? cut : 1);
    memcpy(archive, copy, cut);
    run(archive, cut);
    free(archive);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!template_size) {
        build_template();
        FUZZ_ASSERT(run(template, template_size) == 0);
    }
    if (size == 0)
        return 0;
    if (data[0] & 1)
        run_patched(data + 1, size - 1);
    else
        run(data + 1, size - 1);
    return 0;
}
