/* For host tests that build firmware tables byte by byte (ACPI): little-
 * endian stores at any alignment, and the 8-bit sum a checksum zeroes. */
#ifndef TESTS_HOST_TABLE_BYTES_H
#define TESTS_HOST_TABLE_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static inline uint8_t sum(const uint8_t *p, size_t n) {
    uint8_t s = 0;
    while (n--) s = (uint8_t)(s + *p++);
    return s;
}

#endif
