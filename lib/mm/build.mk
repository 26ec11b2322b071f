kobjs-y += lib/mm/memmap.o lib/mm/frames.o lib/mm/regions.o lib/mm/vm.o
