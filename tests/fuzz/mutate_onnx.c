/*
 * mutate_onnx.c — the structure-aware mutator of the ONNX fuzz target
 * (included by fuzz_onnx.c into the libFuzzer build only). The input is
 * decoded as a protobuf tree along the ONNX schema (model -> graph ->
 * nodes, initializers, value infos -> types -> shapes -> dims; nodes ->
 * attributes -> tensors); one structural change is made and the tree is
 * encoded again: node order (swap, duplicate, drop), a node's input or
 * output name replaced by another name of the model (or ""), an
 * attribute's type, value or name changed (or the name dropped, or the
 * attribute duplicated), a dim set to a boundary value. Inputs that do not
 * decode get libFuzzer's byte mutation.
 */
#include <stdlib.h>
#include <string.h>
#include "mutate_common.h"

enum kind { K_NONE, K_MODEL, K_GRAPH, K_NODE, K_ATTR, K_TENSOR, K_VINFO, K_TYPE, K_TTENSOR,
            K_SHAPE, K_DIM };

typedef struct pmsg pmsg;
typedef struct pfield {
    uint32_t num;
    int wire;              /* 0 varint, 1 fixed64, 2 bytes, 5 fixed32 */
    uint64_t v;            /* varint or fixed value */
    const uint8_t *p;      /* bytes (wire 2) */
    size_t n;
    pmsg *sub;             /* decoded submessage, or NULL */
} pfield;

struct pmsg {
    enum kind kind;
    pfield *f;
    int n, cap;
};

static enum kind child_kind(enum kind k, uint32_t num)
{
    switch (k) {
    case K_MODEL: return num == 7 ? K_GRAPH : K_NONE;
    case K_GRAPH: return num == 1 ? K_NODE : num == 5 ? K_TENSOR
                       : (num == 11 || num == 12 || num == 13) ? K_VINFO : K_NONE;
    case K_NODE: return num == 5 ? K_ATTR : K_NONE;
    case K_ATTR: return num == 5 ? K_TENSOR : K_NONE;
    case K_VINFO: return num == 2 ? K_TYPE : K_NONE;
    case K_TYPE: return num == 1 ? K_TTENSOR : K_NONE;
    case K_TTENSOR: return num == 2 ? K_SHAPE : K_NONE;
    case K_SHAPE: return num == 1 ? K_DIM : K_NONE;
    default: return K_NONE;
    }
}

static void pmsg_free(pmsg *m)
{
    if (!m) return;
    for (int i = 0; i < m->n; i++) pmsg_free(m->f[i].sub);
    free(m->f);
    free(m);
}

static bool get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    *v = 0;
    for (int s = 0; s < 64 && *p < end; s += 7) {
        uint8_t b = *(*p)++;
        *v |= (uint64_t)(b & 0x7f) << s;
        if (!(b & 0x80)) return true;
    }
    return false;
}

static bool add_field(pmsg *m, pfield f)
{
    if (m->n == m->cap) {
        int c = m->cap ? m->cap * 2 : 8;
        pfield *nf = realloc(m->f, sizeof *nf * (size_t)c);
        if (!nf) return false;
        m->f = nf;
        m->cap = c;
    }
    m->f[m->n++] = f;
    return true;
}

static pmsg *decode(const uint8_t *p, size_t n, enum kind kind, int depth)
{
    pmsg *m = calloc(1, sizeof *m);
    if (!m || depth > 16) { free(m); return NULL; }
    m->kind = kind;
    const uint8_t *end = p + n;
    while (p < end) {
        uint64_t key, v = 0;
        if (!get_varint(&p, end, &key) || (key >> 3) == 0 || (key >> 3) > 0xffffffffu) goto bad;
        pfield f = {.num = (uint32_t)(key >> 3), .wire = (int)(key & 7)};
        switch (f.wire) {
        case 0: if (!get_varint(&p, end, &f.v)) goto bad; break;
        case 1: if (end - p < 8) goto bad; memcpy(&f.v, p, 8); p += 8; break;
        case 5: if (end - p < 4) goto bad; v = 0; memcpy(&v, p, 4); f.v = v; p += 4; break;
        case 2:
            if (!get_varint(&p, end, &v) || v > (uint64_t)(end - p)) goto bad;
            f.p = p;
            f.n = (size_t)v;
            p += v;
            if (child_kind(kind, f.num) != K_NONE &&
                !(f.sub = decode(f.p, f.n, child_kind(kind, f.num), depth + 1)))
                goto bad;
            break;
        default: goto bad;
        }
        if (!add_field(m, f)) { pmsg_free(f.sub); goto bad; }
    }
    return m;
bad:
    pmsg_free(m);
    return NULL;
}

