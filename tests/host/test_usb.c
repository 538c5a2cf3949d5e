/* Host tests of the USB code that touches no hardware: descriptors
 * (drivers/usb_desc.c), Bulk-Only Transport and SCSI (drivers/usb_scsi.c),
 * the xHCI producer ring (drivers/xhci_ring.c) and the BIOS hand-off
 * (drivers/xhci_handoff.c, with a made-up BIOS behind a fake clock). */
#pragma GCC diagnostic ignored "-Wformat-zero-length"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/usb_desc.h"
#include "drivers/usb_scsi.h"
#include "drivers/xhci_handoff.h"
#include "drivers/xhci_ring.h"
#include "tests/check.h"

/* ------------------------------------------------------------ descriptors */

/* A keyboard: device class 0, one configuration with a boot keyboard
 * interface, its HID descriptor and one interrupt IN endpoint, then a
 * second interface (a mouse) with an alternate setting. */
static const uint8_t keyboard_device[18] = {18, 1, 0x00, 0x02, 0, 0, 0, 8, 0x27, 0x06, 0x01, 0x00,
                                            0, 0, 1, 2, 3, 1};
static const uint8_t keyboard_config[] = {
    9, 2, 59, 0, 2, 1, 0, 0xA0, 50,
    9, 4, 0, 0, 1, 3, 1, 1, 0,            /* interface 0: HID, boot, keyboard */
    9, 0x21, 0x11, 0x01, 0, 1, 0x22, 63, 0,   /* HID descriptor: skipped */
    7, 5, 0x81, 3, 8, 0, 10,              /* EP 1 IN, interrupt, 8 bytes, 10 ms */
    9, 4, 1, 0, 1, 3, 1, 2, 0,            /* interface 1: HID, boot, mouse */
    7, 5, 0x82, 3, 4, 0, 10,
    9, 4, 1, 1, 1, 3, 1, 2, 0,            /* its alternate setting 1: ignored */
};

TEST(device_descriptor) {
    struct usb_device_desc d;
    CHECK(usb_parse_device(keyboard_device, 18, &d) == 0);
    CHECK(d.usb_version == 0x0200 && d.vendor == 0x0627 && d.product == 1 && d.max_packet0 == 8 &&
          d.n_configs == 1);
    CHECK(usb_parse_device(keyboard_device, 17, &d) != 0, "17 bytes");
    CHECK(usb_max_packet0(keyboard_device, 8) == 8, "the first 8 bytes suffice for the packet size");
    uint8_t b[18];
    memcpy(b, keyboard_device, 18);
    b[7] = 9;
    CHECK(usb_max_packet0(b, 8) == 0, "9 bytes is no USB 2 packet size");
    b[2] = 0x10, b[3] = 0x03;
    CHECK(usb_max_packet0(b, 8) == 512, "USB 3: an exponent");
    b[1] = 2;
    CHECK(usb_max_packet0(b, 8) == 0 && usb_parse_device(b, 18, &(struct usb_device_desc){0}) != 0,
          "not a device descriptor");
}

TEST(configuration_of_a_keyboard) {
    struct usb_config_info c;
    CHECK(usb_parse_config(keyboard_config, sizeof keyboard_config, &c) == 0);
    CHECK(c.value == 1 && c.total_length == 59);
    CHECK(c.n_interfaces == 2, "alternate settings are not interfaces: %d", c.n_interfaces);
    const struct usb_interface_info *k = &c.iface[0];
    CHECK(k->number == 0 && k->cls == 3 && k->subclass == 1 && k->protocol == 1 && k->n_endpoints == 1);
    CHECK(k->ep[0].address == 0x81 && (k->ep[0].attributes & 3) == 3 && k->ep[0].max_packet == 8 &&
          k->ep[0].interval == 10);
    CHECK(c.iface[1].protocol == 2 && c.iface[1].n_endpoints == 1, "the alternate setting's endpoint is dropped");
}

