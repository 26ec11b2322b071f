kobjs-y += drivers/serial/ns16550.o
