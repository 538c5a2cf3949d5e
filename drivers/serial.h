/* COM1, a 16550 UART at 115200 8N1. Absent on many laptops: then every call
 * is a no-op and the kernel carries on with the screen alone. */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <stdbool.h>
#include <stddef.h>

bool serial_init(void);                       /* true when a UART answered */
void serial_write(const char *s, size_t n);   /* "\n" goes out as "\r\n" */
int serial_read_byte(void);                   /* -1 when nothing waits */

#endif
