/* USB descriptors (see usb_desc.h). Every descriptor starts with bLength
 * and bDescriptorType; a configuration descriptor is followed, within its
 * wTotalLength, by interface descriptors each followed by its endpoint
 * descriptors (a SuperSpeed endpoint by its companion), with class
 * descriptors (HID, ...) in between, skipped here by their bLength. */
#include "drivers/usb_desc.h"

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

uint16_t usb_max_packet0(const uint8_t *b, size_t n) {
    if (n < 8 || b[0] < 8 || b[1] != USB_DESC_DEVICE) return 0;
    uint16_t version = le16(b + 2);
    if (version >= 0x0300) return b[7] == 9 ? 512 : 0;
    uint8_t m = b[7];
    return m == 8 || m == 16 || m == 32 || m == 64 ? m : 0;
}

const char *usb_parse_device(const uint8_t *b, size_t n, struct usb_device_desc *d) {
    if (n < 18 || b[0] < 18 || b[1] != USB_DESC_DEVICE) return "its device descriptor is malformed";
    d->usb_version = le16(b + 2);
    d->cls = b[4];
    d->subclass = b[5];
    d->protocol = b[6];
    d->max_packet0 = usb_max_packet0(b, n);
    if (!d->max_packet0) return "its device descriptor gives an invalid control packet size";
    d->vendor = le16(b + 8);
    d->product = le16(b + 10);
    d->n_configs = b[17];
    return 0;
}

const char *usb_parse_config(const uint8_t *b, size_t n, struct usb_config_info *c) {
    *c = (struct usb_config_info){0};
    if (n < 9 || b[0] < 9 || b[1] != USB_DESC_CONFIG) return "its configuration descriptor is malformed";
    c->total_length = le16(b + 2);
    c->value = b[5];
    if (c->total_length < b[0]) return "its configuration descriptor is shorter than its header";
    size_t end = c->total_length < n ? c->total_length : n;
    struct usb_interface_info *iface = 0;     /* where endpoints go; 0: drop them */
    struct usb_endpoint_info *ep = 0;         /* where a companion goes */
    for (size_t off = b[0]; off + 2 <= end;) {
        uint8_t len = b[off], type = b[off + 1];
        if (len < 2) return "its configuration holds a descriptor shorter than 2 bytes";
        if (off + len > end) break;           /* cut short: keep what came whole */
        const uint8_t *p = b + off;
        if (type == USB_DESC_INTERFACE && len >= 9) {
            iface = 0;
            ep = 0;
            if (p[3] == 0 && c->n_interfaces < USB_MAX_INTERFACES) {   /* alternate setting 0 */
                iface = &c->iface[c->n_interfaces++];
                *iface = (struct usb_interface_info){.number = p[2], .cls = p[5], .subclass = p[6],
                                                     .protocol = p[7]};
            }
        } else if (type == USB_DESC_ENDPOINT && len >= 7) {
            ep = 0;
            if (iface && iface->n_endpoints < USB_MAX_ENDPOINTS) {
                uint16_t w = le16(p + 4);
                ep = &iface->ep[iface->n_endpoints++];
                *ep = (struct usb_endpoint_info){.address = p[2], .attributes = p[3],
                                                 .max_packet = w & 0x7FF, .interval = p[6],
                                                 .max_burst = (w >> 11) & 3};
            }
        } else if (type == USB_DESC_SS_COMPANION && len >= 6 && ep) {
            ep->max_burst = p[2] > 15 ? 15 : p[2];
            ep = 0;
        }
        off += len;
    }
    return 0;
}

const char *usb_parse_hub(const uint8_t *b, size_t n, struct usb_hub_info *h) {
    if (n < 7 || b[0] < 7 || (b[1] != USB_DESC_HUB && b[1] != USB_DESC_HUB3))
        return "its hub descriptor is malformed";
    h->ports = b[2];
    h->characteristics = le16(b + 3);
    h->power_on_ms = (uint16_t)(b[5] * 2);
    return 0;
}
