/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel's random generator: ChaCha20 (RFC 8439) in counter mode with
 * fast key erasure, so that a key is never reused after it produced
 * output. Integer-only, as kernel code must be.
 */
#include <pogo/arch.h>
#include <pogo/random.h>
#include <pogo/string.h>

#define ROTL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
#define QR(a, b, c, d)       \
    do {                     \
        a += b;              \
        d = ROTL(d ^ a, 16); \
        c += d;              \
        b = ROTL(b ^ c, 12); \
        a += b;              \
        d = ROTL(d ^ a, 8);  \
        c += d;              \
        b = ROTL(b ^ c, 7);  \
    } while (0)

#define JITTER_SAMPLES 64

static uint32_t key[8];
static uint64_t counter;
static bool seeded;
static bool hardware_seed;

static void chacha_block(const uint32_t k[8], uint64_t ctr, uint32_t out[16])
{
    static const uint32_t sigma[4] = {0x61707865, 0x3320646e, 0x79622d32,
                                      0x6b206574};
    uint32_t in[16], x[16];

    pogo_memcpy(in, sigma, sizeof(sigma));
    pogo_memcpy(in + 4, k, 32);
    in[12] = (uint32_t)ctr;
    in[13] = (uint32_t)(ctr >> 32);
    in[14] = 0;
    in[15] = 0;
    pogo_memcpy(x, in, sizeof(x));
    for (int i = 0; i < 10; i++) {
        QR(x[0], x[4], x[8], x[12]);
        QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]);
        QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]);
        QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]);
        QR(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++)
        out[i] = x[i] + in[i];
}

static void seed(void)
{
    uint64_t jitter[JITTER_SAMPLES];

    if (pogo_arch_random(key, sizeof(key))) {
        hardware_seed = true;
    } else {
        /* No RDRAND: the low bits of the TSC around port reads vary a
         * little. This is weak entropy; say so in the documentation. */
        for (int i = 0; i < JITTER_SAMPLES; i++)
            jitter[i] = pogo_arch_cycles() * 0x9e3779b97f4a7c15ULL;
        pogo_random_add_entropy(jitter, sizeof(jitter));
    }
    seeded = true;
}

void pogo_random_add_entropy(const void *buf, size_t size)
{
    const uint8_t *p = buf;
    uint32_t block[16];

    /* Fold the input into the key, then stir it with one block. */
    for (size_t i = 0; i < size; i++)
        ((uint8_t *)key)[i % sizeof(key)] ^= p[i];
    chacha_block(key, counter++, block);
    pogo_memcpy(key, block, sizeof(key));
}

void pogo_random_bytes(void *buf, size_t size)
{
    uint8_t *out = buf;
    uint32_t block[16];
    bool irq = pogo_irq_save();

    if (!seeded)
        seed();
    /* The first half of each block rekeys, the second half is output. */
    while (size > 0) {
        size_t n = size < 32 ? size : 32;
        chacha_block(key, counter++, block);
        pogo_memcpy(key, block, 32);
        pogo_memcpy(out, (uint8_t *)block + 32, n);
        out += n;
        size -= n;
    }
    pogo_memset(block, 0, sizeof(block));
    pogo_irq_restore(irq);
}

bool pogo_random_seeded_by_hardware(void)
{
    return hardware_seed;
}
