/* The VGA's text mode, beyond its character buffer (drivers/fbcon.c draws
 * into that): the blinking hardware cursor. */
#ifndef DRIVERS_VGA_H
#define DRIVERS_VGA_H

/* Hides the hardware cursor, which the BIOS and GRUB leave blinking where
 * they last wrote; fbcon draws its own. */
void vga_hide_cursor(void);

#endif
