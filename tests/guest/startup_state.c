// The process starts as Linux starts a static binary: auxv entries,
// page size, a 16-byte random block, ids, and a working uname.
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <sys/utsname.h>
#include <elf.h>

int main(int argc, char **argv)
{
    struct utsname u;
    unsigned char *random = (unsigned char *)getauxval(AT_RANDOM);
    Elf64_Phdr *ph = (Elf64_Phdr *)getauxval(AT_PHDR);
    int has_load = 0;

    for (unsigned long i = 0; i < getauxval(AT_PHNUM); i++)
        has_load |= ph[i].p_type == PT_LOAD;
    printf("pagesz=%lu secure=%lu uid=%lu\n", getauxval(AT_PAGESZ),
           getauxval(AT_SECURE), getauxval(AT_UID));
    printf("phent=%lu has_load=%d random=%s\n", getauxval(AT_PHENT), has_load,
           random ? "present" : "missing");
    printf("entry_is_start=%d\n", getauxval(AT_ENTRY) != 0);
    printf("sysconf_pagesize=%ld\n", sysconf(_SC_PAGESIZE));
    uname(&u);
    printf("sysname=%s machine=%s\n", u.sysname, u.machine);
    printf("argv0_set=%d argc=%d\n", argv[0] && argv[0][0], argc);
    return 0;
}
