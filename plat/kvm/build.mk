kobjs-y += plat/kvm/pvh.o plat/kvm/shutdown.o plat/kvm/rtc.o plat/kvm/pic.o \
    plat/kvm/debugcon.o plat/kvm/ioapic.o plat/kvm/fwcfg.o
kobjs-$(CONFIG_PCI) += plat/kvm/pci.o
