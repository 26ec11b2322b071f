/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split virtqueues (virtio 1.x, section 2.7). The rings live in frames of
 * identity-mapped memory, so their addresses are also the physical
 * addresses the device uses. With VIRTIO_F_RING_EVENT_IDX the driver
 * notifies only when the device asked for it, and asks for an interrupt
 * only when it waits.
 */
#include <pogo/alloc.h>
#include <pogo/arch.h>
#include <pogo/errno.h>
#include <pogo/mm.h>
#include <pogo/string.h>
#include <pogo/virtio.h>

#define LEGACY_ALIGN         4096
#define USED_F_NO_NOTIFY     1
#define AVAIL_F_NO_INTERRUPT 1

static void compiler_barrier(void)
{
    __asm__ __volatile__("" ::: "memory");
}

static uint16_t *used_event(struct pogo_virtq *q)
{
    return &q->avail->ring[q->size];
}

static uint16_t *avail_event(struct pogo_virtq *q)
{
    return (uint16_t *)&q->used->ring[q->size];
}

static size_t ring_bytes(uint16_t size, bool legacy, size_t *used_off)
{
    size_t avail_end = 16 * (size_t)size + 6 + 2 * (size_t)size;

    *used_off = legacy ? POGO_ALIGN_UP(avail_end, LEGACY_ALIGN)
                       : POGO_ALIGN_UP(avail_end, 4);
    return *used_off + 6 + 8 * (size_t)size;
}

int pogo_virtq_alloc(struct pogo_virtq *q, uint16_t size, bool legacy)
{
    size_t used_off, bytes = ring_bytes(size, legacy, &used_off);
    unsigned order = 0;

    if (size == 0 || (size & (size - 1)))
        return -EINVAL;
    while ((POGO_PAGE_SIZE << order) < bytes)
        order++;
    q->mem = pogo_frames_alloc_zeroed(order);
    if (!q->mem)
        return -ENOMEM;
    q->tokens = pogo_calloc(size, sizeof(void *));
    if (!q->tokens) {
        pogo_frames_free(q->mem, order);
        return -ENOMEM;
    }
    q->mem_order = order;
    q->size = size;
    q->desc = (struct virtq_desc *)q->mem;
    q->avail = (struct virtq_avail *)(q->mem + 16 * (size_t)size);
    q->used = (struct virtq_used *)(q->mem + used_off);
    for (uint16_t i = 0; i + 1 < size; i++)
        q->desc[i].next = i + 1;
    q->free_head = 0;
    q->num_free = size;
    q->last_used = 0;
    q->added = 0;
    return 0;
}

int pogo_virtq_add(struct pogo_virtq *q, const struct pogo_virtq_buf *bufs,
                   unsigned nout, unsigned nin, void *token)
{
    unsigned n = nout + nin;
    uint16_t head = q->free_head, i = head, last = head;

    if (n == 0 || n > q->num_free)
        return -ENOSPC;
    for (unsigned k = 0; k < n; k++) {
        struct virtq_desc *d = &q->desc[i];
        d->addr = (uint64_t)(uintptr_t)bufs[k].addr;
        d->len = bufs[k].len;
        d->flags = (k >= nout ? VIRTQ_DESC_F_WRITE : 0) |
                   (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0);
        last = i;
        i = d->next;
    }
    q->free_head = q->desc[last].next;
    q->num_free -= n;
    q->tokens[head] = token;

    q->avail->ring[(q->avail->idx + q->added) & (q->size - 1)] = head;
    q->added++;
    return 0;
}

void pogo_virtq_kick(struct pogo_virtq *q)
{
    uint16_t old, new;
    bool notify;

    if (q->added == 0)
        return;
    old = q->avail->idx;
    new = old + q->added;
    compiler_barrier(); /* the ring entries before the index */
    q->avail->idx = new;
    q->added = 0;
    pogo_arch_device_mb(); /* the index before reading the device's wish */
    if (q->event_idx)
        notify = (uint16_t)(new - *avail_event(q) - 1) < (uint16_t)(new - old);
    else
        notify = !(q->used->flags & USED_F_NO_NOTIFY);
    if (notify)
        q->dev->ops->notify(q->dev, q);
}

void *pogo_virtq_get(struct pogo_virtq *q, uint32_t *len)
{
    struct virtq_used_elem *e;
    uint16_t head, i;
    void *token;

    if (q->last_used == POGO_READ_ONCE(q->used->idx))
        return NULL;
    compiler_barrier(); /* the index before the entry */
    e = &q->used->ring[q->last_used & (q->size - 1)];
    head = e->id;
    if (head >= q->size)
        return NULL; /* a broken device; the caller sees nothing more */
    if (len)
        *len = e->len;
    q->last_used++;

    token = q->tokens[head];
    q->tokens[head] = NULL;
    i = head;
    for (;;) {
        q->num_free++;
        if (!(q->desc[i].flags & VIRTQ_DESC_F_NEXT))
            break;
        i = q->desc[i].next;
    }
    q->desc[i].next = q->free_head;
    q->free_head = head;
    return token;
}

bool pogo_virtq_enable_interrupts(struct pogo_virtq *q, bool on)
{
    if (!on) {
        if (!q->event_idx)
            q->avail->flags |= AVAIL_F_NO_INTERRUPT;
        return true;
    }
    if (q->event_idx)
        *used_event(q) = q->last_used;
    else
        q->avail->flags &= ~AVAIL_F_NO_INTERRUPT;
    pogo_arch_device_mb();
    return q->last_used == POGO_READ_ONCE(q->used->idx);
}
