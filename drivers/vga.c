/* The VGA text-mode cursor (see vga.h). */
#include "drivers/vga.h"
#include "kernel/io.h"

#define CRTC_INDEX 0x3D4             /* colour text modes; 0x3B4 is the mono adapter's */
#define CRTC_DATA 0x3D5
#define CURSOR_START 0x0A            /* its bit 5 turns the cursor off */

void vga_hide_cursor(void) {
    outb(CRTC_INDEX, CURSOR_START);
    outb(CRTC_DATA, 0x20);
}
