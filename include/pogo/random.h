/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel random numbers: a ChaCha20 generator seeded at boot from RDSEED
 * or RDRAND where the CPU has them, and otherwise from time-stamp counter
 * jitter, which is weak; drivers add entropy from devices such as
 * virtio-rng when present.
 */
#ifndef POGO_RANDOM_H
#define POGO_RANDOM_H

#include <pogo/compiler.h>

/* Fills buf with size random bytes. Never blocks, never fails. */
void pogo_random_bytes(void *buf, size_t size);

/* Mixes size bytes of device entropy into the generator's key. */
void pogo_random_add_entropy(const void *buf, size_t size);

/* Tells whether the seed came from a hardware source. */
bool pogo_random_seeded_by_hardware(void);

#endif
