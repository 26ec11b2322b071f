kobjs-y += lib/log/log.o lib/log/crash.o lib/log/symbols.o
