# The cpio newc reader, and the unpacking of the initial file system into
# the root file system at boot (which needs the VFS).
kobjs-y += lib/cpio/cpio.o
kobjs-$(CONFIG_VFS) += lib/cpio/unpack.o
