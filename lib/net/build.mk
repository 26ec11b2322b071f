# lwIP comes from Debian's source package, fetched into .cache/debian/ on
# the first build that enables networking; it is compiled as kernel code
# with Pogo's port headers in lib/net/include.
ifeq ($(CONFIG_NET),y)
LWIP_DIR := $(shell $(POGO)/scripts/debian-source.sh lwip)
ifeq ($(LWIP_DIR),)
$(error net: fetching Debian's lwip source package failed)
endif

lwip-srcs := core/init.c core/def.c core/inet_chksum.c core/ip.c core/mem.c \
    core/memp.c core/netif.c core/pbuf.c core/stats.c core/sys.c core/tcp.c \
    core/tcp_in.c core/tcp_out.c core/timeouts.c core/udp.c \
    core/ipv4/dhcp.c core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c \
    core/ipv4/ip4_addr.c core/ipv4/ip4_frag.c netif/ethernet.c \
    api/tcpip.c

LWIP_CFLAGS := -I$(POGO)/lib/net/include/libc -I$(POGO)/lib/net/include \
    -I$(LWIP_DIR)/src/include -Wno-unused-variable -Wno-sign-compare \
    -Wno-address
kcflags-lib/net/sys_arch := $(LWIP_CFLAGS)
kcflags-lib/net/netif := $(LWIP_CFLAGS)
kcflags-lib/net/socket := $(LWIP_CFLAGS)
kcflags-lib/net/tcp := $(LWIP_CFLAGS)
kcflags-lib/net/udp := $(LWIP_CFLAGS)

kobjs-y += lib/net/sys_arch.o lib/net/netif.o lib/net/socket.o \
    lib/net/tcp.o lib/net/udp.o
kobjs-y += $(addprefix lwip/,$(lwip-srcs:.c=.o))

$(C)/kernel/lwip/%.o: $(LWIP_DIR)/src/%.c $(CONFIG_H) $(SYSCALL_NR_H)
	@mkdir -p $(dir $@)
	@echo "  CC      lwip/$*.c"
	$(Q)$(KCC) $(KCFLAGS) $(LWIP_CFLAGS) -MMD -MP -MF $(@:.o=.d) -MT $@ \
	    -c $< -o $@.tmp
	$(Q)$(OBJCOPY) $(KRENAME) $@.tmp $@ && rm -f $@.tmp
endif