TEST(configuration_of_a_usb3_stick) {
    static const uint8_t b[] = {
        9, 2, 44, 0, 1, 1, 0, 0x80, 50,
        9, 4, 0, 0, 2, 8, 6, 0x50, 0,     /* mass storage, SCSI, Bulk-Only */
        7, 5, 0x81, 2, 0x00, 0x04, 0,     /* bulk IN, 1024 bytes */
        6, 0x30, 15, 0, 0, 0,             /* companion: burst 15 */
        7, 5, 0x02, 2, 0x00, 0x04, 0,     /* bulk OUT */
        6, 0x30, 3, 0, 0, 0,
    };
    struct usb_config_info c;
    CHECK(usb_parse_config(b, sizeof b, &c) == 0);
    CHECK(c.n_interfaces == 1 && c.iface[0].cls == 8 && c.iface[0].protocol == 0x50);
    CHECK(c.iface[0].n_endpoints == 2);
    CHECK(c.iface[0].ep[0].max_packet == 1024 && c.iface[0].ep[0].max_burst == 15);
    CHECK(c.iface[0].ep[1].address == 0x02 && c.iface[0].ep[1].max_burst == 3);
}

TEST(malformed_configurations) {
    struct usb_config_info c;
    uint8_t b[sizeof keyboard_config];
    memcpy(b, keyboard_config, sizeof b);
    CHECK(usb_parse_config(b, 8, &c) != 0, "shorter than its header");
    b[1] = 4;
    CHECK(usb_parse_config(b, sizeof b, &c) != 0, "not a configuration");
    memcpy(b, keyboard_config, sizeof b);
    b[18] = 0;   /* the HID descriptor's length: 0 would loop for ever */
    const char *why = usb_parse_config(b, sizeof b, &c);
    CHECK(why && !strchr(why, '\n'), "a zero bLength");
    memcpy(b, keyboard_config, sizeof b);
    b[2] = 5;    /* wTotalLength below the header */
    CHECK(usb_parse_config(b, sizeof b, &c) != 0);
    memcpy(b, keyboard_config, sizeof b);
    b[2] = 200;  /* claims more than came: what came is read */
    CHECK(usb_parse_config(b, sizeof b, &c) == 0 && c.n_interfaces == 2);
    /* cut inside the endpoint: the interface stays, the endpoint goes */
    CHECK(usb_parse_config(keyboard_config, 9 + 9 + 9 + 5, &c) == 0 && c.n_interfaces == 1 &&
          c.iface[0].n_endpoints == 0);
    /* more interfaces and endpoints than the structs hold: the rest ignored */
    uint8_t big[9 + 12 * (9 + 6 * 7)];
    size_t o = 9;
    for (int i = 0; i < 12; i++) {
        uint8_t f[9] = {9, 4, (uint8_t)i, 0, 6, 3, 1, 1, 0};
        memcpy(big + o, f, 9), o += 9;
        for (int e = 0; e < 6; e++) {
            uint8_t ep[7] = {7, 5, (uint8_t)(0x81 + e), 3, 8, 0, 1};
            memcpy(big + o, ep, 7), o += 7;
        }
    }
    uint8_t head[9] = {9, 2, (uint8_t)o, (uint8_t)(o >> 8), 12, 1, 0, 0x80, 0};
    memcpy(big, head, 9);
    CHECK(usb_parse_config(big, o, &c) == 0 && c.n_interfaces == USB_MAX_INTERFACES &&
          c.iface[USB_MAX_INTERFACES - 1].n_endpoints == USB_MAX_ENDPOINTS);
}

TEST(hub_descriptors) {
    struct usb_hub_info h;
    static const uint8_t usb2[9] = {9, 0x29, 4, 0x29, 0x00, 50, 100, 0, 0xFF};
    CHECK(usb_parse_hub(usb2, sizeof usb2, &h) == 0 && h.ports == 4 && h.power_on_ms == 100 &&
          ((h.characteristics >> 5) & 3) == 1);
    static const uint8_t usb3[12] = {12, 0x2A, 15, 0x09, 0, 10, 0, 0, 0, 0, 0, 0};
    CHECK(usb_parse_hub(usb3, sizeof usb3, &h) == 0 && h.ports == 15 && h.power_on_ms == 20);
    CHECK(usb_parse_hub(usb2, 6, &h) != 0, "too short");
    CHECK(usb_parse_hub(keyboard_device, 18, &h) != 0, "not a hub descriptor");
}

/* ------------------------------------------------------------ BOT and SCSI */

