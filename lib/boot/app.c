/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Start of the application, as Linux starts a static ELF binary: a stack
 * with argc, argv, envp and the auxiliary vector, then a jump to _start
 * with the other registers cleared.
 */
#include <pogo/arch.h>
#include <pogo/boot.h>
#include <pogo/crash.h>
#include <pogo/log.h>
#include <pogo/mm.h>
#include <pogo/random.h>
#include <pogo/sched.h>
#include <pogo/string.h>

#define MAIN_STACK_SIZE (8UL << 20) /* Linux's default RLIMIT_STACK */

#define AT_NULL        0
#define AT_PHDR        3
#define AT_PHENT       4
#define AT_PHNUM       5
#define AT_PAGESZ      6
#define AT_BASE        7
#define AT_FLAGS       8
#define AT_ENTRY       9
#define AT_UID         11
#define AT_EUID        12
#define AT_GID         13
#define AT_EGID        14
#define AT_PLATFORM    15
#define AT_HWCAP       16
#define AT_CLKTCK      17
#define AT_SECURE      23
#define AT_RANDOM      25
#define AT_HWCAP2      26
#define AT_EXECFN      31
#define AT_MINSIGSTKSZ 51

#define AUXV_MAX 22

struct elf64_header {
    unsigned char ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

extern char __pogo_image_start[];
extern char _start[];
/* The manifest's name, which the build puts in appinfo.c. */
extern const char pogo_app_name[];

POGO_NORETURN void pogo_arch_enter_app(uintptr_t entry, uintptr_t sp);

/* Copies the strings of words to *at and returns the address after them. */
static uintptr_t put_strings(uintptr_t at, char *const *words, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = pogo_strlen(words[i]) + 1;
        pogo_memcpy((void *)at, words[i], len);
        at += len;
    }
    return at;
}

/* Stores the addresses of n consecutive strings that start at at. */
static uint64_t *put_pointers(uint64_t *p, uintptr_t at, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        *p++ = at;
        at += pogo_strlen((const char *)at) + 1;
    }
    *p++ = 0;
    return p;
}

static size_t strings_size(char *const *words, size_t n)
{
    size_t size = 0;

    for (size_t i = 0; i < n; i++)
        size += pogo_strlen(words[i]) + 1;
    return size;
}

static size_t fill_auxv(uint64_t *aux, uintptr_t random, uintptr_t platform,
                        uintptr_t execfn)
{
    const struct elf64_header *eh = (const void *)__pogo_image_start;
    size_t n = 0;

#define AUX(key, value)     \
    do {                    \
        aux[n++] = (key);   \
        aux[n++] = (value); \
    } while (0)
    AUX(AT_PHDR, (uintptr_t)__pogo_image_start + eh->phoff);
    AUX(AT_PHENT, eh->phentsize);
    AUX(AT_PHNUM, eh->phnum);
    AUX(AT_PAGESZ, POGO_PAGE_SIZE);
    AUX(AT_BASE, 0);
    AUX(AT_FLAGS, 0);
    AUX(AT_ENTRY, (uintptr_t)_start);
    AUX(AT_UID, 0);
    AUX(AT_EUID, 0);
    AUX(AT_GID, 0);
    AUX(AT_EGID, 0);
    AUX(AT_SECURE, 0);
    AUX(AT_HWCAP, pogo_cpu_features.hwcap);
    AUX(AT_HWCAP2, pogo_cpu_features.hwcap2);
    AUX(AT_CLKTCK, 100);
    AUX(AT_PLATFORM, platform);
    AUX(AT_RANDOM, random);
    AUX(AT_EXECFN, execfn);
    AUX(AT_MINSIGSTKSZ, 2048);
    AUX(AT_NULL, 0);
#undef AUX
    return n;
}

/*
 * Lays out, from the top down: the strings (program name, arguments,
 * environment, platform), 16 random bytes, then auxv, envp, argv and argc
 * at a 16-byte aligned stack pointer.
 */
POGO_NORETURN void pogo_app_start(void)
{
    uintptr_t top =
        pogo_vm_map_stack(MAIN_STACK_SIZE, &pogo_thread_current()->name_ptr);
    char *const name[1] = {(char *)pogo_app_name};
    char *const platform_name[1] = {"x86_64"};
    uintptr_t strings, at, env, random, platform;
    uint64_t aux[AUXV_MAX * 2];
    size_t naux, words;
    uint64_t *p;

    if (!top) {
        pogo_error("boot: no memory for the main thread's stack\n");
        pogo_boot_exit(POGO_EXIT_BOOT_ERROR);
    }

    strings = top - strings_size(name, 1) -
              strings_size(pogo_boot_argv, pogo_boot_argc) -
              strings_size(pogo_boot_envp, pogo_boot_envc) -
              strings_size(platform_name, 1);
    at = put_strings(strings, name, 1);
    env = put_strings(at, pogo_boot_argv, pogo_boot_argc);
    at = put_strings(env, pogo_boot_envp, pogo_boot_envc);
    platform = at;
    put_strings(at, platform_name, 1);

    random = POGO_ALIGN_DOWN(strings - 16, 16);
    pogo_random_bytes((void *)random, 16);

    naux = fill_auxv(aux, random, platform, strings);
    words = 1 + (pogo_boot_argc + 2) + (pogo_boot_envc + 1) + naux;
    p = (uint64_t *)POGO_ALIGN_DOWN(random - words * 8, 16);

    uintptr_t sp = (uintptr_t)p;
    *p++ = pogo_boot_argc + 1;
    p = put_pointers(p, strings, pogo_boot_argc + 1);
    p = put_pointers(p, env, pogo_boot_envc);
    pogo_memcpy(p, aux, naux * 8);

    pogo_boot_stamp(POGO_BOOT_APP);
    pogo_arch_enter_app((uintptr_t)_start, sp);
}
