/* SPDX-License-Identifier: BSD-3-Clause */
/* Interrupt handler table and dispatch by vector. */
#include <pogo/errno.h>
#include <pogo/irq.h>
#include <pogo/log.h>

struct handler {
    pogo_irq_handler fn;
    void *arg;
};

static struct handler handlers[POGO_IRQ_VECTOR_MAX + 1];
static unsigned next_vector = POGO_IRQ_VECTOR_BASE;

int pogo_irq_register(unsigned vector, pogo_irq_handler fn, void *arg)
{
    if (vector < POGO_IRQ_VECTOR_TIMER || vector > POGO_IRQ_VECTOR_MAX || !fn)
        return -EINVAL;
    if (handlers[vector].fn)
        return -EBUSY;
    handlers[vector] = (struct handler){fn, arg};
    pogo_plat_irq_enable();
    return 0;
}

int pogo_irq_alloc_vector(void)
{
    while (next_vector <= POGO_IRQ_VECTOR_MAX && handlers[next_vector].fn)
        next_vector++;
    if (next_vector > POGO_IRQ_VECTOR_MAX)
        return -ENOSPC;
    return next_vector++;
}

void pogo_irq_dispatch(unsigned vector, struct pogo_regs *regs)
{
    static bool warned;

    if (vector <= POGO_IRQ_VECTOR_MAX && handlers[vector].fn) {
        handlers[vector].fn(handlers[vector].arg);
        pogo_plat_irq_eoi(vector);
    } else if (vector != POGO_IRQ_SPURIOUS && !warned) {
        warned = true;
        pogo_warn("irq: interrupt on vector %u has no handler\n", vector);
    }
    pogo_irq_exit(regs);
}

POGO_WEAK void pogo_irq_exit(struct pogo_regs *regs)
{
}

POGO_WEAK void pogo_plat_irq_eoi(unsigned vector)
{
}

POGO_WEAK void pogo_plat_irq_enable(void)
{
}