TEST(command_block_wrapper) {
    uint8_t cdb[16], cbw[BOT_CBW_SIZE];
    uint8_t n = scsi_read(cdb, 0x12345678, 128);
    bot_cbw(cbw, 0xA1B2C3D4, 65536, true, 2, cdb, n);
    static const uint8_t want[BOT_CBW_SIZE] = {
        'U', 'S', 'B', 'C', 0xD4, 0xC3, 0xB2, 0xA1, 0x00, 0x00, 0x01, 0x00, 0x80, 2, 10,
        0x28, 0, 0x12, 0x34, 0x56, 0x78, 0, 0, 128, 0, 0, 0, 0, 0, 0, 0};
    CHECK(memcmp(cbw, want, sizeof want) == 0);
}

TEST(read_10_or_16) {
    uint8_t cdb[16];
    CHECK(scsi_read(cdb, 0, 1) == 10 && cdb[0] == 0x28 && cdb[8] == 1);
    CHECK(scsi_read(cdb, 0xFFFFFFFFull, 1) == 10, "the last block READ (10) reaches");
    CHECK(scsi_read(cdb, 0xFFFFFFFFull, 2) == 16, "a read that ends past 2^32 blocks");
    CHECK(scsi_read(cdb, 0x123456789ull, 0x10000) == 16);
    static const uint8_t want[16] = {0x88, 0, 0, 0, 0, 0x01, 0x23, 0x45, 0x67, 0x89, 0, 1, 0, 0, 0, 0};
    CHECK(memcmp(cdb, want, 16) == 0);
    CHECK(scsi_read(cdb, 0, 0x10000) == 16, "more than 65535 blocks");
}

TEST(command_status_wrapper) {
    uint8_t csw[13] = {'U', 'S', 'B', 'S', 7, 0, 0, 0, 0x00, 0x02, 0, 0, 0};
    uint32_t residue = 0;
    CHECK(bot_csw(csw, 13, 7, &residue) == BOT_PASSED && residue == 512);
    CHECK(bot_csw(csw, 13, 8, &residue) == BOT_INVALID, "another command's tag");
    CHECK(bot_csw(csw, 12, 7, &residue) == BOT_INVALID, "12 bytes");
    csw[12] = 1;
    CHECK(bot_csw(csw, 13, 7, &residue) == BOT_FAILED);
    csw[12] = 2;
    CHECK(bot_csw(csw, 13, 7, &residue) == BOT_PHASE_ERROR);
    csw[12] = 3;
    CHECK(bot_csw(csw, 13, 7, &residue) == BOT_INVALID);
    csw[12] = 0;
    csw[3] = 'C';
    CHECK(bot_csw(csw, 13, 7, &residue) == BOT_INVALID, "a CBW signature");
}

TEST(inquiry_answers) {
    uint8_t b[36] = {0x00, 0x80, 5, 2, 31, 0, 0, 0};
    memcpy(b + 8, "SanDisk ", 8);
    memcpy(b + 16, "Cruzer Blade    ", 16);
    struct scsi_inquiry_info q;
    CHECK(scsi_parse_inquiry(b, 36, &q) == 0 && q.device_type == 0 && q.removable);
    CHECK(strcmp(q.model, "SanDisk Cruzer Blade") == 0, "got [%s]", q.model);
    memcpy(b + 8, "        ", 8);
    b[20] = 0x07;   /* a control character in the name */
    CHECK(scsi_parse_inquiry(b, 36, &q) == 0 && strcmp(q.model, "Cruz?r Blade") == 0, "got [%s]", q.model);
    CHECK(scsi_parse_inquiry(b, 20, &q) == 0 && q.model[0] == 0, "short: no name, still a unit");
    b[0] = 0x7F;    /* qualifier 3: no unit */
    CHECK(scsi_parse_inquiry(b, 36, &q) != 0);
    CHECK(scsi_parse_inquiry(b, 4, &q) != 0);
}

