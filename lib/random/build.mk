kobjs-y += lib/random/chacha.o
