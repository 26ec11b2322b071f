/* SPDX-License-Identifier: BSD-3-Clause */
/* The kernel command-line splitter (see pogo/cmdline.h). */
#include <pogo/cmdline.h>
#include <pogo/errno.h>
#include <pogo/string.h>

#define MONITOR_OPTION "virtio_mmio.device="

struct scanner {
    const char *line;
    size_t pos;
    char *buf;
    size_t size;
    size_t len;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

static bool put(struct scanner *s, char c)
{
    if (s->len >= s->size)
        return false;
    s->buf[s->len++] = c;
    return true;
}

/* Inside double quotes a backslash escapes only these, as in sh. */
static bool escapable_in_double_quotes(char c)
{
    return c == '$' || c == '`' || c == '"' || c == '\\' || c == '\n';
}

/* Scans one word starting at a non-blank character. Returns 0 or errno. */
static int scan_word(struct scanner *s, const char **error, size_t *error_pos)
{
    const char *l = s->line;

    while (l[s->pos] && !is_blank(l[s->pos])) {
        char c = l[s->pos];
        size_t open = s->pos;

        if (c == '\'') {
            s->pos++;
            while (l[s->pos] && l[s->pos] != '\'') {
                if (!put(s, l[s->pos++]))
                    return -E2BIG;
            }
            if (!l[s->pos]) {
                *error = "unterminated single quote";
                *error_pos = open;
                return -EINVAL;
            }
            s->pos++;
        } else if (c == '"') {
            s->pos++;
            while (l[s->pos] && l[s->pos] != '"') {
                char d = l[s->pos];
                if (d == '\\' && escapable_in_double_quotes(l[s->pos + 1])) {
                    s->pos++;
                    d = l[s->pos];
                    if (d == '\n') {
                        s->pos++;
                        continue;
                    }
                }
                if (!put(s, d))
                    return -E2BIG;
                s->pos++;
            }
            if (!l[s->pos]) {
                *error = "unterminated double quote";
                *error_pos = open;
                return -EINVAL;
            }
            s->pos++;
        } else if (c == '\\' && l[s->pos + 1]) {
            s->pos++;
            if (l[s->pos] != '\n' && !put(s, l[s->pos]))
                return -E2BIG;
            s->pos++;
        } else {
            if (!put(s, c))
                return -E2BIG;
            s->pos++;
        }
    }
    return put(s, '\0') ? 0 : -E2BIG;
}

static bool add(char **words, size_t *n, char *word)
{
    if (*n >= POGO_CMDLINE_MAX_WORDS)
        return false;
    words[(*n)++] = word;
    return true;
}

/* Tells whether the word between start and the scanner is a bare "--". */
static bool is_separator(const struct scanner *s, size_t start, size_t word)
{
    return s->pos - start == 2 && s->line[start] == '-' &&
           s->line[start + 1] == '-' && pogo_strcmp(s->buf + word, "--") == 0;
}

int pogo_cmdline_split(const char *line, char *buf, size_t size,
                       struct pogo_cmdline *out, const char **error,
                       size_t *error_pos)
{
    struct scanner s = {.line = line, .buf = buf, .size = size};

    out->nkernel = 0;
    out->napp = 0;
    out->has_separator = false;

    for (;;) {
        size_t start, word;
        bool ok;
        int err;

        while (is_blank(line[s.pos]))
            s.pos++;
        if (!line[s.pos])
            return 0;

        start = s.pos;
        word = s.len;
        err = scan_word(&s, error, error_pos);
        if (err)
            return err;

        if (!out->has_separator && is_separator(&s, start, word)) {
            out->has_separator = true;
            continue;
        }
        if (!out->has_separator ||
            pogo_strncmp(buf + word, MONITOR_OPTION,
                         sizeof(MONITOR_OPTION) - 1) == 0)
            ok = add(out->kernel, &out->nkernel, buf + word);
        else
            ok = add(out->app, &out->napp, buf + word);
        if (!ok)
            return -E2BIG;
    }
}
