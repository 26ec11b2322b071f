kobjs-$(CONFIG_RAMFS) += lib/ramfs/ramfs.o lib/ramfs/dir.o lib/ramfs/data.o \
    lib/ramfs/rename.o
