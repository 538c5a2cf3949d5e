/* Taking an xHCI controller from the firmware: the USB Legacy Support
 * extended capability (xHCI specification 7.1). While the BIOS owns the
 * controller it may drive it from System Management Mode (to emulate a
 * PS/2 keyboard); the OS asks for it by setting "OS owned" and waits for
 * the BIOS to clear "BIOS owned", then switches off the SMIs the BIOS had
 * asked for. No hardware here beyond the two registers given: the host
 * tests play the BIOS through the clock callback. */
#ifndef DRIVERS_XHCI_HANDOFF_H
#define DRIVERS_XHCI_HANDOFF_H

#include <stdint.h>

enum xhci_handoff_result {
    XHCI_HANDOFF_FREE,       /* the BIOS did not own it */
    XHCI_HANDOFF_RELEASED,   /* the BIOS let go in time */
    XHCI_HANDOFF_FORCED,     /* the BIOS did not answer within the time-out: taken anyway */
};

/* legsup points at the capability (USBLEGSUP, then USBLEGCTLSTS after it).
 * now_ms is a clock; waits up to timeout_ms. */
enum xhci_handoff_result xhci_handoff(volatile uint32_t *legsup, uint64_t (*now_ms)(void),
                                      uint64_t timeout_ms);

#endif