/* --- encoding into a bounded buffer --- */
typedef struct obuf { uint8_t *p; size_t n, cap; bool over; } obuf;

static void out_bytes(obuf *o, const void *d, size_t n)
{
    if (o->over || n > o->cap - o->n) { o->over = true; return; }
    memcpy(o->p + o->n, d, n);
    o->n += n;
}

static void out_varint(obuf *o, uint64_t v)
{
    uint8_t t[10];
    int k = 0;
    do { t[k] = (uint8_t)(v & 0x7f); v >>= 7; if (v) t[k] |= 0x80; k++; } while (v);
    out_bytes(o, t, (size_t)k);
}

static size_t encoded_size(const pmsg *m);

static size_t varint_len(uint64_t v) { size_t k = 1; while (v >= 0x80) { v >>= 7; k++; } return k; }

static size_t field_payload(const pfield *f) { return f->sub ? encoded_size(f->sub) : f->n; }

static size_t encoded_size(const pmsg *m)
{
    size_t s = 0;
    for (int i = 0; i < m->n; i++) {
        const pfield *f = &m->f[i];
        s += varint_len((uint64_t)f->num << 3 | (unsigned)f->wire);
        if (f->wire == 0) s += varint_len(f->v);
        else if (f->wire == 1) s += 8;
        else if (f->wire == 5) s += 4;
        else { size_t n = field_payload(f); s += varint_len(n) + n; }
    }
    return s;
}

static void encode(obuf *o, const pmsg *m)
{
    for (int i = 0; i < m->n && !o->over; i++) {
        const pfield *f = &m->f[i];
        out_varint(o, (uint64_t)f->num << 3 | (unsigned)f->wire);
        if (f->wire == 0) out_varint(o, f->v);
        else if (f->wire == 1) out_bytes(o, &f->v, 8);
        else if (f->wire == 5) { uint32_t v = (uint32_t)f->v; out_bytes(o, &v, 4); }
        else {
            out_varint(o, field_payload(f));
            if (f->sub) encode(o, f->sub);
            else out_bytes(o, f->p, f->n);
        }
    }
}

/* --- the places a mutation can touch, gathered from the tree --- */
typedef struct places {
    pmsg *graph;
    pfield *names[256]; int n_names;    /* node inputs and outputs */
    pmsg *attrs[256]; int n_attrs;
    pfield *dims[256]; int n_dims;      /* dim_value and tensor dims */
} places;

static void gather(pmsg *m, places *pl)
{
    if (m->kind == K_GRAPH && !pl->graph) pl->graph = m;
    if (m->kind == K_ATTR && pl->n_attrs < 256) pl->attrs[pl->n_attrs++] = m;
    for (int i = 0; i < m->n; i++) {
        pfield *f = &m->f[i];
        if (m->kind == K_NODE && (f->num == 1 || f->num == 2) && f->wire == 2 && pl->n_names < 256)
            pl->names[pl->n_names++] = f;
        if (((m->kind == K_DIM && f->num == 1) || (m->kind == K_TENSOR && f->num == 1)) &&
            f->wire == 0 && pl->n_dims < 256)
            pl->dims[pl->n_dims++] = f;
        if (f->sub) gather(f->sub, pl);
    }
}

static const char *const onnx_attr_names[] = {
    "group", "axis", "axes", "kernel_shape", "strides", "pads", "dilations", "perm", "keepdims",
    "value", "to", "epsilon", "alpha", "beta", "size", "mode", "auto_pad", "ceil_mode", "",
};

