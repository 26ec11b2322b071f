/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lwIP's configuration for Pogo: IPv4 with TCP, UDP, ICMP, ARP and DHCP;
 * the core runs under the core lock, called directly by Pogo's socket
 * layer and its receive thread (no netconn or socket API of lwIP's own);
 * memory comes from the kernel heap, so idle sockets cost no pools.
 */
#ifndef POGO_LWIPOPTS_H
#define POGO_LWIPOPTS_H

#define NO_SYS                        0
#define LWIP_TCPIP_CORE_LOCKING       1
#define LWIP_TCPIP_CORE_LOCKING_INPUT 1
#define SYS_LIGHTWEIGHT_PROT          1
#define LWIP_NETCONN                  0
#define LWIP_SOCKET                   0
#define LWIP_NETIF_API                0
#define LWIP_TIMERS                   1

#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT   8
#include <stddef.h>
void *pogo_lwip_malloc(size_t size);
void *pogo_lwip_calloc(size_t n, size_t size);
void pogo_lwip_free(void *p);
#define mem_clib_malloc pogo_lwip_malloc
#define mem_clib_free   pogo_lwip_free
#define mem_clib_calloc pogo_lwip_calloc

#define LWIP_IPV4                     1
#define LWIP_IPV6                     0
#define LWIP_ARP                      1
#define LWIP_ICMP                     1
#define LWIP_RAW                      0
#define LWIP_UDP                      1
#define LWIP_TCP                      1
#define LWIP_DHCP                     1
#define LWIP_DNS                      0
#define LWIP_IGMP                     0
#define IP_FORWARD                    0
#define IP_REASSEMBLY                 1
#define IP_FRAG                       1
#define ETHARP_SUPPORT_STATIC_ENTRIES 1
#define LWIP_ETHERNET                 1
#define LWIP_NETIF_HOSTNAME           1
#define LWIP_NETIF_STATUS_CALLBACK    1
#define LWIP_NETIF_LOOPBACK           1
#define LWIP_HAVE_LOOPIF              1
#define LWIP_LOOPBACK_MAX_PBUFS       0
#define LWIP_CHECKSUM_CTRL_PER_NETIF  1

/* Packets to an address whose ARP reply is pending wait in a queue, as on
 * Linux, where /proc/sys/net/ipv4/neigh/default/unres_qlen is 101. lwIP's
 * default keeps only the latest packet, so a burst of SYN-ACKs to a new
 * peer lost all but one. */
#define ARP_QUEUEING  1
#define ARP_QUEUE_LEN 101

#define TCP_MSS                    1460
#define LWIP_WND_SCALE             1
#define TCP_RCV_SCALE              2
#define TCP_WND                    (64 * 1024)
#define TCP_SND_BUF                (64 * 1024)
#define TCP_SND_QUEUELEN           256
#define TCP_SNDLOWAT               (TCP_SND_BUF / 4)
#define TCP_OVERSIZE               TCP_MSS
#define TCP_QUEUE_OOSEQ            1
#define TCP_LISTEN_BACKLOG         1
#define TCP_DEFAULT_LISTEN_BACKLOG 128
#define LWIP_TCP_KEEPALIVE         1
#define LWIP_TCP_TIMESTAMPS        0
#define SO_REUSE                   1
#define LWIP_SO_RCVBUF             0
#define MEMP_NUM_TCP_PCB           4096
#define MEMP_NUM_TCP_PCB_LISTEN    64
#define MEMP_NUM_UDP_PCB           256
#define MEMP_NUM_TCP_SEG           4096
#define MEMP_NUM_PBUF              1024
#define PBUF_POOL_SIZE             512
#define MEMP_NUM_SYS_TIMEOUT       (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 8)
#define TCPIP_MBOX_SIZE            128
#define TCPIP_THREAD_NAME          "lwip-tcpip"
#define TCPIP_THREAD_STACKSIZE     16384
#define TCPIP_THREAD_PRIO          1
#define DEFAULT_THREAD_STACKSIZE   16384

#define LWIP_STATS         1
#define LWIP_STATS_DISPLAY 0
#define MEMP_STATS         1
#define MEM_STATS          1
#define TCP_STATS          0
#define UDP_STATS          0
#define IP_STATS           0
#define ICMP_STATS         0
#define ETHARP_STATS       0
#define LINK_STATS         0
#define IPFRAG_STATS       0
#define SYS_STATS          0

#define LWIP_RAND() pogo_lwip_random()
unsigned pogo_lwip_random(void);

/* Sees every IPv4 packet before lwIP does, so that ICMP errors, which
 * lwIP drops, reach the UDP sockets they concern. */
struct pbuf;
struct netif;
int pogo_lwip_ip4_input(struct pbuf *p, struct netif *inp);
#define LWIP_HOOK_IP4_INPUT(p, inp) pogo_lwip_ip4_input(p, inp)

#define LWIP_DEBUG 0

#endif
