/*
 * dtype.c — element types, tensor views and half-precision conversion.
 *
 * f16: IEEE 754 binary16 (1 sign, 5 exponent, 10 mantissa bits).
 * bf16: the top 16 bits of an IEEE binary32. Both conversions from f32 round
 * to nearest, ties to even, and keep NaN a NaN.
 */
#include <stdio.h>
#include <string.h>
#include "internal.h"

static const struct { const char *name; size_t size; } dtypes[MOTE_DTYPE_COUNT] = {
    [MOTE_F32] = {"f32", 4}, [MOTE_F16] = {"f16", 2}, [MOTE_BF16] = {"bf16", 2},
    [MOTE_I8] = {"i8", 1},   [MOTE_U8] = {"u8", 1},   [MOTE_I32] = {"i32", 4},
    [MOTE_I64] = {"i64", 8}, [MOTE_BOOL] = {"bool", 1},
};

size_t mote_dtype_size(mote_dtype t)
{
    return ((unsigned)t < MOTE_DTYPE_COUNT) ? dtypes[t].size : 0;
}

const char *mote_dtype_name(mote_dtype t)
{
    return ((unsigned)t < MOTE_DTYPE_COUNT) ? dtypes[t].name : NULL;
}

mote_dtype mote_dtype_from_name(const char *name)
{
    for (int t = 1; t < MOTE_DTYPE_COUNT; t++)
        if (name && strcmp(name, dtypes[t].name) == 0) return (mote_dtype)t;
    return (mote_dtype)0;
}

static uint32_t f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float bits_f32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

float mote_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    if (exp == 0x1f)                       /* inf / nan */
        return bits_f32(sign | 0x7f800000u | (man << 13));
    if (exp == 0) {
        if (man == 0) return bits_f32(sign);
        /* subnormal: value = man * 2^-24 */
        float v = (float)man * (1.0f / 16777216.0f);
        return sign ? -v : v;
    }
    return bits_f32(sign | ((exp + 112) << 23) | (man << 13));
}

uint16_t mote_f32_to_f16(float f)
{
    uint32_t u = f32_bits(f);
    uint32_t sign = (u >> 16) & 0x8000;
    uint32_t exp = (u >> 23) & 0xff, man = u & 0x7fffff;
    if (exp == 0xff)                       /* inf / nan (keep a quiet nan) */
        return (uint16_t)(sign | 0x7c00 | (man ? 0x200 | (man >> 13) : 0));
    int e = (int)exp - 127 + 15;
    if (e >= 0x1f) return (uint16_t)(sign | 0x7c00);      /* overflow -> inf */
    if (e <= 0) {                                          /* subnormal or 0  */
        if (e < -10) return (uint16_t)sign;
        man |= 0x800000;                   /* implicit bit */
        int shift = 14 - e;                /* 24-bit mantissa -> 10 bits at 2^-24 */
        uint32_t half = man >> shift;
        uint32_t rem = man & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1))) half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = ((uint32_t)e << 10) | (man >> 13);
    uint32_t rem = man & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1))) half++;  /* may carry into exp: correct */
    return (uint16_t)(sign | half);
}

float mote_bf16_to_f32(uint16_t h) { return bits_f32((uint32_t)h << 16); }

uint16_t mote_f32_to_bf16(float f)
{
    uint32_t u = f32_bits(f);
    if ((u & 0x7fffffff) > 0x7f800000) return (uint16_t)((u >> 16) | 0x40);  /* quiet nan */
    u += 0x7fff + ((u >> 16) & 1);         /* round to nearest even */
    return (uint16_t)(u >> 16);
}

int64_t mote_tensor_numel(const mote_tensor *t)
{
    if (!t || t->ndim < 0 || t->ndim > MOTE_MAX_DIMS) return -1;
    /* The product of the non-zero dims must fit too: a (0, 2^62, 2^62)
     * tensor is empty, but every op's product of some of its dims (rows,
     * plane sizes) would overflow. */
    int64_t n = 1;
    bool empty = false;
    for (int i = 0; i < t->ndim; i++) {
        if (t->dims[i] < 0) return -1;
        if (t->dims[i] == 0) empty = true;
        else if (__builtin_mul_overflow(n, t->dims[i], &n)) return -1;
    }
    return empty ? 0 : n;
}

size_t mote_tensor_nbytes(const mote_tensor *t)
{
    int64_t n = mote_tensor_numel(t);
    size_t r;
    /* A tensor must be addressable with pointer differences: <= PTRDIFF_MAX. */
    if (n < 0 || !mote_mul_size((size_t)n, mote_dtype_size(t->dtype), &r) || r > (size_t)PTRDIFF_MAX)
        return 0;
    return r;
}

char *mote_tensor_describe(const mote_tensor *t, char *buf, size_t len)
{
    if (!buf || len == 0) return buf;
    const char *dn = t ? mote_dtype_name(t->dtype) : NULL;
    size_t o = (size_t)snprintf(buf, len, "%s[", dn ? dn : "?");
    for (int i = 0; t && i < t->ndim && i < MOTE_MAX_DIMS && o < len; i++) {
        if (t->dims[i] < 0)
            o += (size_t)snprintf(buf + o, len - o, "%s?", i ? "," : "");
        else
            o += (size_t)snprintf(buf + o, len - o, "%s%lld", i ? "," : "", (long long)t->dims[i]);
    }
    if (o < len) snprintf(buf + o, len - o, "]");
    return buf;
}

double mote_elem_f64(const void *data, mote_dtype t, int64_t i)
{
    switch (t) {
    case MOTE_F32: return ((const float *)data)[i];
    case MOTE_F16: return mote_f16_to_f32(((const uint16_t *)data)[i]);
    case MOTE_BF16: return mote_bf16_to_f32(((const uint16_t *)data)[i]);
    case MOTE_I8: return ((const int8_t *)data)[i];
    case MOTE_U8: return ((const uint8_t *)data)[i];
    case MOTE_I32: return ((const int32_t *)data)[i];
    case MOTE_I64: return (double)((const int64_t *)data)[i];
    case MOTE_BOOL: return ((const uint8_t *)data)[i];
    }
    return 0;
}
