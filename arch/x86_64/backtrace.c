/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame-pointer stack walk. Kernel and application code are built with
 * frame pointers; code without them (parts of musl) ends the walk early.
 * Every frame is read through the fault-safe copy, so a corrupt chain
 * cannot fault inside a crash report.
 */
#include <pogo/arch.h>
#include <pogo/uaccess.h>

#define MAX_FRAME_GAP (1UL << 20)

bool pogo_arch_read_word(uintptr_t addr, uintptr_t *value)
{
    return pogo_copy_from_user(value, (const void *)addr, sizeof(*value)) == 0;
}

size_t pogo_arch_walk_frames(uintptr_t rbp, uintptr_t stack_lo, size_t max,
                             bool (*fn)(uintptr_t ret, void *arg), void *arg)
{
    uintptr_t prev = stack_lo;
    size_t n = 0;

    while (n < max && rbp && !(rbp & 7)) {
        uintptr_t frame[2];

        if (rbp < prev || rbp - prev > MAX_FRAME_GAP)
            break;
        if (pogo_copy_from_user(frame, (const void *)rbp, sizeof(frame)))
            break;
        if (frame[1] == 0)
            break;
        n++;
        if (!fn(frame[1], arg))
            break;
        prev = rbp + sizeof(frame);
        rbp = frame[0];
    }
    return n;
}
