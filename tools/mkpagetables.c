/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host tool: reads a linked Pogo image and prints, as assembly, the boot
 * page tables for it. The tables go to the .pogo_pagetables section, at
 * the address of the symbol pogo_boot_pd; the page at
 * __pogo_boot_stack_guard stays unmapped.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pogo/arch/pagetable_build.h>

#define MAX_SEGMENTS 16

struct image {
    unsigned char *data;
    size_t size;
    const char *path;
};

static void die(const struct image *img, const char *msg)
{
    fprintf(stderr, "mkpagetables: %s: %s\n", img->path, msg);
    exit(1);
}

static void read_image(struct image *img)
{
    FILE *f = fopen(img->path, "rb");
    long n;

    if (!f) {
        fprintf(stderr, "mkpagetables: %s: %s\n", img->path, strerror(errno));
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    img->data = malloc(n > 0 ? n : 1);
    if (n <= 0 || !img->data || fread(img->data, 1, n, f) != (size_t)n)
        die(img, "cannot read the file");
    img->size = n;
    fclose(f);
}

static const void *at(const struct image *img, uint64_t off, uint64_t len)
{
    if (off > img->size || len > img->size - off)
        die(img, "truncated ELF file");
    return img->data + off;
}

static uint64_t find_symbol(const struct image *img, const char *name)
{
    const Elf64_Ehdr *eh = at(img, 0, sizeof(*eh));
    const Elf64_Shdr *sh =
        at(img, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr));

    for (unsigned i = 0; i < eh->e_shnum; i++) {
        const Elf64_Shdr *strtab;
        const Elf64_Sym *syms;
        size_t n;

        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
            continue;
        strtab = &sh[sh[i].sh_link];
        syms = at(img, sh[i].sh_offset, sh[i].sh_size);
        n = sh[i].sh_size / sizeof(Elf64_Sym);
        for (size_t j = 0; j < n; j++) {
            const char *s = at(img, strtab->sh_offset + syms[j].st_name, 1);
            if (syms[j].st_name < strtab->sh_size && strcmp(s, name) == 0)
                return syms[j].st_value;
        }
    }
    fprintf(stderr, "mkpagetables: %s: symbol %s not found\n", img->path, name);
    exit(1);
}

static size_t read_segments(const struct image *img, struct pt_segment *segs)
{
    const Elf64_Ehdr *eh = at(img, 0, sizeof(*eh));
    const Elf64_Phdr *ph;
    size_t n = 0;

    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
        eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64)
        die(img, "not an x86_64 ELF file");
    ph = at(img, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr));
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
            continue;
        if (n == MAX_SEGMENTS)
            die(img, "too many PT_LOAD segments");
        segs[n].start = ph[i].p_paddr;
        segs[n].end = ph[i].p_paddr + ph[i].p_memsz;
        segs[n].write = ph[i].p_flags & PF_W;
        segs[n].exec = ph[i].p_flags & PF_X;
        if ((segs[n].write && segs[n].exec) || ph[i].p_paddr != ph[i].p_vaddr)
            die(img, "a segment is writable and executable, or not "
                     "identity mapped");
        n++;
    }
    return n;
}

static void print_tables(const uint64_t *t, size_t npages)
{
    size_t total = npages * 512;

    printf("    .section .pogo_pagetables, \"aw\"\n    .p2align 12\n");
    for (size_t i = 0; i < total;) {
        size_t run = 0;
        while (i + run < total && t[i + run] == 0)
            run++;
        if (run > 0) {
            printf("    .fill %zu, 8, 0\n", run);
            i += run;
            continue;
        }
        printf("    .quad 0x%llx\n", (unsigned long long)t[i]);
        i++;
    }
}

int main(int argc, char **argv)
{
    struct image img = {.path = argc > 1 ? argv[1] : NULL};
    struct pt_segment segs[MAX_SEGMENTS];
    uint64_t guard;
    struct pt_build_input in;
    uint64_t *tables;
    size_t npages;

    if (argc != 2) {
        fprintf(stderr, "usage: mkpagetables IMAGE.elf > pagetables.S\n");
        return 2;
    }
    read_image(&img);
    guard = find_symbol(&img, "__pogo_boot_stack_guard");
    in = (struct pt_build_input){
        .tables_addr = find_symbol(&img, "pogo_boot_pd"),
        .segments = segs,
        .nsegments = read_segments(&img, segs),
        .holes = &guard,
        .nholes = 1,
    };

    npages = pt_build(&in, NULL, 0);
    if (npages == 0)
        die(&img, "the image layout cannot be mapped by the boot tables");
    tables = calloc(npages, 4096);
    if (!tables || pt_build(&in, tables, npages) != npages)
        die(&img, "building the page tables failed");
    print_tables(tables, npages);
    return 0;
}
