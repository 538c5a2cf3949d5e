/* The xHCI BIOS-to-OS hand-off (see xhci_handoff.h).
 *
 * USBLEGSUP: bits 7-0 capability id (1), bit 16 "HC BIOS Owned Semaphore",
 * bit 24 "HC OS Owned Semaphore". USBLEGCTLSTS (the next dword): SMI enable
 * bits 0 (USB SMI), 4 (host system error), 13 (OS ownership change), 14
 * (PCI command), 15 (BAR); bits 31-29 are the matching SMI events,
 * cleared by writing 1. Linux and the firmware writers do the same: ask,
 * wait (1 s), and when the BIOS never answers, take the controller and
 * clear the BIOS's bit ourselves; its SMIs are then switched off either
 * way so that SMM stops touching the registers. */
#include "drivers/xhci_handoff.h"

#define BIOS_OWNED (1u << 16)
#define OS_OWNED (1u << 24)
#define SMI_ENABLES ((1u << 0) | (1u << 4) | (1u << 13) | (1u << 14) | (1u << 15))
#define SMI_EVENTS (7u << 29)

enum xhci_handoff_result xhci_handoff(volatile uint32_t *legsup, uint64_t (*now_ms)(void),
                                      uint64_t timeout_ms) {
    enum xhci_handoff_result r = XHCI_HANDOFF_FREE;
    uint32_t v = legsup[0];
    if (v & BIOS_OWNED) {
        legsup[0] = v | OS_OWNED;
        uint64_t start = now_ms();
        r = XHCI_HANDOFF_RELEASED;
        while (legsup[0] & BIOS_OWNED) {
            if (now_ms() - start >= timeout_ms) {
                legsup[0] = (legsup[0] & ~BIOS_OWNED) | OS_OWNED;
                r = XHCI_HANDOFF_FORCED;
                break;
            }
        }
    } else {
        legsup[0] = v | OS_OWNED;
    }
    uint32_t ctl = legsup[1];
    legsup[1] = (ctl & ~(SMI_ENABLES | SMI_EVENTS)) | SMI_EVENTS;
    return r;
}
