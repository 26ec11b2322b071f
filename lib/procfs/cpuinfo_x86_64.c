/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /proc/cpuinfo on x86_64: one processor, described from CPUID (vendor,
 * family, model, name, cache, address sizes and the feature flags that
 * Linux prints, in its order) and the TSC frequency.
 */
#include <pogo/arch/cpu.h>
#include <pogo/string.h>
#include <pogo/time.h>

#include "procfs_internal.h"

/* Flag names of one CPUID register, bit by bit; NULL for bits Linux does
 * not print. */
struct flag_word {
    uint32_t leaf;
    int reg; /* 0 eax, 1 ebx, 2 ecx, 3 edx */
    const char *const names[32];
};

static const struct flag_word flag_words[] = {
    {1, 3, {"fpu",  "vme",   "de",   "pse",     "tsc",  "msr", "pae",  "mce",
            "cx8",  "apic",  NULL,   "sep",     "mtrr", "pge", "mca",  "cmov",
            "pat",  "pse36", "pn",   "clflush", NULL,   "dts", "acpi", "mmx",
            "fxsr", "sse",   "sse2", "ss",      "ht",   "tm",  "ia64", "pbe"}},
    {0x80000001,
     3,
     {[11] = "syscall",
      [19] = "mp",
      [20] = "nx",
      [22] = "mmxext",
      [25] = "fxsr_opt",
      [26] = "pdpe1gb",
      [27] = "rdtscp",
      [29] = "lm",
      [30] = "3dnowext",
      [31] = "3dnow"}},
    {1, 2, {"pni",    "pclmulqdq", "dtes64", "monitor", "ds_cpl",
            "vmx",    "smx",       "est",    "tm2",     "ssse3",
            "cid",    "sdbg",      "fma",    "cx16",    "xtpr",
            "pdcm",   NULL,        "pcid",   "dca",     "sse4_1",
            "sse4_2", "x2apic",    "movbe",  "popcnt",  "tsc_deadline_timer",
            "aes",    "xsave",     NULL,     "avx",     "f16c",
            "rdrand", "hypervisor"}},
    {0x80000001, 2, {"lahf_lm",    "cmp_legacy",  "svm",
                     "extapic",    "cr8_legacy",  "abm",
                     "sse4a",      "misalignsse", "3dnowprefetch",
                     "osvw",       "ibs",         "xop",
                     "skinit",     "wdt",         NULL,
                     "lwp",        "fma4",        "tce",
                     NULL,         "nodeid_msr",  NULL,
                     "tbm",        "topoext",     "perfctr_core",
                     "perfctr_nb", NULL,          "bpext",
                     "ptsc",       "perfctr_llc", "mwaitx"}},
    {7, 1, {"fsgsbase", "tsc_adjust", "sgx",      "bmi1",       "hle",
            "avx2",     NULL,         "smep",     "bmi2",       "erms",
            "invpcid",  "rtm",        "cqm",      NULL,         "mpx",
            "rdt_a",    "avx512f",    "avx512dq", "rdseed",     "adx",
            "smap",     "avx512ifma", NULL,       "clflushopt", "clwb",
            "intel_pt", "avx512pf",   "avx512er", "avx512cd",   "sha_ni",
            "avx512bw", "avx512vl"}},
    {7,
     2,
     {[1] = "avx512vbmi",
      [2] = "umip",
      [3] = "pku",
      [4] = "ospke",
      [5] = "waitpkg",
      [6] = "avx512_vbmi2",
      [8] = "gfni",
      [9] = "vaes",
      [10] = "vpclmulqdq",
      [11] = "avx512_vnni",
      [12] = "avx512_bitalg",
      [14] = "avx512_vpopcntdq",
      [16] = "la57",
      [22] = "rdpid",
      [25] = "cldemote",
      [27] = "movdiri",
      [28] = "movdir64b"}},
    {7,
     3,
     {[4] = "fsrm",
      [8] = "avx512_vp2intersect",
      [10] = "md_clear",
      [14] = "serialize",
      [16] = "tsxldtrk",
      [22] = "amx_bf16",
      [23] = "avx512_fp16",
      [24] = "amx_tile",
      [25] = "amx_int8",
      [26] = "flush_l1d",
      [29] = "arch_capabilities"}},
};