static bool mutate_tree(pmsg *model, mut_rng *r)
{
    places pl = {0};
    gather(model, &pl);
    switch (mut_below(r, 6)) {
    case 0: {   /* swap two nodes */
        pmsg *g = pl.graph;
        if (!g || g->n < 2) return false;
        int a = (int)mut_below(r, (uint32_t)g->n), b = (int)mut_below(r, (uint32_t)g->n);
        if (g->f[a].num != 1 || g->f[b].num != 1 || a == b) return false;
        pfield t = g->f[a]; g->f[a] = g->f[b]; g->f[b] = t;
        return true;
    }
    case 1: {   /* duplicate a node (the copy shares its submessages: encoded twice) */
        pmsg *g = pl.graph;
        if (!g || !g->n) return false;
        int a = (int)mut_below(r, (uint32_t)g->n);
        if (g->f[a].num != 1) return false;
        pfield copy = g->f[a];
        if (copy.sub) {   /* a shallow copy of the message with its own field array */
            pmsg *s = calloc(1, sizeof *s);
            if (!s) return false;
            s->kind = copy.sub->kind;
            for (int i = 0; i < copy.sub->n; i++) {
                pfield c = copy.sub->f[i];
                c.sub = NULL;   /* encoded from its original bytes */
                if (!add_field(s, c)) { pmsg_free(s); return false; }
            }
            copy.sub = s;
        }
        return add_field(g, copy);
    }
    case 2: {   /* a node input/output takes another name of the model, or "" */
        if (!pl.n_names) return false;
        pfield *f = pl.names[mut_below(r, (uint32_t)pl.n_names)];
        if (mut_below(r, 4) == 0) { f->n = 0; return true; }
        pfield *src = pl.names[mut_below(r, (uint32_t)pl.n_names)];
        f->p = src->p;
        f->n = src->n;
        return true;
    }
    case 3: {   /* an attribute's type, value or name */
        if (!pl.n_attrs) return false;
        pmsg *a = pl.attrs[mut_below(r, (uint32_t)pl.n_attrs)];
        if (!a->n) return false;
        uint32_t what = mut_below(r, 5);
        for (int i = 0; i < a->n; i++) {
            pfield *f = &a->f[i];
            if (what == 0 && f->num == 20 && f->wire == 0) { f->v = 1 + mut_below(r, 14); return true; }
            if (what == 1 && f->num == 3 && f->wire == 0) { f->v = (uint64_t)mut_boundary(r, (int64_t)f->v); return true; }
            if (what == 2 && f->num == 1 && f->wire == 2) {
                const char *nm = onnx_attr_names[mut_below(r, sizeof onnx_attr_names / sizeof onnx_attr_names[0])];
                f->p = (const uint8_t *)nm;
                f->n = strlen(nm);
                return true;
            }
            if (what == 3 && f->num == 1) {   /* drop the name */
                memmove(f, f + 1, sizeof *f * (size_t)(a->n - i - 1));
                a->n--;
                return true;
            }
            if (what == 4 && f->num == 8 && f->wire == 0) { f->v = (uint64_t)mut_boundary(r, (int64_t)f->v); return true; }
        }
        return false;
    }
    case 4: {   /* a dim */
        if (!pl.n_dims) return false;
        pfield *f = pl.dims[mut_below(r, (uint32_t)pl.n_dims)];
        f->v = (uint64_t)mut_boundary(r, (int64_t)f->v);
        return true;
    }
    default: {  /* drop a node */
        pmsg *g = pl.graph;
        if (!g || !g->n) return false;
        int a = (int)mut_below(r, (uint32_t)g->n);
        if (g->f[a].num != 1) return false;
        pmsg_free(g->f[a].sub);
        memmove(&g->f[a], &g->f[a + 1], sizeof g->f[0] * (size_t)(g->n - a - 1));
        g->n--;
        return true;
    }
    }
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    mut_rng r = {seed};
    /* fuzz_onnx reads data[0] & 1 as "optimize": keep a byte-level path too */
    if (mut_below(&r, 3)) {
        pmsg *m = decode(data, size, K_MODEL, 0);
        if (m) {
            bool changed = false;
            for (int tries = 0; tries < 8 && !changed; tries++) changed = mutate_tree(m, &r);
            size_t need = changed ? encoded_size(m) : 0;
            uint8_t *tmp = changed && need <= max_size ? malloc(need ? need : 1) : NULL;
            if (tmp) {
                obuf o = {tmp, 0, need, false};
                encode(&o, m);
                if (!o.over) {
                    memcpy(data, tmp, o.n);
                    free(tmp);
                    pmsg_free(m);
                    return o.n;
                }
            }
            free(tmp);
            pmsg_free(m);
        }
    }
    return LLVMFuzzerMutate(data, size, max_size);
}
