/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PVH start info: the command line, the memory map, the modules (the
 * first is the initrd) and the RSDP, as the monitor passes them in
 * struct hvm_start_info (Xen's public header arch-x86/hvm/start_info.h).
 */
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/plat.h>
#include <pogo/string.h>

#define HVM_START_MAGIC 0x336ec578

struct hvm_start_info {
    uint32_t magic;
    uint32_t version;
    uint32_t flags;
    uint32_t nr_modules;
    uint64_t modlist_paddr;
    uint64_t cmdline_paddr;
    uint64_t rsdp_paddr;
    uint64_t memmap_paddr; /* version 1 and later */
    uint32_t memmap_entries;
    uint32_t reserved;
};

struct hvm_modlist_entry {
    uint64_t paddr;
    uint64_t size;
    uint64_t cmdline_paddr;
    uint64_t reserved;
};

struct hvm_memmap_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
    uint32_t reserved;
};

#define CMDLINE_MAX 4096

static char cmdline[CMDLINE_MAX];
static struct pogo_mem_region memmap[POGO_MEMMAP_MAX];
static size_t memmap_count;
static uintptr_t initrd_addr;
static size_t initrd_size;
static uintptr_t rsdp;

void pogo_serial_init(void);
void pogo_pic_disable(void);

static int read_cmdline(const struct hvm_start_info *si)
{
    const char *src = (const char *)(uintptr_t)si->cmdline_paddr;
    size_t len;

    if (!si->cmdline_paddr)
        return 0;
    len = pogo_strnlen(src, CMDLINE_MAX);
    if (len == CMDLINE_MAX) {
        pogo_error("boot: the command line is longer than %d bytes\n",
                   CMDLINE_MAX - 1);
        return -E2BIG;
    }
    pogo_memcpy(cmdline, src, len + 1);
    return 0;
}

static int read_memmap(const struct hvm_start_info *si)
{
    const struct hvm_memmap_entry *e =
        (const struct hvm_memmap_entry *)(uintptr_t)si->memmap_paddr;
    struct pogo_mem_region raw[POGO_MEMMAP_MAX];
    size_t n = si->memmap_entries;

    if (si->version < 1 || !si->memmap_paddr || n == 0) {
        pogo_error("boot: the monitor passed no memory map (PVH start info "
                   "version %u)\n",
                   si->version);
        return -EINVAL;
    }
    if (n > POGO_MEMMAP_MAX) {
        pogo_warn("boot: using the first %d of %zu memory map entries\n",
                  POGO_MEMMAP_MAX, n);
        n = POGO_MEMMAP_MAX;
    }
    for (size_t i = 0; i < n; i++) {
        raw[i].start = e[i].addr;
        raw[i].end = e[i].addr + e[i].size;
        raw[i].type = e[i].type;
        if (raw[i].end < raw[i].start)
            raw[i].end = UINT64_MAX;
    }
    memmap_count = pogo_memmap_normalize(raw, n, memmap, POGO_MEMMAP_MAX);
    if (memmap_count > POGO_MEMMAP_MAX)
        memmap_count = POGO_MEMMAP_MAX;
    return 0;
}

static void read_modules(const struct hvm_start_info *si)
{
    const struct hvm_modlist_entry *m =
        (const struct hvm_modlist_entry *)(uintptr_t)si->modlist_paddr;

    if (si->nr_modules == 0 || !si->modlist_paddr)
        return;
    initrd_addr = m[0].paddr;
    initrd_size = m[0].size;
}

int pogo_plat_early_init(uintptr_t boot_info)
{
    const struct hvm_start_info *si = (const void *)boot_info;
    int err;

    pogo_serial_init();
    pogo_pic_disable();
    if (!boot_info || si->magic != HVM_START_MAGIC) {
        pogo_error("boot: no PVH start info (magic %#x); boot Pogo with a "
                   "PVH loader such as qemu -kernel\n",
                   boot_info ? si->magic : 0);
        return -EINVAL;
    }
    err = read_cmdline(si);
    if (err)
        return err;
    err = read_memmap(si);
    if (err)
        return err;
    read_modules(si);
    rsdp = si->rsdp_paddr;
    return 0;
}

const char *pogo_plat_cmdline(void)
{
    return cmdline;
}

size_t pogo_plat_memmap(const struct pogo_mem_region **map)
{
    *map = memmap;
    return memmap_count;
}

bool pogo_plat_initrd(uintptr_t *addr, size_t *size)
{
    if (!initrd_size)
        return false;
    *addr = initrd_addr;
    *size = initrd_size;
    return true;
}

uintptr_t pogo_plat_rsdp(void)
{
    return rsdp;
}
