/* SPDX-License-Identifier: BSD-3-Clause */
/* The network stack (lwIP) as the rest of Pogo sees it. */
#ifndef POGO_NET_H
#define POGO_NET_H

#include <pogo/compiler.h>

/* Counters for tests and /proc: live sockets and lwIP's protocol blocks;
 * tcp_pcbs counts those in TIME_WAIT too. */
struct pogo_net_stats {
    size_t sockets;
    size_t tcp_pcbs;
    size_t tcp_time_wait;
    size_t tcp_listen_pcbs;
    size_t udp_pcbs;
};

void pogo_net_stats(struct pogo_net_stats *st);

#endif
