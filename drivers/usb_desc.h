/* USB descriptors as a device sends them (USB 2.0 chapter 9.6, USB 3.2
 * 9.6.7, hub class 11.23.2.1 and USB 3.2 10.15.2.1), read into plain
 * structs. No hardware: drivers/usb.c hands over the bytes a device
 * returned, the host tests and the fuzzer hand over made-up ones. Every
 * length a device claims is checked against the bytes that came. */
#ifndef DRIVERS_USB_DESC_H
#define DRIVERS_USB_DESC_H

#include <stddef.h>
#include <stdint.h>

#define USB_MAX_INTERFACES 8   /* more are ignored */
#define USB_MAX_ENDPOINTS 4    /* per interface; more are ignored */

enum { USB_DESC_DEVICE = 1, USB_DESC_CONFIG = 2, USB_DESC_STRING = 3, USB_DESC_INTERFACE = 4,
       USB_DESC_ENDPOINT = 5, USB_DESC_HUB = 0x29, USB_DESC_HUB3 = 0x2A,
       USB_DESC_SS_COMPANION = 0x30 };

enum { USB_CLASS_HID = 3, USB_CLASS_STORAGE = 8, USB_CLASS_HUB = 9 };

struct usb_device_desc {
    uint16_t usb_version;      /* bcdUSB: 0x0200, 0x0300... */
    uint8_t cls, subclass, protocol;
    uint16_t max_packet0;      /* the control endpoint's packet size in bytes */
    uint16_t vendor, product;
    uint8_t n_configs;
};

struct usb_endpoint_info {
    uint8_t address;           /* bit 7: IN */
    uint8_t attributes;        /* bits 1-0: 0 control, 1 isochronous, 2 bulk, 3 interrupt */
    uint16_t max_packet;       /* bytes per packet (bits 10-0 of wMaxPacketSize) */
    uint8_t interval;          /* bInterval */
    uint8_t max_burst;         /* SuperSpeed companion's bMaxBurst, or high speed's extra transactions */
};

struct usb_interface_info {
    uint8_t number, cls, subclass, protocol;
    uint8_t n_endpoints;
    struct usb_endpoint_info ep[USB_MAX_ENDPOINTS];
};

/* A configuration: its interfaces (alternate setting 0 of each, the one a
 * device starts in) with their endpoints. */
struct usb_config_info {
    uint8_t value;             /* bConfigurationValue, for SET_CONFIGURATION */
    uint16_t total_length;     /* wTotalLength as the device states it */
    uint8_t n_interfaces;
    struct usb_interface_info iface[USB_MAX_INTERFACES];
};

struct usb_hub_info {
    uint8_t ports;
    uint16_t characteristics;  /* wHubCharacteristics: bits 6-5 the TT think time */
    uint16_t power_on_ms;      /* bPwrOn2PwrGood x 2 ms */
};

/* The control endpoint's packet size from the first 8 bytes of the device
 * descriptor (bMaxPacketSize0; an exponent from USB 3.0 on). 0 when the
 * bytes are not a device descriptor or the size is not one USB allows. */
uint16_t usb_max_packet0(const uint8_t *b, size_t n);

/* Each returns 0, or what is wrong (a phrase, no newline). */
const char *usb_parse_device(const uint8_t *b, size_t n, struct usb_device_desc *d);
/* n may be less than wTotalLength (a device that sent less, or a buffer
 * that holds less): what came is read. */
const char *usb_parse_config(const uint8_t *b, size_t n, struct usb_config_info *c);
const char *usb_parse_hub(const uint8_t *b, size_t n, struct usb_hub_info *h);

#endif
