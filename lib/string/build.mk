kobjs-y += lib/string/string.o lib/string/format.o