static uint32_t max_leaf(uint32_t base)
{
    uint32_t r[4];

    x86_cpuid(base, 0, r);
    return r[0];
}

static void show_flags(struct proc_text *t)
{
    uint32_t basic = max_leaf(0), extended = max_leaf(0x80000000);

    proc_printf(t, "flags\t\t:");
    for (size_t w = 0; w < POGO_ARRAY_SIZE(flag_words); w++) {
        const struct flag_word *fw = &flag_words[w];
        uint32_t r[4];

        if (fw->leaf >= 0x80000000 ? fw->leaf > extended : fw->leaf > basic)
            continue;
        x86_cpuid(fw->leaf, 0, r);
        for (int bit = 0; bit < 32; bit++) {
            if ((r[fw->reg] >> bit & 1) && fw->names[bit])
                proc_printf(t, " %s", fw->names[bit]);
        }
    }
    proc_printf(t, "\n");
}

/* The brand string of leaves 0x80000002-4, without its padding. */
static void model_name(char *name, size_t size)
{
    uint32_t r[12] = {0};
    char *start = (char *)r;

    if (max_leaf(0x80000000) < 0x80000004) {
        pogo_strlcpy(name, "unknown", size);
        return;
    }
    for (int i = 0; i < 3; i++)
        x86_cpuid(0x80000002 + i, 0, &r[4 * i]);
    ((char *)r)[47] = '\0';
    while (*start == ' ')
        start++;
    pogo_strlcpy(name, start, size);
}

void proc_show_cpuinfo(struct proc_text *t, int arg)
{
    uint32_t r[4], family, model;
    char vendor[13], name[49];
    uint64_t khz = pogo_arch_tsc_hz() / 1000;
    unsigned cache_kb = 0, phys_bits = 36, virt_bits = 48;

    x86_cpuid(0, 0, r);
    pogo_memcpy(vendor, &r[1], 4);
    pogo_memcpy(vendor + 4, &r[3], 4);
    pogo_memcpy(vendor + 8, &r[2], 4);
    vendor[12] = '\0';
    x86_cpuid(1, 0, r);
    family = (r[0] >> 8) & 0xf;
    model = (r[0] >> 4) & 0xf;
    if (family == 0xf)
        family += (r[0] >> 20) & 0xff;
    if (family >= 6)
        model |= ((r[0] >> 16) & 0xf) << 4;
    if (max_leaf(0x80000000) >= 0x80000006) {
        uint32_t c[4];

        x86_cpuid(0x80000006, 0, c);
        cache_kb = c[2] >> 16;
    }
    if (max_leaf(0x80000000) >= 0x80000008) {
        uint32_t a[4];

        x86_cpuid(0x80000008, 0, a);
        phys_bits = a[0] & 0xff;
        virt_bits = (a[0] >> 8) & 0xff;
    }
    model_name(name, sizeof(name));

    proc_printf(t,
                "processor\t: 0\nvendor_id\t: %s\ncpu family\t: %u\n"
                "model\t\t: %u\nmodel name\t: %s\nstepping\t: %u\n",
                vendor, family, model, name, r[0] & 0xf);
    proc_printf(t, "cpu MHz\t\t: %lu.%03lu\ncache size\t: %u KB\n",
                (unsigned long)(khz / 1000), (unsigned long)(khz % 1000),
                cache_kb);
    proc_printf(t,
                "physical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\n"
                "cpu cores\t: 1\napicid\t\t: 0\ninitial apicid\t: 0\n"
                "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %u\n"
                "wp\t\t: yes\n",
                max_leaf(0));
    show_flags(t);
    proc_printf(t,
                "bugs\t\t:\nbogomips\t: %lu.%02lu\nclflush size\t: 64\n"
                "cache_alignment\t: 64\n",
                (unsigned long)(khz * 2 / 1000),
                (unsigned long)(khz * 2 % 1000 / 10));
    proc_printf(t,
                "address sizes\t: %u bits physical, %u bits virtual\n"
                "power management:\n\n",
                phys_bits, virt_bits);
}
