/* USB hubs (USB 2.0 chapter 11, USB 3.2 chapter 10): their ports powered,
 * the devices on them brought up through drivers/usb.c, and changes heard
 * on the hub's status-change endpoint, polled. */
#ifndef DRIVERS_USB_HUB_H
#define DRIVERS_USB_HUB_H

#include <stdbool.h>
#include "drivers/usb.h"

/* Takes the hub d (its hub-class interface iface) and brings up what is
 * plugged into it. 0, or why it cannot (a phrase). */
const char *usb_hub_start(struct usb_device *d, const struct usb_interface_info *iface);
/* Handles plugging on the hub's ports since the last call. */
void usb_hub_poll(struct usb_device *d);
/* The hub went away: so did everything on it. */
void usb_hub_stop(struct usb_device *d);

#endif
