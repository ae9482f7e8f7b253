/*
 * crc32.h — CRC-32 as used by .mote files: the IEEE 802.3 / zlib / PNG
 * polynomial (reflected 0xEDB88320, initial value and final xor 0xFFFFFFFF),
 * so `zlib.crc32(bytes)` in Python gives the same number for the same bytes.
 *
 * It is a checksum against accidental damage, not a signature: anyone can
 * recompute it after changing a file on purpose.
 */
#ifndef MOTE_CRC32_H
#define MOTE_CRC32_H

#include <stddef.h>
#include <stdint.h>

/*
 * Continues a CRC over len more bytes: start with crc = 0;
 * mote_crc32(mote_crc32(0, a, na), b, nb) equals the CRC of a followed by b,
 * exactly as zlib's crc32() chains.
 */
uint32_t mote_crc32(uint32_t crc, const void *buf, size_t len);

#endif
