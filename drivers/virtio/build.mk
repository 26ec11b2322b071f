kobjs-$(CONFIG_VIRTIO) += drivers/virtio/virtio.o drivers/virtio/virtqueue.o
kobjs-$(CONFIG_VIRTIO_PCI) += drivers/virtio/virtio_pci.o
kobjs-$(CONFIG_VIRTIO_MMIO) += drivers/virtio/virtio_mmio.o
kobjs-$(CONFIG_VIRTIO_NET) += drivers/virtio/virtio_net.o
