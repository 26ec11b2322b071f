kobjs-$(CONFIG_DEVFS) += lib/devfs/devfs.o lib/devfs/console.o
