// Checks shared by the guest test programs. Each check prints one line,
// "FAIL: ..." when it fails, and finish() prints the totals. The tests
// compare this output with a native run of the same program on Linux.
//
// The functions are marked unused so that a program which calls only some
// of them compiles without unused-function warnings. Include this file after
// the system headers, because a program may define macros (DIR) that would
// clash with names in them.
#ifndef POGO_TESTS_GUEST_CHECK_H
#define POGO_TESTS_GUEST_CHECK_H

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

// ---- Checks: each prints one line, "FAIL: ..." when it fails. ----------

static int checks;
static int failures;

// Runs in require() before the test stops, for a test that has files to
// remove. NULL when there is nothing to clean up.
static void (*require_cleanup)(void) __attribute__((unused));

__attribute__((unused)) static const char *errno_name(int e)
{
    static const struct {
        int value;
        const char *name;
    } names[] = {
        {0, "0"},
        {EPERM, "EPERM"},
        {ENOENT, "ENOENT"},
        {EINTR, "EINTR"},
        {EIO, "EIO"},
        {ENXIO, "ENXIO"},
        {EBADF, "EBADF"},
        {EAGAIN, "EAGAIN"},
        {ENOMEM, "ENOMEM"},
        {EACCES, "EACCES"},
        {EFAULT, "EFAULT"},
        {EBUSY, "EBUSY"},
        {EEXIST, "EEXIST"},
        {EXDEV, "EXDEV"},
        {ENOTDIR, "ENOTDIR"},
        {EISDIR, "EISDIR"},
        {EINVAL, "EINVAL"},
        {EMFILE, "EMFILE"},
        {ENOTTY, "ENOTTY"},
        {EFBIG, "EFBIG"},
        {ENOSPC, "ENOSPC"},
        {ESPIPE, "ESPIPE"},
        {EPIPE, "EPIPE"},
        {EDOM, "EDOM"},
        {ERANGE, "ERANGE"},
        {ENAMETOOLONG, "ENAMETOOLONG"},
        {ENOSYS, "ENOSYS"},
        {ENOTEMPTY, "ENOTEMPTY"},
        {ELOOP, "ELOOP"},
        {ENOTSOCK, "ENOTSOCK"},
        {EDESTADDRREQ, "EDESTADDRREQ"},
        {EMSGSIZE, "EMSGSIZE"},
        {EPROTOTYPE, "EPROTOTYPE"},
        {ENOPROTOOPT, "ENOPROTOOPT"},
        {EPROTONOSUPPORT, "EPROTONOSUPPORT"},
        {ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT"},
        {EOPNOTSUPP, "EOPNOTSUPP"},
        {EAFNOSUPPORT, "EAFNOSUPPORT"},
        {EADDRINUSE, "EADDRINUSE"},
        {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
        {ECONNRESET, "ECONNRESET"},
        {EISCONN, "EISCONN"},
        {ENOTCONN, "ENOTCONN"},
        {ETIMEDOUT, "ETIMEDOUT"},
        {ECONNREFUSED, "ECONNREFUSED"},
        {EALREADY, "EALREADY"},
        {EINPROGRESS, "EINPROGRESS"},
    };
    static char other[64];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (names[i].value == e)
            return names[i].name;
    }
    snprintf(other, sizeof(other), "errno %d (%s)", e, strerror(e));
    return other;
}

__attribute__((unused)) static void report(bool ok, const char *label,
                                           const char *got, const char *want)
{
    checks++;
    if (ok) {
        printf("%s: %s\n", label, got);
        return;
    }
    failures++;
    printf("FAIL: %s: got %s, expected %s\n", label, got, want);
}

// Checks the errno of a call that returns -1 and sets errno, or 0 when it
// succeeded.
__attribute__((unused)) static void expect_errno(long ret, int want,
                                                 const char *label)
{
    int got = ret < 0 ? errno : 0;
    char got_name[64];

    snprintf(got_name, sizeof(got_name), "%s", errno_name(got));
    report(got == want, label, got_name, errno_name(want));
}

__attribute__((unused)) static void expect_long(long long got, long long want,
                                                const char *label)
{
    char g[32], w[32];

    snprintf(g, sizeof(g), "%lld", got);
    snprintf(w, sizeof(w), "%lld", want);
    report(got == want, label, g, w);
}

__attribute__((unused)) static void expect_octal(long got, long want,
                                                 const char *label)
{
    char g[32], w[32];

    snprintf(g, sizeof(g), "%04lo", got);
    snprintf(w, sizeof(w), "%04lo", want);
    report(got == want, label, g, w);
}

__attribute__((unused)) static void expect_true(bool cond, const char *label)
{
    report(cond, label, cond ? "yes" : "no", "yes");
}

__attribute__((unused)) static void
expect_str(const char *got, const char *want, const char *label)
{
    report(strcmp(got, want) == 0, label, got, want);
}

// Formats a label. The result stays valid until the next call.
static const char *label(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

__attribute__((unused)) static const char *label(const char *fmt, ...)
{
    static char buf[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return buf;
}

__attribute__((unused)) static int finish(void)
{
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}

// Reports a call that the following checks depend on and stops the test
// when it failed, because they would run on invalid fds.
__attribute__((unused)) static void require(long ret, const char *what)
{
    if (ret >= 0)
        return;
    expect_errno(ret, 0, what);
    if (require_cleanup)
        require_cleanup();
    exit(finish());
}

// ---- The test's own directory ---------------------------------------------

// Removes path and everything below it, ignoring errors.
__attribute__((unused)) static void remove_tree(const char *path)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;

        chmod(path, 0700);
        // Bounded, in case a broken readdir repeats entries.
        for (int n = 0; n < 100000 && d && (e = readdir(d)); n++) {
            char child[4096];

            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
            remove_tree(child);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

// Creates dir in the working directory (removing what an earlier run left)
// and makes it the working directory.
__attribute__((unused)) static void enter_dir(const char *dir)
{
    remove_tree(dir);
    if (mkdir(dir, 0755) != 0 || chdir(dir) != 0) {
        printf("FAIL: setting up %s: %s\n", dir, strerror(errno));
        exit(1);
    }
}

__attribute__((unused)) static void leave_dir(const char *dir)
{
    struct stat st;

    expect_errno(chdir(".."), 0, "cleanup: chdir ..");
    remove_tree(dir);
    expect_errno(lstat(dir, &st), ENOENT, "cleanup: test directory removed");
}

#endif
