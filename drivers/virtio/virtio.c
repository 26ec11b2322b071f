/* SPDX-License-Identifier: BSD-3-Clause */
/* Device initialization and feature negotiation common to all transports. */
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/virtio.h>

extern const struct pogo_virtio_driver __pogo_virtio_drivers_start[];
extern const struct pogo_virtio_driver __pogo_virtio_drivers_end[];

static void add_status(struct pogo_virtio_device *d, uint8_t bits)
{
    d->ops->set_status(d, d->ops->get_status(d) | bits);
}

void pogo_virtio_fail(struct pogo_virtio_device *d)
{
    add_status(d, VIRTIO_STATUS_FAILED);
}

void pogo_virtio_driver_ok(struct pogo_virtio_device *d)
{
    add_status(d, VIRTIO_STATUS_DRIVER_OK);
}

int pogo_virtio_negotiate(struct pogo_virtio_device *d, uint64_t wanted)
{
    uint64_t offered = d->ops->device_features(d);

    if (!d->legacy)
        wanted |= 1ULL << VIRTIO_F_VERSION_1;
    d->features = offered & wanted;
    if (!d->legacy && !pogo_virtio_has(d, VIRTIO_F_VERSION_1)) {
        pogo_warn("virtio: a modern %s device without VERSION_1\n",
                  d->transport_name);
        return -EIO;
    }
    d->ops->set_driver_features(d, d->features);
    if (d->legacy)
        return 0;
    add_status(d, VIRTIO_STATUS_FEATURES_OK);
    if (!(d->ops->get_status(d) & VIRTIO_STATUS_FEATURES_OK)) {
        pogo_warn("virtio: the device rejected features %#lx\n", d->features);
        return -EIO;
    }
    return 0;
}

void pogo_virtio_device_found(struct pogo_virtio_device *d)
{
    d->ops->set_status(d, 0);
    add_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
    for (const struct pogo_virtio_driver *drv = __pogo_virtio_drivers_start;
         drv < __pogo_virtio_drivers_end; drv++) {
        int err;
        if (drv->device_id != d->device_id)
            continue;
        add_status(d, VIRTIO_STATUS_DRIVER);
        err = drv->probe(d);
        if (err) {
            pogo_warn("virtio: %s could not start the %s device (error %d)\n",
                      drv->name, d->transport_name, -err);
            pogo_virtio_fail(d);
        }
        return;
    }
    pogo_debug("virtio: no driver for device type %u on %s\n", d->device_id,
               d->transport_name);
}
