/*
 * tokenizer_bpe.c — byte-level BPE (GPT-2's scheme, llama 3's pre-tokenizer;
 * see tokenizer.h): the byte <-> code point map, the pre-tokenizer, the
 * merge table and the encode/decode of this kind. The llama2.c kind is in
 * tokenizer.c, which dispatches here.
 */
#include <stdlib.h>
#include <string.h>
#include "tokenizer.h"
#include "tokenizer_bpe.h"
#include "graph/internal.h"

/*
 * GPT-2's map from bytes to printable code points: the bytes '!'..'~',
 * 0xA1..0xAC and 0xAE..0xFF stand for themselves; the other 68 (controls,
 * space, 0x7F..0xA0, 0xAD) take 256, 257, ... in byte order. A space is
 * thus U+0120 'Ġ', a newline U+010A 'Ċ'.
 */
static int byte_cp(int b)
{
    static int map[256], made;
    if (!made) {
        int next = 256;
        for (int i = 0; i < 256; i++) {
            int keep = (i >= '!' && i <= '~') || (i >= 0xA1 && i <= 0xAC) || (i >= 0xAE);
            map[i] = keep ? i : next++;
        }
        made = 1;   /* the same values whichever thread gets here first */
    }
    return map[b];
}

/* The byte a code point stands for, or -1. */
static int cp_byte(int cp)
{
    if (cp < 0 || cp >= 256 + 68) return -1;
    for (int b = 0; b < 256; b++)
        if (byte_cp(b) == cp) return b;
    return -1;
}

static size_t put_utf8(int cp, char *out)
{
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;   /* the map only reaches U+0143 */
}

/* The code point at s (length of its UTF-8 in *len, at least 1); a
 * malformed sequence is read as its first byte. */
static int get_utf8(const unsigned char *s, size_t avail, size_t *len)
{
    unsigned c = s[0];
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || (size_t)n > avail) { *len = 1; return (int)c; }
    int cp = n == 1 ? (int)c : n == 2 ? (int)(c & 0x1F) : n == 3 ? (int)(c & 0x0F) : (int)(c & 0x07);
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) { *len = 1; return (int)c; }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *len = (size_t)n;
    return cp;
}

static uint64_t fnv(const char *a, const char *b)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *a; a++) h = (h ^ (unsigned char)*a) * 0x100000001b3ULL;
    h = (h ^ ' ') * 0x100000001b3ULL;
    for (; *b; b++) h = (h ^ (unsigned char)*b) * 0x100000001b3ULL;
    return h;
}

/* The rank of merging symbols a and b, or -1. */
static int merge_rank(const mote_tokenizer *t, const char *a, size_t la, const char *b, size_t lb)
{
    char sa[256], sb[256];
    if (la >= sizeof sa || lb >= sizeof sb) return -1;
    memcpy(sa, a, la); sa[la] = '\0';
    memcpy(sb, b, lb); sb[lb] = '\0';
    size_t mask = t->merge_cap - 1, i = (size_t)fnv(sa, sb) & mask;
    for (;;) {
        int32_t r = t->merge_hash[i];
        if (r < 0) return -1;
        if (!strcmp(t->merge_left[r], sa) && !strcmp(t->merge_right[r], sb)) return r;
        i = (i + 1) & mask;
    }
}

