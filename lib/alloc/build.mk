kobjs-y += lib/alloc/heap.o
kobjs-$(CONFIG_ALLOC_TLSF) += lib/alloc/tlsf.o
kobjs-$(CONFIG_ALLOC_BUDDY) += lib/alloc/buddy.o