TEST(capacity_answers) {
    uint64_t sectors;
    uint32_t size;
    bool need16;
    uint8_t c10[8] = {0x00, 0x1F, 0xFF, 0xFF, 0x00, 0x00, 0x02, 0x00};   /* 1 GiB of 512 */
    CHECK(scsi_parse_capacity10(c10, 8, &sectors, &size, &need16) == 0 && !need16 &&
          sectors == 2097152 && size == 512);
    uint8_t big[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0x10, 0};
    CHECK(scsi_parse_capacity10(big, 8, &sectors, &size, &need16) == 0 && need16, "2 TiB and more");
    uint8_t c16[32] = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x10, 0x00};   /* 2^32 + 1 sectors of 4096 */
    CHECK(scsi_parse_capacity16(c16, 32, &sectors, &size) == 0 && sectors == 0x100000001ull && size == 4096);
    uint8_t odd[8] = {0, 0, 0x10, 0, 0, 0, 0x02, 0x01};   /* 513-byte sectors */
    CHECK(scsi_parse_capacity10(odd, 8, &sectors, &size, &need16) != 0);
    uint8_t zero[8] = {0, 0, 0x10, 0, 0, 0, 0, 0};
    CHECK(scsi_parse_capacity10(zero, 8, &sectors, &size, &need16) != 0, "0-byte sectors");
    CHECK(scsi_parse_capacity10(c10, 7, &sectors, &size, &need16) != 0, "7 bytes");
    uint8_t huge[12] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 2, 0};
    CHECK(scsi_parse_capacity16(huge, 12, &sectors, &size) != 0, "2^64 sectors");
}

TEST(sense_data) {
    uint8_t key, asc, ascq;
    uint8_t fixed[18] = {0x70, 0, 0x02, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x3A, 0x00};
    CHECK(scsi_parse_sense(fixed, 18, &key, &asc, &ascq) && key == 2 && asc == 0x3A && ascq == 0,
          "not ready, medium not present");
    uint8_t desc[8] = {0x72, 0x06, 0x28, 0x00};
    CHECK(scsi_parse_sense(desc, 8, &key, &asc, &ascq) && key == 6 && asc == 0x28, "unit attention");
    CHECK(!scsi_parse_sense(fixed, 13, &key, &asc, &ascq), "fixed format cut short");
    uint8_t junk[18] = {0x12};
    CHECK(!scsi_parse_sense(junk, 18, &key, &asc, &ascq));
}

/* ------------------------------------------------------------ xHCI ring */

#define LINK 6
static uint32_t type_of(const struct xhci_trb *t) { return (t->control >> 10) & 0x3F; }

TEST(ring_link_and_cycle) {
    struct xhci_trb *trb = aligned_alloc(64, 8 * sizeof *trb);
    struct xhci_ring r;
    xhci_ring_init(&r, trb, 8);
    CHECK(r.enq == 0 && r.cycle == 1 && xhci_ring_capacity(&r) == 7);
    CHECK(type_of(&trb[7]) == LINK && (trb[7].control & 1) == 0 && (trb[7].control & 2),
          "a link with toggle-cycle, not yet the controller's");
    CHECK(trb[7].param == (uint64_t)(uintptr_t)trb, "the link points at the start");
    for (uint32_t i = 0; i < 7; i++) {
        uint32_t at = xhci_ring_put(&r, 100 + i, i, 1u << 10 | 1 /* cycle bit ignored */, false);
        CHECK(at == i && trb[i].param == 100 + i && (trb[i].control & 1) == 1);
    }
    CHECK(r.enq == 0 && r.cycle == 0, "past the link: back at 0, cycle toggled");
    CHECK((trb[7].control & 1) == 1, "the link handed over with the old cycle");
    CHECK((trb[7].control & (1u << 4)) == 0, "no chain bit: no TD crosses it");
    xhci_ring_put(&r, 200, 0, 1u << 10, false);
    CHECK((trb[0].control & 1) == 0, "second pass: cycle 0");
    free(trb);
}

