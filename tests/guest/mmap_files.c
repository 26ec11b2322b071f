// File mappings: MAP_SHARED shares the file's pages with read() and
// write() in both directions and between mappings, MAP_PRIVATE copies,
// offsets, truncation, unlinked files, and Linux's errors for files that
// cannot be mapped.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define DIR  "./t-mmap-files"
#define PAGE 4096

static int failures;

static void check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    if (!ok)
        failures++;
}

static void check_errno(void *ret, int want, const char *what)
{
    int ok = ret == MAP_FAILED && errno == want;

    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    if (!ok) {
        printf("  got %p, errno %s\n", ret, strerror(errno));
        failures++;
    }
}

static int make_file(const char *path, const char *fill, size_t size)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    char page[PAGE];

    for (size_t done = 0; done < size; done += PAGE) {
        size_t n = size - done < PAGE ? size - done : PAGE;

        memset(page, fill[(done / PAGE) % strlen(fill)], n);
        if (write(fd, page, n) != (ssize_t)n)
            return -1;
    }
    return fd;
}

static void shared_mapping_shares_pages(void)
{
    int fd = make_file(DIR "/shared", "ab", 2 * PAGE);
    char *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char buf[8];

    check(m != MAP_FAILED, "shared mapping of a file");
    check(m[0] == 'a' && m[PAGE] == 'b', "mapping shows the file's data");
    memcpy(m + 10, "through-map", 11);
    check(pread(fd, buf, 8, 10) == 8 && memcmp(buf, "through-", 8) == 0,
          "read() sees a store through the mapping");
    check(pwrite(fd, "by-write", 8, PAGE + 5) == 8 &&
              memcmp(m + PAGE + 5, "by-write", 8) == 0,
          "the mapping sees write()");

    char *m2 = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    m2[100] = 'Z';
    check(m[100] == 'Z', "two shared mappings see each other");
    check(msync(m, 2 * PAGE, MS_SYNC) == 0, "msync of a file mapping");
    munmap(m2, PAGE);
    munmap(m, 2 * PAGE);
    check(pread(fd, buf, 1, 100) == 1 && buf[0] == 'Z',
          "data stays in the file after munmap");
    close(fd);
}

static void private_mapping_copies(void)
{
    int fd = make_file(DIR "/private", "p", PAGE);
    char *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    char c;

    check(m != MAP_FAILED && m[0] == 'p', "private mapping shows the file");
    m[0] = 'q';
    check(pread(fd, &c, 1, 0) == 1 && c == 'p',
          "a store to a private mapping stays private");
    munmap(m, PAGE);

    m = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    check(m[0] == 'p', "a new private mapping reads the file again");
    munmap(m, PAGE);
    close(fd);
}

static void offsets_and_tail(void)
{
    int fd = make_file(DIR "/offset", "xyz", 3 * PAGE);
    char *m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 2 * PAGE);

    check(m != MAP_FAILED && m[0] == 'z', "offset 2 pages maps the third");
    munmap(m, PAGE);
    check(ftruncate(fd, PAGE + 10) == 0, "shrink the file");
    m = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    check(m != MAP_FAILED && m[PAGE + 9] == 'y' && m[PAGE + 10] == 0 &&
              m[2 * PAGE - 1] == 0,
          "the last page reads zeros past the end of the file");
    munmap(m, 2 * PAGE);
    check(ftruncate(fd, 4 * PAGE) == 0, "grow the file");
    m = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check(m[3 * PAGE] == 0, "a grown file maps a hole as zeros");
    m[3 * PAGE] = 'h';
    struct stat st;
    fstat(fd, &st);
    check(st.st_size == 4 * PAGE, "a store into the hole keeps the size");
    munmap(m, 4 * PAGE);
    close(fd);
}

static void unlinked_file_stays_mapped(void)
{
    int fd = make_file(DIR "/gone", "g", PAGE);
    char *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

    close(fd);
    check(unlink(DIR "/gone") == 0, "unlink a mapped file");
    check(m[0] == 'g', "its mapping still reads");
    m[1] = 'h';
    check(m[1] == 'h', "and still writes");
    munmap(m, PAGE);
}

static void maps_names_the_file(void)
{
    int fd = make_file(DIR "/named", "n", PAGE);
    char *m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
    char line[512], want[64];
    FILE *maps = fopen("/proc/self/maps", "r");
    int found = 0;

    snprintf(want, sizeof(want), "%lx-", (unsigned long)m);
    while (maps && fgets(line, sizeof(line), maps)) {
        if (strncmp(line, want, strlen(want)) == 0)
            found = strstr(line, " r--s ") && strstr(line, "/named\n");
    }
    if (maps)
        fclose(maps);
    check(found, "/proc/self/maps names the mapped file");
    munmap(m, PAGE);
    close(fd);
}

static void errors_match_linux(void)
{
    int fd = make_file(DIR "/errors", "e", PAGE);
    int ro = open(DIR "/errors", O_RDONLY);
    int wo = open(DIR "/errors", O_WRONLY);
    int dir = open(DIR, O_RDONLY);
    int pipefd[2];
    char *m;

    pipe(pipefd);
    check_errno(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, wo, 0), EACCES,
                "mapping a write-only file gives EACCES");
    check_errno(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0),
                EACCES, "a writable shared mapping of a read-only fd");
    check_errno(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, dir, 0), ENODEV,
                "mapping a directory gives ENODEV");
    check_errno(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, pipefd[0], 0), ENODEV,
                "mapping a pipe gives ENODEV");
    check_errno(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100), EINVAL,
                "an unaligned offset gives EINVAL");
    check_errno(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 999, 0), EBADF,
                "a closed fd gives EBADF");
    check_errno(mmap(NULL, 0, PROT_READ, MAP_PRIVATE, fd, 0), EINVAL,
                "length 0 gives EINVAL");
    m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 0);
    check(m != MAP_FAILED, "a read-only shared mapping of a read-only fd");
    check(mprotect(m, PAGE, PROT_READ | PROT_WRITE) == -1 && errno == EACCES,
          "it cannot be made writable");
    munmap(m, PAGE);
    m = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, ro, 0);
    check(mprotect(m, PAGE, PROT_READ | PROT_WRITE) == 0, "a private one can");
    munmap(m, PAGE);
    close(fd);
    close(ro);
    close(wo);
    close(dir);
    close(pipefd[0]);
    close(pipefd[1]);
}

static void dev_zero_maps_anonymous_memory(void)
{
    int fd = open("/dev/zero", O_RDWR);
    char *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

    check(m != MAP_FAILED && m[0] == 0, "/dev/zero maps zeros");
    m[0] = 1;
    check(m[0] == 1, "and the memory is writable");
    munmap(m, PAGE);
    close(fd);
}

int main(void)
{
    static const char *const names[] = {"shared", "private", "offset", "named",
                                        "errors"};

    if (mkdir(DIR, 0755) != 0) {
        perror("mkdir " DIR);
        return 1;
    }
    shared_mapping_shares_pages();
    private_mapping_copies();
    offsets_and_tail();
    unlinked_file_stays_mapped();
    maps_names_the_file();
    errors_match_linux();
    dev_zero_maps_anonymous_memory();
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char path[64];

        snprintf(path, sizeof(path), DIR "/%s", names[i]);
        unlink(path);
    }
    check(rmdir(DIR) == 0, "cleanup");
    return failures ? 1 : 0;
}
