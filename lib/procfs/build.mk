kobjs-$(CONFIG_PROCFS) += lib/procfs/procfs.o lib/procfs/files.o \
    lib/procfs/cpuinfo_x86_64.o
