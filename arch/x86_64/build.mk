kobjs-y += arch/x86_64/pvh.o arch/x86_64/traps.o arch/x86_64/exceptions.o arch/x86_64/syscall.o \
    arch/x86_64/uaccess.o arch/x86_64/gdt.o arch/x86_64/cpu.o \
    arch/x86_64/extable.o arch/x86_64/backtrace.o \
    arch/x86_64/pagetable.o arch/x86_64/irq.o arch/x86_64/tsc.o arch/x86_64/switch.o arch/x86_64/thread.o arch/x86_64/apic.o
