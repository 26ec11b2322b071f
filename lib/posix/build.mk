kobjs-y += lib/posix/syscall.o lib/posix/process.o lib/posix/creds.o \
    lib/posix/itimer.o lib/posix/signal.o \
    lib/posix/memory.o lib/posix/time.o lib/posix/random.o \
    lib/posix/thread.o lib/posix/futex.o

# Files on the VFS, or else fds 0-2 on the console.
ifeq ($(CONFIG_VFS),y)
kobjs-y += lib/posix/fd.o lib/posix/file.o lib/posix/stat.o lib/posix/dir.o \
    lib/posix/pipe.o lib/posix/poll.o lib/posix/mmap.o \
    lib/posix/eventfd.o lib/posix/epoll.o
kobjs-$(CONFIG_NET) += lib/posix/socket.o lib/posix/unix.o
else
kobjs-y += lib/posix/console.o
endif
