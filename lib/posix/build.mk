kobjs-y += lib/posix/syscall.o lib/posix/process.o lib/posix/signal.o \
    lib/posix/memory.o lib/posix/console.o lib/posix/time.o lib/posix/random.o \
    lib/posix/thread.o lib/posix/futex.o
