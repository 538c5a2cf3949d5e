/* Fuzzes what a USB device sends back: the first byte picks the reader,
 * the rest is the device's answer (copied to a heap buffer of exactly its
 * size, so ASan reports any read past it).
 *   0 device descriptor       1 configuration descriptor   2 hub descriptor
 *   3 INQUIRY                 4 READ CAPACITY (10)         5 READ CAPACITY (16)
 *   6 sense data              7 CSW                        8 keyboard reports
 * Properties: counts within their arrays, strings ending inside their
 * buffers and printable, sizes that a disk can have, reasons one line, and
 * keyboards typing only the characters drivers/keymap.h promises. */
#include "drivers/usb_desc.h"
#include "drivers/usb_kbd_report.h"
#include "drivers/usb_scsi.h"
#include "tests/fuzz/fuzz.h"

static void reason(const char *why) {
    if (!why) return;
    FUZZ_ASSERT(why[0] && !strchr(why, '\n'), "reason [%s]", why);
}

static bool typable(int c) {
    return (c >= 0x20 && c < 0x7F) || c == '\n' || c == '\b' || c == '\t' || c == 0x1B ||
           (c >= 1 && c <= 26);
}

static void keyboard(const uint8_t *p, size_t n) {
    struct usb_kbd_report s;
    usb_kbd_report_init(&s);
    uint64_t now = 0;
    /* chunks of 9 bytes: a time step, then an 8-byte report (the last may be short) */
    for (size_t o = 0; o < n; o += 9) {
        now += p[o] * 7u;
        size_t len = n - o - 1 < 8 ? n - o - 1 : 8;
        int out[6];
        int count = usb_kbd_report_feed(&s, p + o + 1, len, now, out);
        FUZZ_ASSERT(count >= 0 && count <= 6, "%d characters from one report", count);
        for (int i = 0; i < count; i++) FUZZ_ASSERT(typable(out[i]), "typed %d", out[i]);
        for (int i = 0; i < 3; i++) {
            int c = usb_kbd_report_repeat(&s, now + (uint64_t)i * 50);
            FUZZ_ASSERT(c == -1 || typable(c), "repeated %d", c);
        }
        FUZZ_ASSERT((usb_kbd_report_leds(&s) & ~2u) == 0, "leds %#x", usb_kbd_report_leds(&s));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    size_t n = size - 1;
    uint8_t *b = fuzz_dup(data + 1, n);
    switch (data[0] % 9) {
    case 0: {
        struct usb_device_desc d;
        uint16_t m = usb_max_packet0(b, n);
        FUZZ_ASSERT(m == 0 || m == 8 || m == 16 || m == 32 || m == 64 || m == 512, "packet size %u", m);
        const char *why = usb_parse_device(b, n, &d);
        reason(why);
        if (!why) FUZZ_ASSERT(d.max_packet0 == m && m != 0, "packet size %u and %u", d.max_packet0, m);
        break;
    }
    case 1: {
        struct usb_config_info c;
        reason(usb_parse_config(b, n, &c));
        FUZZ_ASSERT(c.n_interfaces <= USB_MAX_INTERFACES, "%d interfaces", c.n_interfaces);
        for (int i = 0; i < c.n_interfaces; i++)
            FUZZ_ASSERT(c.iface[i].n_endpoints <= USB_MAX_ENDPOINTS, "%d endpoints", c.iface[i].n_endpoints);
        for (int i = 0; i < c.n_interfaces; i++)
            for (int e = 0; e < c.iface[i].n_endpoints; e++)
                FUZZ_ASSERT(c.iface[i].ep[e].max_packet <= 0x7FF && c.iface[i].ep[e].max_burst <= 15,
                            "endpoint %u bytes, burst %u", c.iface[i].ep[e].max_packet, c.iface[i].ep[e].max_burst);
        break;
    }
    case 2: {
        struct usb_hub_info h;
        reason(usb_parse_hub(b, n, &h));
        break;
    }
    case 3: {
        struct scsi_inquiry_info q;
        reason(scsi_parse_inquiry(b, n, &q));
        size_t len = strnlen(q.model, sizeof q.model);
        FUZZ_ASSERT(len < sizeof q.model, "model not terminated");
        for (size_t i = 0; i < len; i++) FUZZ_ASSERT(q.model[i] >= 0x20 && q.model[i] < 0x7F, "model byte %#x", q.model[i]);
        FUZZ_ASSERT(len == 0 || (q.model[0] != ' ' && q.model[len - 1] != ' '), "model [%s] not trimmed", q.model);
        break;
    }
    case 4:
    case 5: {
        uint64_t sectors = 0;
        uint32_t sz = 0;
        bool need16 = false;
        const char *why = data[0] % 9 == 4 ? scsi_parse_capacity10(b, n, &sectors, &sz, &need16)
                                           : scsi_parse_capacity16(b, n, &sectors, &sz);
        reason(why);
        if (!why && !need16)
            FUZZ_ASSERT(sectors >= 1 && sectors <= (1ull << 48) && sz >= 512 && sz <= 65536 && !(sz & (sz - 1)),
                        "%llu sectors of %u bytes accepted", (unsigned long long)sectors, sz);
        break;
    }
    case 6: {
        uint8_t key = 0, asc = 0, ascq = 0;
        if (scsi_parse_sense(b, n, &key, &asc, &ascq)) FUZZ_ASSERT(key <= 15, "sense key %u", key);
        break;
    }
    case 7: {
        uint32_t residue;
        enum bot_status s = bot_csw(b, n, n >= 8 ? (uint32_t)(b[4] | b[5] << 8 | b[6] << 16 | (uint32_t)b[7] << 24) : 0,
                                    &residue);
        FUZZ_ASSERT(s >= BOT_PASSED && s <= BOT_INVALID, "status %d", s);
        FUZZ_ASSERT(n >= BOT_CSW_SIZE || s == BOT_INVALID, "a %zu-byte CSW accepted", n);
        break;
    }
    case 8:
        keyboard(b, n);
        break;
    }
    free(b);
    return 0;
}
