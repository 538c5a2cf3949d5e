/* The CRC-32 of the GPT headers and partition entry arrays (IEEE 802.3,
 * reflected, polynomial 0xEDB88320, as zlib computes it). */
#ifndef LIB_FS_CRC32_H
#define LIB_FS_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continues a CRC: crc32_update(0, p, n) is the CRC of p[0..n); feeding
 * the bytes in pieces gives the same result. */
uint32_t crc32_update(uint32_t crc, const void *p, size_t n);

#endif
