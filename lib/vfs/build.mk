kobjs-$(CONFIG_VFS) += lib/vfs/file.o lib/vfs/vnode.o lib/vfs/fdtable.o \
    lib/vfs/namei.o lib/vfs/mount.o lib/vfs/ops.o lib/vfs/open.o \
    lib/vfs/lock.o lib/vfs/poll.o lib/vfs/kernel.o
