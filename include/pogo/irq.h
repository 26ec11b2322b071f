/* SPDX-License-Identifier: BSD-3-Clause */
/* Interrupt handlers: registration and dispatch by vector. */
#ifndef POGO_IRQ_H
#define POGO_IRQ_H

#include <pogo/arch.h>

/* The local APIC timer's vector; devices get the ones after it. */
#define POGO_IRQ_VECTOR_TIMER 32
#define POGO_IRQ_VECTOR_BASE  33
#define POGO_IRQ_VECTOR_MAX   63
#define POGO_IRQ_SPURIOUS     255

typedef void (*pogo_irq_handler)(void *arg);

/*
 * Installs handler for vector, which must lie in [POGO_IRQ_VECTOR_BASE,
 * POGO_IRQ_VECTOR_MAX]. Returns 0, -EINVAL for a bad vector or -EBUSY
 * when the vector already has a handler.
 */
int pogo_irq_register(unsigned vector, pogo_irq_handler handler, void *arg);

/* Returns a free vector for a new handler, or a negative errno. */
int pogo_irq_alloc_vector(void);

/* Called by the architecture's interrupt entry with interrupts off. */
void pogo_irq_dispatch(unsigned vector, struct pogo_regs *regs);

/*
 * Hook run at the end of every interrupt, with the interrupted state; the
 * scheduler uses it to preempt. The default does nothing.
 */
void pogo_irq_exit(struct pogo_regs *regs);

/*
 * Routes global system interrupt gsi (an I/O APIC pin) to vector, edge or
 * level triggered, active high or low. Returns 0, -EINVAL for a pin the
 * I/O APIC does not have, or -ENOMEM.
 */
int pogo_irq_route_gsi(unsigned gsi, unsigned vector, bool level,
                       bool active_low);

/* Acknowledges the interrupt at the interrupt controller. */
void pogo_plat_irq_eoi(unsigned vector);

/*
 * Enables the local interrupt controller. Registering a handler calls it,
 * so that a device interrupt arriving before the first timer event is
 * acknowledged; calling it again does nothing. The default does nothing.
 */
void pogo_plat_irq_enable(void);

#endif
