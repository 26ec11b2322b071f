/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command-line splitter against a golden table. Each line is also
 * split by /bin/sh (printf '%s\0' LINE), and sh's words must equal the
 * table too, so the table cannot drift from what sh does.
 */
#include <pogo/cmdline.h>
#include <pogo/errno.h>

#include <unistd.h>

#include "unit.h"

#define MAX_EXPECTED 8

struct golden {
    const char *line;
    const char *words[MAX_EXPECTED]; /* NULL-terminated */
};

static const struct golden table[] = {
    {"a b c", {"a", "b", "c"}},
    {"  leading and   trailing  ", {"leading", "and", "trailing"}},
    {"tab\tseparated\twords", {"tab", "separated", "words"}},
    {"'single quoted' word", {"single quoted", "word"}},
    {"\"double quoted\" word", {"double quoted", "word"}},
    {"mixed'single'\"double\"plain", {"mixedsingledoubleplain"}},
    {"back\\ slash", {"back slash"}},
    {"\\\"escaped\\\" quotes", {"\"escaped\"", "quotes"}},
    {"'it''s'", {"its"}},
    {"\"it's\"", {"it's"}},
    {"'say \"hi\"'", {"say \"hi\""}},
    {"\"a\\\\b\" \"a\\b\" 'a\\b'", {"a\\b", "a\\b", "a\\b"}},
    {"\"\\$HOME\" '$HOME'", {"$HOME", "$HOME"}},
    {"\"\" '' x", {"", "", "x"}},
    {"key=a=b", {"key=a=b"}},
    {"opt=\"with space\"", {"opt=with space"}},
    {"trailing\\", {"trailing\\"}},
    {"a\\\nb", {"ab"}},
    {"", {NULL}},
    {"   ", {NULL}},
};

static size_t count_words(const char *const *w)
{
    size_t n = 0;

    while (n < MAX_EXPECTED && w[n])
        n++;
    return n;
}

/*
 * Splits line with sh into words stored in out; returns the count. The
 * line goes through a script file, so the test's own quoting is not in
 * the way.
 */
static size_t sh_split(const char *line, char out[][128], size_t max)
{
    char script[64], cmd[96], buf[1024];
    size_t len, n = 0, start = 0;
    FILE *f;

    snprintf(script, sizeof(script), "/tmp/pogo-cmdline-test.%d", getpid());
    f = fopen(script, "w");
    if (!f)
        return 0;
    fprintf(f, "printf '%%s\\0' %s", line);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "/bin/sh %s", script);
    f = popen(cmd, "r");
    len = f ? fread(buf, 1, sizeof(buf), f) : 0;
    if (f)
        pclose(f);
    remove(script);

    for (size_t i = 0; i < len && n < max; i++) {
        if (buf[i] == '\0') {
            snprintf(out[n++], 128, "%.*s", (int)(i - start), buf + start);
            start = i + 1;
        }
    }
    return n;
}

TEST(golden_lines_split_as_the_table_says)
{
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        char buf[256];
        struct pogo_cmdline cl;
        const char *err = NULL;
        size_t pos = 0;
        size_t want = count_words(table[i].words);
        int rc = pogo_cmdline_split(table[i].line, buf, sizeof(buf), &cl, &err,
                                    &pos);

        CHECK_EQ(rc, 0);
        CHECK_EQ(cl.nkernel, want);
        for (size_t w = 0; w < want && w < cl.nkernel; w++)
            CHECK_STR(cl.kernel[w], table[i].words[w]);
    }
}

TEST(golden_table_matches_sh)
{
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        char words[MAX_EXPECTED][128];
        size_t want = count_words(table[i].words);
        size_t n = sh_split(table[i].line, words, MAX_EXPECTED);

        if (want == 0) {
            /* printf with no arguments prints the format once. */
            CHECK_EQ(n, 1);
            CHECK_STR(words[0], "");
            continue;
        }
        CHECK_EQ(n, want);
        for (size_t w = 0; w < want && w < n; w++)
            CHECK_STR(words[w], table[i].words[w]);
    }
}

TEST(separator_divides_kernel_and_app_words)
{
    char buf[256];
    struct pogo_cmdline cl;
    const char *err;
    size_t pos;

    CHECK_EQ(pogo_cmdline_split("loglevel=debug -- app 'x y' -- z", buf,
                                sizeof(buf), &cl, &err, &pos),
             0);
    CHECK(cl.has_separator);
    CHECK_EQ(cl.nkernel, 1);
    CHECK_STR(cl.kernel[0], "loglevel=debug");
    CHECK_EQ(cl.napp, 4);
    CHECK_STR(cl.app[0], "app");
    CHECK_STR(cl.app[1], "x y");
    CHECK_STR(cl.app[2], "--");
    CHECK_STR(cl.app[3], "z");
}

TEST(quoted_separator_is_an_ordinary_word)
{
    char buf[256];
    struct pogo_cmdline cl;
    const char *err;
    size_t pos;

    CHECK_EQ(pogo_cmdline_split("a '--' b", buf, sizeof(buf), &cl, &err, &pos),
             0);
    CHECK(!cl.has_separator);
    CHECK_EQ(cl.nkernel, 3);
    CHECK_STR(cl.kernel[1], "--");
}

TEST(monitor_options_after_separator_stay_kernel_options)
{
    char buf[256];
    struct pogo_cmdline cl;
    const char *err;
    size_t pos;

    CHECK_EQ(pogo_cmdline_split("-- arg virtio_mmio.device=512@0xfeb00e00:12",
                                buf, sizeof(buf), &cl, &err, &pos),
             0);
    CHECK_EQ(cl.napp, 1);
    CHECK_STR(cl.app[0], "arg");
    CHECK_EQ(cl.nkernel, 1);
    CHECK_STR(cl.kernel[0], "virtio_mmio.device=512@0xfeb00e00:12");
}

TEST(unterminated_quotes_are_rejected_with_position)
{
    char buf[256];
    struct pogo_cmdline cl;
    const char *err = NULL;
    size_t pos = 0;

    CHECK_EQ(pogo_cmdline_split("ok 'open", buf, sizeof(buf), &cl, &err, &pos),
             -EINVAL);
    CHECK_STR(err, "unterminated single quote");
    CHECK_EQ(pos, 3);
    CHECK_EQ(pogo_cmdline_split("-- \"open", buf, sizeof(buf), &cl, &err, &pos),
             -EINVAL);
    CHECK_STR(err, "unterminated double quote");
    CHECK_EQ(pos, 3);
}

TEST(too_many_words_are_rejected)
{
    static char line[POGO_CMDLINE_MAX_WORDS * 2 + 8];
    static char buf[sizeof(line)];
    struct pogo_cmdline cl;
    const char *err;
    size_t pos;
    size_t n = 0;

    for (int i = 0; i <= POGO_CMDLINE_MAX_WORDS; i++) {
        line[n++] = 'x';
        line[n++] = ' ';
    }
    line[n] = '\0';
    CHECK_EQ(pogo_cmdline_split(line, buf, sizeof(buf), &cl, &err, &pos),
             -E2BIG);
}

TEST(small_buffer_is_rejected)
{
    char buf[4];
    struct pogo_cmdline cl;
    const char *err;
    size_t pos;

    CHECK_EQ(pogo_cmdline_split("abcdef", buf, sizeof(buf), &cl, &err, &pos),
             -E2BIG);
}
