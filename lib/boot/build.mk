kobjs-y += lib/boot/boot.o lib/boot/cmdline.o lib/boot/param.o \
    lib/boot/app.o lib/boot/trace.o