mote_status mote_bpe_prepare(mote_tokenizer *t)
{
    /* the merges: split at their space, hashed by (left, right) */
    t->merge_left = malloc(sizeof *t->merge_left * (size_t)(t->n_merges + 1));
    t->merge_right = malloc(sizeof *t->merge_right * (size_t)(t->n_merges + 1));
    size_t cap = 16;
    while (cap < (size_t)t->n_merges * 2) cap *= 2;
    t->merge_cap = cap;
    t->merge_hash = malloc(sizeof *t->merge_hash * cap);
    t->text_off = malloc(sizeof *t->text_off * ((size_t)t->n_vocab + 1));
    t->text = malloc(t->pool_bytes + 1);
    if (!t->merge_left || !t->merge_right || !t->merge_hash || !t->text_off || !t->text)
        return mote_error(MOTE_ERR_NOMEM, "tokenizer: out of memory");
    for (size_t i = 0; i < cap; i++) t->merge_hash[i] = -1;
    size_t off = 0;
    for (int r = 0; r < t->n_merges; r++) {
        char *m = t->merges + off;
        const char *end = off < t->merges_bytes ? memchr(m, '\0', t->merges_bytes - off) : NULL;
        char *sp = end ? memchr(m, ' ', (size_t)(end - m)) : NULL;
        if (!sp || sp == m || sp + 1 == end)
            return mote_error(MOTE_ERR_FORMAT, "tokenizer: merge %d of %d is not \"left right\"",
                              r, t->n_merges);
        *sp = '\0';
        t->merge_left[r] = m;
        t->merge_right[r] = sp + 1;
        size_t i = (size_t)fnv(m, sp + 1) & (cap - 1);
        while (t->merge_hash[i] >= 0) i = (i + 1) & (cap - 1);
        t->merge_hash[i] = r;
        off += (size_t)(end - m) + 1;
    }
    /* each piece's bytes: code points mapped back (others kept as UTF-8) */
    size_t used = 0;
    for (int id = 0; id < t->n_vocab; id++) {
        t->text_off[id] = used;
        if (t->types && (t->types[id] == 3 || t->types[id] == 5)) continue;   /* control, unused */
        const unsigned char *p = (const unsigned char *)t->vocab[id];
        size_t l = strlen((const char *)p);
        for (size_t k = 0; k < l;) {
            size_t n;
            int cp = get_utf8(p + k, l - k, &n);
            int b = cp_byte(cp);
            if (b >= 0) t->text[used++] = (char)b;
            else { memcpy(t->text + used, p + k, n); used += n; }
            k += n;
        }
    }
    t->text_off[t->n_vocab] = used;
    return MOTE_OK;
}

/*
 * Character classes for the pre-tokenizer's \p{L}, \p{N} and \s. ASCII is
 * exact; above it, a table of the ranges of the Unicode blocks that hold
 * digits and number forms, spaces, and punctuation, symbols, marks and
 * controls (neither L nor N); every other code point counts as a letter.
 * An approximation of the full Unicode tables (that llama.cpp carries),
 * exact for ASCII and for the common punctuation, digits and spaces.
 */
typedef struct cp_range { int lo, hi; } cp_range;

static int in_ranges(int cp, const cp_range *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cp >= r[i].lo && cp <= r[i].hi) return 1;
    return 0;
}

static int is_space(int cp)
{
    static const cp_range r[] = {
        { 0x09, 0x0D }, { 0x20, 0x20 }, { 0x85, 0x85 }, { 0xA0, 0xA0 }, { 0x1680, 0x1680 },
        { 0x2000, 0x200A }, { 0x2028, 0x2029 }, { 0x202F, 0x202F }, { 0x205F, 0x205F },
        { 0x3000, 0x3000 },
    };
    return in_ranges(cp, r, sizeof r / sizeof r[0]);
}

static int is_digit(int cp)
{
    static const cp_range r[] = {
        { '0', '9' }, { 0xB2, 0xB3 }, { 0xB9, 0xB9 }, { 0xBC, 0xBE }, { 0x660, 0x669 },
        { 0x6F0, 0x6F9 }, { 0x7C0, 0x7C9 }, { 0x966, 0x96F }, { 0x9E6, 0x9EF }, { 0xE50, 0xE59 },
        { 0x2070, 0x2070 }, { 0x2074, 0x2079 }, { 0x2080, 0x2089 }, { 0x2150, 0x2189 },
        { 0x2460, 0x249B }, { 0x24EA, 0x24FF }, { 0x2776, 0x2793 }, { 0x3007, 0x3007 },
        { 0x3021, 0x3029 }, { 0xFF10, 0xFF19 },
    };
    return in_ranges(cp, r, sizeof r / sizeof r[0]);
}

