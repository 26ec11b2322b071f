/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The boot sequence in C: CPU and platform set-up, the command line, the
 * kernel options, the init table, then the application. Also the end of
 * the image, which runs the shutdown functions in reverse order.
 */
#include <pogo/arch.h>
#include <pogo/arch/percpu.h>
#include <pogo/boot.h>
#include <pogo/cmdline.h>
#include <pogo/crash.h>
#include <pogo/errno.h>
#include <pogo/init.h>
#include <pogo/log.h>
#include <pogo/pagetable.h>
#include <pogo/param.h>
#include <pogo/plat.h>
#include <pogo/sched.h>
#include <pogo/string.h>

#define CMDLINE_BUF 4096
#define ENV_PREFIX  "env."

extern const struct pogo_init_entry __pogo_init_start[];
extern const struct pogo_init_entry __pogo_init_end[];
extern char pogo_boot_stack_top[];
extern char pogo_boot_stack_bottom[];

void pogo_arch_early_init(void);

char **pogo_boot_argv;
size_t pogo_boot_argc;
char **pogo_boot_envp;
size_t pogo_boot_envc;

static char cmdline_words[CMDLINE_BUF];
static struct pogo_cmdline cmdline;
static char *envp[POGO_CMDLINE_MAX_WORDS];
static size_t initialized; /* entries of the init table that succeeded */

static POGO_NORETURN void boot_fail(void)
{
    pogo_boot_exit(POGO_EXIT_BOOT_ERROR);
}

static void split_cmdline(void)
{
    const char *line = pogo_plat_cmdline();
    const char *error = "";
    size_t pos = 0;
    int err = pogo_cmdline_split(line, cmdline_words, sizeof(cmdline_words),
                                 &cmdline, &error, &pos);

    if (err == -EINVAL) {
        pogo_error("boot: invalid command line: %s at byte %zu\n", error, pos);
        boot_fail();
    }
    if (err) {
        pogo_error("boot: the command line has more than %d words\n",
                   POGO_CMDLINE_MAX_WORDS);
        boot_fail();
    }
}

/* Applies the kernel options; env.NAME=VALUE sets an environment variable. */
static void apply_options(void)
{
    for (size_t i = 0; i < cmdline.nkernel; i++) {
        char *opt = cmdline.kernel[i];
        int err;

        if (pogo_strncmp(opt, ENV_PREFIX, sizeof(ENV_PREFIX) - 1) == 0) {
            char *var = opt + sizeof(ENV_PREFIX) - 1;
            char *eq = pogo_strchr(var, '=');
            if (!eq || eq == var)
                pogo_warn("boot: ignoring invalid option '%s': expected "
                          "env.NAME=VALUE\n",
                          opt);
            else
                envp[pogo_boot_envc++] = var;
            continue;
        }
        err = pogo_param_apply(opt);
        if (err == -ENOENT)
            pogo_warn("boot: ignoring unknown kernel option '%s'\n", opt);
        else if (err)
            boot_fail();
    }
    pogo_boot_argv = cmdline.app;
    pogo_boot_argc = cmdline.napp;
    pogo_boot_envp = envp;
}

static void run_init_table(void)
{
    size_t n = __pogo_init_end - __pogo_init_start;

    for (size_t i = 0; i < n; i++) {
        const struct pogo_init_entry *e = &__pogo_init_start[i];
        int err = e->init();
        if (err) {
            pogo_error("boot: %s failed to start (error %d)\n", e->name, -err);
            boot_fail();
        }
        initialized = i + 1;
    }
}

POGO_NORETURN void pogo_boot_exit(int status)
{
    pogo_sched_stop_app_threads();
    for (size_t i = initialized; i > 0; i--) {
        const struct pogo_init_entry *e = &__pogo_init_start[i - 1];
        if (e->shutdown)
            e->shutdown();
    }
    pogo_plat_exit(status);
}

POGO_NORETURN void pogo_boot_main(uintptr_t boot_info)
{
    pogo_boot_stamp(POGO_BOOT_C);
    pogo_percpu.kstack_top = (uintptr_t)pogo_boot_stack_top;
    pogo_percpu.kstack_bottom = (uintptr_t)pogo_boot_stack_bottom;
    pogo_arch_early_init();
    pogo_boot_stamp(POGO_BOOT_ARCH);

    if (pogo_plat_early_init(boot_info) != 0)
        boot_fail();
    pogo_arch_unmap_null_page();
    pogo_boot_stamp(POGO_BOOT_PLAT);

    split_cmdline();
    apply_options();
    pogo_debug("boot: command line '%s'\n", pogo_plat_cmdline());
    run_init_table();
    pogo_boot_stamp(POGO_BOOT_LIBS);
    pogo_app_start();
}
