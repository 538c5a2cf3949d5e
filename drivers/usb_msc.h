/* USB mass storage (sticks, card readers, disks in USB cases): Bulk-Only
 * Transport with SCSI commands (drivers/usb_scsi.h), each logical unit with
 * a medium registered as a disk (kernel/disk.h: "usb0", "usb1", ...). */
#ifndef DRIVERS_USB_MSC_H
#define DRIVERS_USB_MSC_H

#include <stdbool.h>
#include "drivers/usb.h"

/* Takes the mass-storage interface iface of d and registers its units.
 * 0, or why it cannot (a phrase). */
const char *usb_msc_start(struct usb_device *d, const struct usb_interface_info *iface);
/* The device went away: its disks fail every read from now on. */
void usb_msc_stop(struct usb_device *d);

#endif