TEST(ring_held_first_trb_and_chained_link) {
    struct xhci_trb *trb = aligned_alloc(64, 4 * sizeof *trb);
    struct xhci_ring r;
    xhci_ring_init(&r, trb, 4);
    xhci_ring_put(&r, 0, 0, 1u << 10, false);
    uint32_t first = xhci_ring_put(&r, 1, 0, 1u << 10 | 1u << 4 /* chain */, true);
    CHECK(first == 1 && (trb[1].control & 1) == 0, "held: the wrong cycle bit");
    CHECK((trb[3].control & 1) == 0, "the link is not reached yet");
    uint32_t last = xhci_ring_put(&r, 2, 0, 1u << 10 | 1u << 4, false);
    CHECK(last == 2 && (trb[3].control & (1u << 4)) && (trb[3].control & 1) == 1,
          "a TD that crosses the link: the link carries the chain bit");
    uint32_t after = xhci_ring_put(&r, 3, 0, 1u << 10, false);
    CHECK(after == 0 && (trb[0].control & 1) == 0);
    xhci_ring_release(&r, first);
    CHECK((trb[1].control & 1) == 1, "released");
    /* the run 2..0 wraps past the link */
    CHECK(xhci_ring_in_run(&r, 2, 0, 2) && xhci_ring_in_run(&r, 2, 0, 3) && xhci_ring_in_run(&r, 2, 0, 0));
    CHECK(!xhci_ring_in_run(&r, 2, 0, 1));
    CHECK(xhci_ring_in_run(&r, 1, 1, 1) && !xhci_ring_in_run(&r, 1, 1, 2));
    CHECK(xhci_ring_index(&r, xhci_ring_addr(&r, 2)) == 2);
    CHECK(xhci_ring_index(&r, xhci_ring_addr(&r, 2) + 8) == -1, "inside a TRB");
    CHECK(xhci_ring_index(&r, xhci_ring_addr(&r, 0) - 16) == -1 && xhci_ring_index(&r, xhci_ring_addr(&r, 4)) == -1,
          "outside the ring");
    free(trb);
}

/* ------------------------------------------------------------ BIOS hand-off */

static volatile uint32_t legsup[2];
static uint64_t fake_ms;
static int bios_lets_go_at;   /* call of the clock when the made-up BIOS clears its bit; -1 never */
static int clock_calls;

static uint64_t fake_clock(void) {
    if (++clock_calls == bios_lets_go_at) legsup[0] &= ~(1u << 16);
    return fake_ms += 10;
}

static void setup_bios(uint32_t sup, uint32_t ctl, int lets_go_at) {
    legsup[0] = sup;
    legsup[1] = ctl;
    fake_ms = 0;
    clock_calls = 0;
    bios_lets_go_at = lets_go_at;
}

TEST(handoff_without_bios) {
    setup_bios(0x00000401, 0x00000000, -1);
    CHECK(xhci_handoff(legsup, fake_clock, 1000) == XHCI_HANDOFF_FREE);
    CHECK(legsup[0] == (0x00000401 | 1u << 24), "OS owned set, the rest kept: %#x", legsup[0]);
    CHECK(legsup[1] == 0xE0000000u, "SMI events cleared by writing 1: %#x", legsup[1]);
}

TEST(handoff_bios_lets_go) {
    /* BIOS owned; SMIs on USB, ownership change, PCI command, BAR; reserved bits 1-3 set */
    setup_bios(0x00010001, 0x0000E01Fu | 0x80000000u, 5);
    CHECK(xhci_handoff(legsup, fake_clock, 1000) == XHCI_HANDOFF_RELEASED);
    CHECK((legsup[0] & (1u << 16)) == 0 && (legsup[0] & (1u << 24)), "ours now: %#x", legsup[0]);
    CHECK(fake_ms < 1000, "no waiting beyond the BIOS's answer");
    CHECK((legsup[1] & 0x0000E011u) == 0, "every SMI enable off: %#x", legsup[1]);
    CHECK((legsup[1] & 0x0000000Eu) == 0x0000000Eu, "reserved bits kept: %#x", legsup[1]);
    CHECK((legsup[1] & 0xE0000000u) == 0xE0000000u, "events acknowledged");
}

TEST(handoff_bios_never_answers) {
    setup_bios(0x00010001, 0x00000001, -1);
    CHECK(xhci_handoff(legsup, fake_clock, 1000) == XHCI_HANDOFF_FORCED);
    CHECK(fake_ms >= 1000 && fake_ms <= 1100, "waited the time-out, not more: %llu ms",
          (unsigned long long)fake_ms);
    CHECK((legsup[0] & (1u << 16)) == 0 && (legsup[0] & (1u << 24)), "taken: %#x", legsup[0]);
    CHECK((legsup[1] & 1) == 0);
}

RUN_TESTS(device_descriptor, configuration_of_a_keyboard, configuration_of_a_usb3_stick,
          malformed_configurations, hub_descriptors, command_block_wrapper, read_10_or_16,
          command_status_wrapper, inquiry_answers, capacity_answers, sense_data, ring_link_and_cycle,
          ring_held_first_trb_and_chained_link, handoff_without_bios, handoff_bios_lets_go,
          handoff_bios_never_answers)
