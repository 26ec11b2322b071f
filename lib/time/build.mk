kobjs-y += lib/time/clock.o lib/time/timer.o
