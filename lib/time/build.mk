kobjs-y += lib/time/clock.o
