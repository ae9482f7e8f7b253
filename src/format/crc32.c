/*
 * crc32.c — table-driven CRC-32 (zlib polynomial), "slice-by-8".
 *
 * The CRC is the remainder of the message, read as a polynomial over GF(2)
 * with bit 0 of the first byte as the highest power, divided by
 * P(x) = x^32 + x^26 + x^23 + x^22 + x^16 + x^12 + x^11 + x^10 + x^8 + x^7
 *        + x^5 + x^4 + x^2 + x + 1 (0xEDB88320 in this reflected bit order),
 * with the register started at all ones and inverted at the end.
 *
 * The byte-at-a-time method uses t[0][b] = the remainder of byte b shifted
 * through 8 steps of the division. Slice-by-8 folds 8 bytes per step:
 * t[k][b] is the effect of byte b when it is followed by k more bytes
 * (t[k][b] = t[0][t[k-1][b] & 0xff] ^ (t[k-1][b] >> 8)), so the eight table
 * lookups are independent and the loop runs at several bytes per cycle.
 * Bytes are assembled explicitly, so the code is endian-neutral.
 *
 * This is not a cryptographic hash, and does not use CPU CRC instructions
 * (those would belong in arch/).
 */
#include <pthread.h>
#include "crc32.h"

static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t c = b;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        crc_table[0][b] = c;
    }
    for (int k = 1; k < 8; k++)
        for (int b = 0; b < 256; b++) {
            uint32_t c = crc_table[k - 1][b];
            crc_table[k][b] = crc_table[0][c & 0xff] ^ (c >> 8);
        }
}

uint32_t mote_crc32(uint32_t crc, const void *buf, size_t len)
{
    pthread_once(&crc_once, crc_init);
    const uint8_t *p = buf;
    const uint32_t (*t)[256] = (const uint32_t (*)[256])crc_table;
    uint32_t c = ~crc;
    while (len >= 8) {
        uint32_t lo = c ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
                           (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        c = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^
            t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^
            t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
        p += 8;
        len -= 8;
    }
    while (len--)
        c = t[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return ~c;
}
