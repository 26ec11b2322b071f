// Small, huge and growing malloc blocks keep their contents, up to 256 MiB.
// test: mem=512M
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCKS 200000
#define PAGE   4096
#define MIB    (1024 * 1024)

static int failures;

static void expect_value(long long got, long long want, const char *label)
{
    if (got == want) {
        printf("%s: %lld\n", label, got);
    } else {
        printf("FAIL: %s: got %lld, expected %lld\n", label, got, want);
        failures++;
    }
}

static void check(int cond, const char *label)
{
    if (cond) {
        printf("%s: ok\n", label);
    } else {
        printf("FAIL: %s\n", label);
        failures++;
    }
}

static uint64_t prng_state = 0x9e3779b97f4a7c15;

// Returns the next xorshift64* value, so every run allocates the same sizes.
static uint64_t next_random(void)
{
    prng_state ^= prng_state >> 12;
    prng_state ^= prng_state << 25;
    prng_state ^= prng_state >> 27;
    return prng_state * 0x2545f4914f6cdd1d;
}

// Returns a size from 8 to 4096 bytes. Small sizes are the most common, so
// 200,000 blocks take about 80 MiB.
static size_t random_size(void)
{
    unsigned shift = next_random() % 10;

    return 8 + next_random() % ((8u << shift) - 7);
}

static unsigned char *blocks[BLOCKS];
static size_t sizes[BLOCKS];

// Stores the block's index in its first 8 bytes and a byte derived from
// the index in the rest.
static void fill_block(size_t i)
{
    uint64_t tag = i;

    memcpy(blocks[i], &tag, sizeof(tag));
    memset(blocks[i] + 8, (unsigned char)(i * 131 + 7), sizes[i] - 8);
}

static int block_intact(size_t i)
{
    unsigned char byte = (unsigned char)(i * 131 + 7);
    uint64_t tag;

    memcpy(&tag, blocks[i], sizeof(tag));
    if (tag != i)
        return 0;
    for (size_t j = 8; j < sizes[i]; j++) {
        if (blocks[i][j] != byte)
            return 0;
    }
    return 1;
}

// Allocates and fills the blocks with index i % step == first and returns
// the bytes requested, or -1 when malloc fails.
static long long allocate_blocks(size_t first, size_t step)
{
    long long total = 0;

    for (size_t i = first; i < BLOCKS; i += step) {
        sizes[i] = random_size();
        blocks[i] = malloc(sizes[i]);
        if (!blocks[i])
            return -1;
        fill_block(i);
        total += sizes[i];
    }
    return total;
}

static long count_intact(size_t first, size_t step)
{
    long intact = 0;

    for (size_t i = first; i < BLOCKS; i += step)
        intact += block_intact(i);
    return intact;
}

static void check_small_blocks(void)
{
    long long total = allocate_blocks(0, 1);

    printf("small blocks bytes requested: %lld\n", total);
    expect_value(count_intact(0, 1), BLOCKS, "small blocks intact");

    for (size_t i = 1; i < BLOCKS; i += 2) {
        free(blocks[i]);
        blocks[i] = NULL;
    }
    expect_value(count_intact(0, 2), BLOCKS / 2,
                 "kept blocks intact after freeing every other");

    total = allocate_blocks(1, 2);
    printf("refilled blocks bytes requested: %lld\n", total);
    expect_value(count_intact(0, 1), BLOCKS, "all blocks intact after refill");

    for (size_t i = 0; i < BLOCKS; i++)
        free(blocks[i]);
}

// Writes one word per page, then reads them all back.
static int touch_pages(uint64_t *p, size_t bytes, uint64_t salt)
{
    size_t step = PAGE / sizeof(*p);
    size_t words = bytes / sizeof(*p);

    for (size_t i = 0; i < words; i += step)
        p[i] = i ^ salt;
    p[words - 1] = salt;
    for (size_t i = 0; i < words; i += step) {
        if (p[i] != (i ^ salt))
            return 0;
    }
    return p[words - 1] == salt;
}

static void check_large_blocks(void)
{
    uint64_t *mid = malloc(64 * MIB);
    uint64_t *big = malloc(128 * MIB);
    uint64_t *zeroed;
    size_t nonzero = 0;

    check(mid != NULL, "malloc 64 MiB");
    check(big != NULL, "malloc 128 MiB");
    if (mid)
        check(touch_pages(mid, 64 * MIB, 0x64), "64 MiB pages hold values");
    if (big)
        check(touch_pages(big, 128 * MIB, 0x128), "128 MiB pages hold values");
    if (mid)
        check(touch_pages(mid, 64 * MIB, 0x64), "64 MiB kept beside 128 MiB");
    free(mid);
    free(big);

    zeroed = calloc(32 * MIB / sizeof(uint64_t), sizeof(uint64_t));
    check(zeroed != NULL, "calloc 32 MiB");
    if (!zeroed)
        return;
    for (size_t i = 0; i < 32 * MIB / sizeof(uint64_t); i++)
        nonzero += zeroed[i] != 0;
    expect_value(nonzero, 0, "calloc 32 MiB nonzero words");
    free(zeroed);
}

static uint32_t pattern_word(size_t i)
{
    return (uint32_t)(i * 2654435761u) ^ 0x5a5a5a5a;
}

// Grows one block by doubling. After each step the old part must be intact
// before the new part is filled.
static void check_realloc_growth(void)
{
    size_t size = 1024;
    uint32_t *p = malloc(size);
    int steps = 0, preserved = 1;
    uint64_t checksum = 0;

    if (!p) {
        check(0, "malloc 1 KiB");
        return;
    }
    for (size_t i = 0; i < size / 4; i++)
        p[i] = pattern_word(i);
    while (size < 256 * MIB) {
        uint32_t *q = realloc(p, size * 2);

        if (!q) {
            printf("FAIL: realloc to %zu bytes returned null\n", size * 2);
            failures++;
            break;
        }
        p = q;
        for (size_t i = 0; i < size / 4 && preserved; i++)
            preserved = p[i] == pattern_word(i);
        for (size_t i = size / 4; i < size / 2; i++)
            p[i] = pattern_word(i);
        size *= 2;
        steps++;
    }
    for (size_t i = 0; i < size / 4; i++)
        checksum += p[i];
    expect_value(steps, 18, "realloc doublings");
    expect_value(size / MIB, 256, "realloc final MiB");
    check(preserved, "realloc preserves contents");
    printf("realloc checksum: %llu\n", (unsigned long long)checksum);

    p = realloc(p, 4096);
    check(p && p[1023] == pattern_word(1023), "realloc shrink keeps start");
    free(p);
}

static void check_alignment(void)
{
    size_t alignments[] = {16, 64, 4096, 65536};
    void *a, *b;

    for (size_t i = 0; i < sizeof(alignments) / sizeof(alignments[0]); i++) {
        void *p = NULL;
        char label[64];
        int r = posix_memalign(&p, alignments[i], 1000);

        snprintf(label, sizeof(label), "posix_memalign %zu", alignments[i]);
        check(r == 0 && (uintptr_t)p % alignments[i] == 0, label);
        free(p);
    }
    a = malloc(0);
    b = malloc(0);
    check(a && b && a != b, "malloc 0 gives distinct pointers");
    free(a);
    free(b);
    free(NULL);
}

int main(void)
{
    check_small_blocks();
    check_large_blocks();
    check_realloc_growth();
    check_alignment();
    printf("failures: %d\n", failures);
    return failures != 0;
}
