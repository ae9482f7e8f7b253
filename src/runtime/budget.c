/*
 * budget.c — the memory budget (see budget.h): reading MOTE_MAX_BYTES,
 * the physical-memory default and the checks. Not an allocator.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include "graph/internal.h"
#include "budget.h"

/* "123", "64K", "512M", "2G" (powers of 1024); 0 if malformed. */
static size_t parse_bytes(const char *s)
{
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s) return 0;
    unsigned shift = 0;
    switch (toupper((unsigned char)*end)) {
    case 'K': shift = 10; end++; break;
    case 'M': shift = 20; end++; break;
    case 'G': shift = 30; end++; break;
    case 'T': shift = 40; end++; break;
    default: break;
    }
    if (*end == 'B' || *end == 'b') end++;
    if (*end != '\0') return 0;
    if (shift && v > (SIZE_MAX >> shift)) return SIZE_MAX;
    return (size_t)(v << shift);
}

static size_t physical_default(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return (size_t)1 << 30;   /* unknown: 1 GiB */
    size_t phys;
    if (!mote_mul_size((size_t)pages, (size_t)page, &phys)) return SIZE_MAX / 4 * 3;
    return phys / 4 * 3;
}

size_t mote_limit_bytes(size_t option)
{
    if (option) return option;
    const char *env = getenv("MOTE_MAX_BYTES");
    if (env && *env) {
        size_t v = parse_bytes(env);
        if (v) return v;
    }
    return physical_default();
}

mote_status mote_limit_check(size_t bytes, size_t budget, const char *what)
{
    if (bytes <= budget) return MOTE_OK;
    return mote_error(MOTE_ERR_LIMIT,
                      "%s needs %zu bytes, over the memory budget of %zu bytes "
                      "(raise it with MOTE_MAX_BYTES or the max_bytes session option)",
                      what, bytes, budget);
}

_Bool mote_limit_tensor_bytes(const mote_tensor *t, size_t *bytes)
{
    size_t n = mote_dtype_size(t->dtype);
    for (int i = 0; i < t->ndim; i++) {
        if (t->dims[i] < 0) return 0;
        if (!mote_mul_size(n, (size_t)t->dims[i], &n)) return 0;
    }
    *bytes = n;
    return 1;
}

mote_status mote_budget_add(mote_budget *b, size_t *kind, size_t bytes, const char *what)
{
    size_t total;
    if (!mote_add_size(b->total, bytes, &total))
        return mote_error(MOTE_ERR_LIMIT, "%s needs %zu bytes on top of %zu already held: "
                          "the sum overflows", what, bytes, b->total);
    if (total > b->limit)
        return mote_error(MOTE_ERR_LIMIT,
                          "%s needs %zu bytes on top of %zu already held by the session, "
                          "over the memory budget of %zu bytes (raise it with MOTE_MAX_BYTES "
                          "or the max_bytes session option)", what, bytes, b->total, b->limit);
    b->total = total;
    *kind += bytes;
    return MOTE_OK;
}

mote_status mote_budget_add_n(mote_budget *b, size_t *kind, size_t n, size_t size,
                              const char *what)
{
    size_t bytes;
    if (!mote_mul_size(n, size, &bytes))
        return mote_error(MOTE_ERR_LIMIT, "%s: %zu items of %zu bytes overflow", what, n, size);
    return mote_budget_add(b, kind, bytes, what);
}