/* neither letter nor digit nor space: punctuation, symbols, marks, controls */
static int is_other(int cp)
{
    static const cp_range r[] = {
        { 0x00, 0x08 }, { 0x0E, 0x1F }, { 0x21, 0x2F }, { 0x3A, 0x40 }, { 0x5B, 0x60 },
        { 0x7B, 0x84 }, { 0x86, 0x9F }, { 0xA1, 0xA9 }, { 0xAB, 0xB1 }, { 0xB4, 0xB4 },
        { 0xB6, 0xB8 }, { 0xBB, 0xBB }, { 0xBF, 0xBF }, { 0xD7, 0xD7 }, { 0xF7, 0xF7 },
        { 0x2C2, 0x2C5 }, { 0x2D2, 0x2DF }, { 0x300, 0x36F }, { 0x2010, 0x2027 },
        { 0x2030, 0x205E }, { 0x2060, 0x206F }, { 0x20A0, 0x20FF }, { 0x2190, 0x245F },
        { 0x2500, 0x2775 }, { 0x2794, 0x2BFF }, { 0x2E00, 0x2E7F }, { 0x3001, 0x3004 },
        { 0x3008, 0x3020 }, { 0x3030, 0x3030 }, { 0x303D, 0x303F }, { 0xE000, 0xF8FF },
        { 0xFE10, 0xFE1F }, { 0xFE30, 0xFE6F }, { 0xFF01, 0xFF0F }, { 0xFF1A, 0xFF20 },
        { 0xFF3B, 0xFF40 }, { 0xFF5B, 0xFF65 }, { 0x1F000, 0x1FAFF },
    };
    return in_ranges(cp, r, sizeof r / sizeof r[0]);
}

static int is_letter(int cp) { return cp > 0x7F ? !is_space(cp) && !is_digit(cp) && !is_other(cp)
                                                : (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z'; }
static int is_nl(int cp) { return cp == '\n' || cp == '\r'; }

/* The end of the chunk that starts at byte i of s (llama 3's pre-tokenizer:
 * the alternatives of its pattern in order, each as the regex would match). */
size_t mote_bpe_chunk_end(const unsigned char *s, size_t n, size_t i)
{
    size_t l0, l1 = 0, l;
    int c0 = get_utf8(s + i, n - i, &l0);
    int c1 = i + l0 < n ? get_utf8(s + i + l0, n - i - l0, &l1) : -1;
    /* (?i:'s|'t|'re|'ve|'m|'ll|'d) */
    if (c0 == '\'' && c1 >= 0 && c1 < 0x80) {
        int a = c1 | 0x20, b = i + 2 < n ? s[i + 2] | 0x20 : 0;
        if (a == 's' || a == 't' || a == 'm' || a == 'd') return i + 2;
        if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return i + 3;
    }
    /* [^\r\n\p{L}\p{N}]?\p{L}+ */
    size_t j = (size_t)-1;
    if (is_letter(c0)) j = i;
    else if (!is_nl(c0) && !is_digit(c0) && c1 >= 0 && is_letter(c1)) j = i + l0;
    if (j != (size_t)-1) {
        while (j < n && is_letter(get_utf8(s + j, n - j, &l))) j += l;
        return j;
    }
    /* \p{N}{1,3} */
    if (is_digit(c0)) {
        j = i;
        for (int k = 0; k < 3 && j < n && is_digit(get_utf8(s + j, n - j, &l)); k++) j += l;
        return j;
    }
    /*  ?[^\s\p{L}\p{N}]+[\r\n]* */
    j = i + (c0 == ' ' ? 1 : 0);
    size_t k = j;
    while (k < n) {
        int c = get_utf8(s + k, n - k, &l);
        if (is_space(c) || is_letter(c) || is_digit(c)) break;
        k += l;
    }
    if (k > j) {
        while (k < n && is_nl(s[k])) k++;
        return k;
    }
    /* whitespace: \s*[\r\n]+, then \s+(?!\S), then \s+ */
    j = i;
    size_t last_nl = (size_t)-1, last_start = i;
    while (j < n) {
        int c = get_utf8(s + j, n - j, &l);
        if (!is_space(c)) break;
        if (is_nl(c)) last_nl = j;
        last_start = j;
        j += l;
    }
    if (j == i) return i + l0;   /* nothing matched: one code point alone */
    if (last_nl != (size_t)-1) return last_nl + 1;
    if (j == n || last_start == i) return j;
    return last_start;   /* leave the last space to start the next word */
}

/* Symbols of one chunk merged by rank; appends their ids. */
static mote_status encode_chunk(const mote_tokenizer *t, const unsigned char *s, size_t n,
                                char *buf, size_t *start, size_t *len, int *ids, int cap, int *k)
{
    /* the mapped text, one symbol per byte: symbol i is buf[start[i], +len[i]) */
    size_t m = 0, o = 0;
    for (size_t i = 0; i < n; i++) {
        start[m] = o;
        len[m] = put_utf8(byte_cp(s[i]), buf + o);
        o += len[m++];
    }
    for (;;) {
        int best = -1;
        size_t at = 0;
        for (size_t i = 0; i + 1 < m; i++) {
            int r = merge_rank(t, buf + start[i], len[i], buf + start[i + 1], len[i + 1]);
            if (r >= 0 && (best < 0 || r < best)) { best = r; at = i; }
        }
        if (best < 0) break;
        len[at] += len[at + 1];   /* the symbols are adjacent in buf */
        memmove(start + at + 1, start + at + 2, (m - at - 2) * sizeof *start);
        memmove(len + at + 1, len + at + 2, (m - at - 2) * sizeof *len);
        m--;
    }
    for (size_t i = 0; i < m; i++) {
        char sym[512];
        if (len[i] >= sizeof sym)
            return mote_error(MOTE_ERR_FORMAT, "tokenizer: a merged piece of %zu bytes", len[i]);
        memcpy(sym, buf + start[i], len[i]);
        sym[len[i]] = '\0';
        int id = mote_tokenizer_lookup(t, sym);
        if (id < 0)
            return mote_error(MOTE_ERR_FORMAT, "tokenizer: the vocabulary lacks the piece "
                              "\"%s\" (every byte needs one)", sym);
        if (*k >= cap) return mote_error(MOTE_ERR_ARG, "tokenizer: out of room for ids");
        ids[(*k)++] = id;
    }
    return MOTE_OK;
}

mote_status mote_bpe_encode(const mote_tokenizer *t, const char *text, int bos, int eos,
                            int *ids, int cap, int *n_ids)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text);
    char *buf = malloc(n * 2 + 1);
    size_t *start = malloc(sizeof *start * (n + 1)), *len = malloc(sizeof *len * (n + 1));
    mote_status st = MOTE_OK;
    int k = 0;
    if (!buf || !start || !len) st = mote_error(MOTE_ERR_NOMEM, "tokenizer: out of memory");
    if (!st && bos && t->bos_id >= 0) ids[k++] = t->bos_id;
    for (size_t i = 0; i < n && !st;) {
        size_t e = mote_bpe_chunk_end(s, n, i);
        st = encode_chunk(t, s + i, e - i, buf, start, len, ids, cap, &k);
        i = e;
    }
    if (!st && eos && t->eos_id >= 0) {
        if (k < cap) ids[k++] = t->eos_id;
        else st = mote_error(MOTE_ERR_ARG, "tokenizer: out of room for ids");
    }
    free(buf);
    free(start);
    free(len);
    *n_ids = st ? 0 : k;
    return st;
}

const char *mote_bpe_decode(const mote_tokenizer *t, int id, size_t *len)
{
    *len = t->text_off[id + 1] - t->text_off[id];
    return t->text + t->text_off[id];
}
