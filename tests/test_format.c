/*
 * test_format.c — the .mote reader and writer: round trips, alignment,
 * checksums, every kind of damage (truncation, bit flips, hostile fields in
 * hand-assembled files) and atomic saving. Not a test of ops or sessions.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "format/crc32.h"
#include "format/format.h"
#include "graph/internal.h"

/* ------------------------------------------------------------ helpers */

/* A graph that uses every dtype, every attribute type, each metadata type,
 * an absent optional input, a scalar weight and two outputs. */
static mote_graph *sample_graph(void)
{
    mote_graph *g = mote_graph_new();
    ck_assert_ptr_nonnull(g);
    int64_t xd[4] = {1, 3, -1, 8};
    int x = mote_graph_input(g, "x", MOTE_F32, 4, xd);
    int64_t td[1] = {5};
    int tok = mote_graph_input(g, "tokens", MOTE_I64, 1, td);
    ck_assert_int_ge(x, 0);
    ck_assert_int_ge(tok, 0);

    int w[MOTE_DTYPE_COUNT];
    uint8_t bytes[7 * 5 * 8];
    for (size_t k = 0; k < sizeof bytes; k++)
        bytes[k] = (uint8_t)(k * 37 + 11);
    for (int t = MOTE_F32; t < MOTE_DTYPE_COUNT; t++) {
        char name[32];
        snprintf(name, sizeof name, "w_%s", mote_dtype_name((mote_dtype)t));
        int64_t d[2] = {7, 5 - (t % 3)};   /* a different size per dtype */
        if (t == MOTE_BOOL)
            for (size_t k = 0; k < sizeof bytes; k++)
                bytes[k] &= 1;
        w[t] = mote_graph_weight(g, name, (mote_dtype)t, 2, d, bytes);
        ck_assert_int_ge(w[t], 0);
    }
    float scalar = 0.5f;
    int s = mote_graph_weight(g, "scale", MOTE_F32, 0, NULL, &scalar);
    ck_assert_int_ge(s, 0);

    int in1[3] = {x, w[MOTE_F32], -1};
    int y;
    int n1 = mote_graph_node(g, "Conv", "conv1", 3, in1, 1, NULL, &y);
    ck_assert_int_ge(n1, 0);
    int64_t pads[4] = {1, 1, 1, 1};
    float fl[3] = {1.5f, -2.25f, 1e-7f};
    const char *strs[3] = {"a", "", "long string with spaces"};
    ck_assert_int_eq(mote_graph_attr_int(g, n1, "group", -3), MOTE_OK);
    ck_assert_int_eq(mote_graph_attr_float(g, n1, "alpha", 0.125f), MOTE_OK);
    ck_assert_int_eq(mote_graph_attr_string(g, n1, "auto_pad", "SAME_UPPER"), MOTE_OK);
    ck_assert_int_eq(mote_graph_attr_ints(g, n1, "pads", 4, pads), MOTE_OK);
    ck_assert_int_eq(mote_graph_attr_floats(g, n1, "scales", 3, fl), MOTE_OK);
    ck_assert_int_eq(mote_graph_attr_strings(g, n1, "names", 3, strs), MOTE_OK);
    ck_assert_int_eq(mote_graph_attr_ints(g, n1, "empty", 0, NULL), MOTE_OK);

    int in2[2] = {y, s};
    const char *onames[2] = {"out_a", "out_b"};
    int outs[2];
    int n2 = mote_graph_node(g, "Split", "split", 2, in2, 2, onames, outs);
    ck_assert_int_ge(n2, 0);
    int in3[3] = {tok, w[MOTE_I64], w[MOTE_BOOL]};
    int z;
    int n3 = mote_graph_node(g, "Where", "where", 3, in3, 1, NULL, &z);
    ck_assert_int_ge(n3, 0);
    ck_assert_int_eq(mote_graph_output(g, outs[1]), MOTE_OK);
    ck_assert_int_eq(mote_graph_output(g, z), MOTE_OK);
    ck_assert_int_eq(mote_graph_output(g, outs[0]), MOTE_OK);

    ck_assert_int_eq(mote_graph_meta_string(g, "producer", "test_format"), MOTE_OK);
    ck_assert_int_eq(mote_graph_meta_int(g, "opset", -9000000000LL), MOTE_OK);
    ck_assert_int_eq(mote_graph_meta_float(g, "accuracy", 0.8125), MOTE_OK);
    return g;
}

static void assert_same_attr(const mote_attr *a, const mote_attr *b)
{
    ck_assert_str_eq(a->name, b->name);
    ck_assert_int_eq(a->type, b->type);
    switch (a->type) {
    case MOTE_ATTR_INT: ck_assert_int_eq(a->i, b->i); break;
    case MOTE_ATTR_FLOAT: ck_assert(memcmp(&a->f, &b->f, 4) == 0); break;
    case MOTE_ATTR_STRING: ck_assert_str_eq(a->s, b->s); break;
    case MOTE_ATTR_INTS:
        ck_assert_int_eq(a->n, b->n);
        for (int k = 0; k < a->n; k++)
            ck_assert_int_eq(a->ints[k], b->ints[k]);
        break;
    case MOTE_ATTR_FLOATS:
        ck_assert_int_eq(a->n, b->n);
        ck_assert(a->n == 0 || memcmp(a->floats, b->floats, (size_t)a->n * 4) == 0);
        break;
    case MOTE_ATTR_STRINGS:
        ck_assert_int_eq(a->n, b->n);
        for (int k = 0; k < a->n; k++)
            ck_assert_str_eq(a->strs[k], b->strs[k]);
        break;
    }
}

/* Everything the file stores is equal in a and b. */
static void assert_same_graph(const mote_graph *a, const mote_graph *b)
{
    ck_assert_int_eq(a->n_values, b->n_values);
    for (int i = 0; i < a->n_values; i++) {
        const mote_value *u = &a->values[i], *v = &b->values[i];
        ck_assert_str_eq(u->name, v->name);
        ck_assert_int_eq(u->kind, v->kind);
        ck_assert_int_eq(u->dtype, v->dtype);
        ck_assert_int_eq(u->ndim, v->ndim);
        for (int d = 0; d < u->ndim; d++)
            ck_assert_int_eq(u->dims[d], v->dims[d]);
        if (u->kind == MOTE_VAL_WEIGHT) {
            ck_assert_uint_eq(u->nbytes, v->nbytes);
            ck_assert(u->nbytes == 0 || memcmp(u->data, v->data, u->nbytes) == 0);
        }
    }
    ck_assert_int_eq(a->n_nodes, b->n_nodes);
    for (int n = 0; n < a->n_nodes; n++) {
        const mote_node *p = &a->nodes[n], *q = &b->nodes[n];
        ck_assert_str_eq(p->op, q->op);
        ck_assert_str_eq(p->name, q->name);
        ck_assert_int_eq(p->n_in, q->n_in);
        for (int k = 0; k < p->n_in; k++)
            ck_assert_int_eq(p->in[k], q->in[k]);
        ck_assert_int_eq(p->n_out, q->n_out);
        for (int k = 0; k < p->n_out; k++) {
            ck_assert_int_eq(p->out[k], q->out[k]);
            ck_assert_int_eq(b->values[q->out[k]].producer, n);
        }
        ck_assert_int_eq(p->n_attr, q->n_attr);
        for (int k = 0; k < p->n_attr; k++)
            assert_same_attr(&p->attrs[k], &q->attrs[k]);
    }
    ck_assert_int_eq(a->n_inputs, b->n_inputs);
    for (int k = 0; k < a->n_inputs; k++)
        ck_assert_int_eq(a->inputs[k], b->inputs[k]);
    ck_assert_int_eq(a->n_outputs, b->n_outputs);
    for (int k = 0; k < a->n_outputs; k++)
        ck_assert_int_eq(a->outputs[k], b->outputs[k]);
    ck_assert_int_eq(a->n_meta, b->n_meta);
    for (int k = 0; k < a->n_meta; k++) {
        const mote_meta *m = &a->meta[k], *o = &b->meta[k];
        ck_assert_str_eq(m->key, o->key);
        ck_assert_int_eq(m->type, o->type);
        if (m->type == MOTE_META_STRING)
            ck_assert_str_eq(m->s, o->s);
        else if (m->type == MOTE_META_INT)
            ck_assert_int_eq(m->i, o->i);
        else
            ck_assert(memcmp(&m->f, &o->f, 8) == 0);
    }
}

/* The sample graph as a file image in a 64-byte aligned buffer. */
static uint8_t *sample_image(size_t *len)
{
    mote_graph *g = sample_graph();
    void *buf;
    ck_assert_int_eq(mote_format_write_memory(g, &buf, len), MOTE_OK);
    mote_graph_free(g);
    return buf;
}

static void expect_error(mote_status got, mote_status want, const char *needle)
{
    ck_assert_msg(got == want, "status %s, expected %s (%s)", mote_status_name(got),
                  mote_status_name(want), mote_last_error());
    if (needle)
        ck_assert_msg(strstr(mote_last_error(), needle), "message '%s' lacks '%s'",
                      mote_last_error(), needle);
}

static mote_status read_status(const void *buf, size_t len)
{
    mote_graph *g = NULL;
    mote_status st = mote_format_read(buf, len, "model.mote", &g);
    if (st == MOTE_OK)
        mote_graph_free(g);
    else
        ck_assert_ptr_null(g);
    return st;
}

static void fix_header_checksum(uint8_t *p)
{
    mote_put_le32(p + MOTE_HDR_CRC, mote_crc32(0, p, MOTE_HDR_CRC));
}

/* Recomputes the metadata, tensor-table and graph checksums and then the
 * header's, so that a deliberate change gets past them. */
static void fix_checksums(uint8_t *p)
{
    for (int k = 0; k < MOTE_SEC_DATA; k++) {
        uint8_t *e = p + MOTE_HDR_DIR + k * MOTE_HDR_DIR_ENTRY;
        mote_put_le32(e + 16, mote_crc32(0, p + mote_le64(e), (size_t)mote_le64(e + 8)));
    }
    mote_put_le32(p + MOTE_HDR_CRC, mote_crc32(0, p, MOTE_HDR_CRC));
}

static uint64_t sec_off(const uint8_t *p, int k)
{
    return mote_le64(p + MOTE_HDR_DIR + k * MOTE_HDR_DIR_ENTRY);
}

static uint64_t sec_size(const uint8_t *p, int k)
{
    return mote_le64(p + MOTE_HDR_DIR + k * MOTE_HDR_DIR_ENTRY + 8);
}

/* --------------------------------------- hand-assembled files (the spec) */

/* A byte buffer for writing images by hand, independently of the writer,
 * following docs/format.md. */
typedef struct hb {
    uint8_t b[4096];
    size_t n;
} hb;

static void hb_raw(hb *h, const void *p, size_t n)
{
    ck_assert_uint_le(h->n + n, sizeof h->b);
    memcpy(h->b + h->n, p, n);
    h->n += n;
}
static void hb_u32(hb *h, uint32_t v) { uint8_t t[4]; mote_put_le32(t, v); hb_raw(h, t, 4); }
static void hb_u64(hb *h, uint64_t v) { uint8_t t[8]; mote_put_le64(t, v); hb_raw(h, t, 8); }
static void hb_str(hb *h, const char *s)
{
    hb_u32(h, (uint32_t)strlen(s));
    hb_raw(h, s, strlen(s) + 1);
}

/* Header + sections + data at the next 64-byte boundary; checksums right. */
static uint8_t *assemble(const hb *meta, const hb *tens, const hb *graph, const hb *data,
                         size_t *len)
{
    const hb *sec[3] = {meta, tens, graph};
    uint64_t off[4], size[4], pos = MOTE_FORMAT_HEADER_SIZE;
    for (int k = 0; k < 3; k++) {
        off[k] = pos;
        size[k] = sec[k]->n;
        pos += sec[k]->n;
    }
    off[3] = (pos + 63) / 64 * 64;
    size[3] = data->n;
    *len = (size_t)(off[3] + size[3]);
    uint8_t *p = calloc(1, *len);
    ck_assert_ptr_nonnull(p);
    memcpy(p, "MOTE", 4);
    mote_put_le32(p + 4, 1);
    mote_put_le32(p + 8, 128);
    mote_put_le64(p + 16, *len);
    for (int k = 0; k < 4; k++) {
        mote_put_le64(p + 24 + 24 * k, off[k]);
        mote_put_le64(p + 24 + 24 * k + 8, size[k]);
        if (k < 3)
            memcpy(p + off[k], sec[k]->b, sec[k]->n);
    }
    memcpy(p + off[3], data->b, data->n);
    fix_checksums(p);
    return p;
}

/* The knobs of a tiny model: y = Add(x, w) with x: f32[4] input, w: f32[4]
 * weight, one metadata entry and one INTS attribute. */
typedef struct mini {
    uint32_t meta_count;
    uint32_t meta_type;
    const char *tname;
    uint32_t tdtype;
    int32_t tndim;
    int64_t tdim0;
    uint64_t toff, tbytes;
    uint32_t tensor_count;
    const char *xname, *wname, *yname;
    int64_t wdim0;
    uint32_t n_values;
    int32_t in0, in1, out0, wtensor;
    uint32_t attr_type, attr_count;
    bool op_unterminated;
    bool second_producer;
    int32_t graph_input, graph_output;
    uint32_t data_bytes;
} mini;

static mini mini_default(void)
{
    return (mini){.meta_count = 1, .meta_type = 2, .tname = "w", .tdtype = MOTE_F32,
                  .tndim = 1, .tdim0 = 4, .toff = 0, .tbytes = 16, .tensor_count = 1,
                  .xname = "x", .wname = "w", .yname = "y", .wdim0 = 4, .n_values = 3,
                  .in0 = 0, .in1 = 1, .out0 = 2, .wtensor = 0, .attr_type = MOTE_ATTR_INTS,
                  .attr_count = 2, .graph_input = 0, .graph_output = 2, .data_bytes = 64};
}

static uint8_t *mini_image(const mini *m, size_t *len)
{
    hb meta = {0}, tens = {0}, graph = {0}, data = {0};
    hb_u32(&meta, m->meta_count);
    hb_str(&meta, "opset");
    hb_u32(&meta, m->meta_type);
    hb_u64(&meta, 17);

    float w[4] = {1, 2, 3, 4};
    uint8_t wb[64] = {0};
    memcpy(wb, w, sizeof w);
    hb_raw(&data, wb, m->data_bytes);
    hb_u32(&tens, m->tensor_count);
    hb_str(&tens, m->tname);
    hb_u32(&tens, m->tdtype);
    hb_u32(&tens, (uint32_t)m->tndim);
    for (int d = 0; d < m->tndim; d++)
        hb_u64(&tens, (uint64_t)(d == 0 ? m->tdim0 : 1));
    hb_u64(&tens, m->toff);
    hb_u64(&tens, m->tbytes);
    hb_u32(&tens, mote_crc32(0, w, sizeof w));

    hb_u32(&graph, m->n_values);
    const char *names[3] = {m->xname, m->wname, m->yname};
    for (int i = 0; i < 3; i++) {
        hb_str(&graph, names[i]);
        hb_u32(&graph, (uint32_t)(i + 1));             /* INPUT, WEIGHT, ACT */
        hb_u32(&graph, i == 1 ? m->tdtype : MOTE_F32);
        hb_u32(&graph, i == 1 ? (uint32_t)m->tndim : 1);
        int nd = i == 1 ? m->tndim : 1;
        for (int d = 0; d < nd; d++)
            hb_u64(&graph, (uint64_t)(i == 1 ? (d == 0 ? m->wdim0 : 1) : 4));
        hb_u32(&graph, (uint32_t)(i == 1 ? m->wtensor : -1));
    }
    hb_u32(&graph, m->second_producer ? 2 : 1);
    if (m->op_unterminated) {
        hb_u32(&graph, 3);
        hb_raw(&graph, "AddX", 4);
    } else {
        hb_str(&graph, "Add");
    }
    hb_str(&graph, "add");
    hb_u32(&graph, 2);
    hb_u32(&graph, (uint32_t)m->in0);
    hb_u32(&graph, (uint32_t)m->in1);
    hb_u32(&graph, 1);
    hb_u32(&graph, (uint32_t)m->out0);
    hb_u32(&graph, 1);                                  /* one attribute */
    hb_str(&graph, "axes");
    hb_u32(&graph, m->attr_type);
    hb_u32(&graph, m->attr_count);
    for (uint32_t k = 0; k < 2; k++)
        hb_u64(&graph, k);
    if (m->second_producer) {
        hb_str(&graph, "Neg");
        hb_str(&graph, "neg");
        hb_u32(&graph, 1);
        hb_u32(&graph, 0);
        hb_u32(&graph, 1);
        hb_u32(&graph, 2);
        hb_u32(&graph, 0);
    }
    hb_u32(&graph, 1);
    hb_u32(&graph, (uint32_t)m->graph_input);
    hb_u32(&graph, 1);
    hb_u32(&graph, (uint32_t)m->graph_output);
    return assemble(&meta, &tens, &graph, &data, len);
}

/* Reads a mini model with knobs m; expects status want and a message
 * containing needle. */
static void expect_mini(const mini *m, mote_status want, const char *needle)
{
    size_t len;
    uint8_t *p = mini_image(m, &len);
    expect_error(read_status(p, len), want, needle);
    free(p);
}

/* ---------------------------------------------------------------- crc32 */

START_TEST(test_crc32_matches_the_zlib_check_value)
{
    /* The standard check value of CRC-32/ISO-HDLC (zlib.crc32(b"123456789")). */
    ck_assert_uint_eq(mote_crc32(0, "123456789", 9), 0xCBF43926u);
    ck_assert_uint_eq(mote_crc32(0, "", 0), 0);
    ck_assert_uint_eq(mote_crc32(0, "a", 1), 0xE8B7BE43u);
}
END_TEST

START_TEST(test_crc32_chains_and_agrees_with_bitwise_definition)
{
    uint8_t buf[1000];
    for (size_t k = 0; k < sizeof buf; k++)
        buf[k] = (uint8_t)(k * 131 + 7);
    for (size_t len = 0; len <= 40; len++) {
        /* the definition, one bit at a time */
        uint32_t c = 0xFFFFFFFFu;
        for (size_t k = 0; k < len; k++) {
            c ^= buf[k];
            for (int b = 0; b < 8; b++)
                c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        }
        ck_assert_uint_eq(mote_crc32(0, buf, len), ~c);
    }
    uint32_t whole = mote_crc32(0, buf, sizeof buf);
    for (size_t cut = 0; cut <= sizeof buf; cut += 37)
        ck_assert_uint_eq(mote_crc32(mote_crc32(0, buf, cut), buf + cut, sizeof buf - cut),
                          whole);
}
END_TEST

/* ----------------------------------------------------------- round trip */

START_TEST(test_format_round_trip_keeps_everything)
{
    mote_graph *g = sample_graph();
    void *buf;
    size_t len;
    ck_assert_int_eq(mote_format_write_memory(g, &buf, &len), MOTE_OK);
    mote_graph *r = NULL;
    ck_assert_int_eq(mote_format_read(buf, len, "sample.mote", &r), MOTE_OK);
    assert_same_graph(g, r);
    /* The weights are not copied: they point into the image. */
    for (int i = 0; i < r->n_values; i++)
        if (r->values[i].kind == MOTE_VAL_WEIGHT) {
            ck_assert(!r->values[i].owns_data);
            ck_assert((const uint8_t *)r->values[i].data >= (const uint8_t *)buf);
            ck_assert((const uint8_t *)r->values[i].data + r->values[i].nbytes <=
                      (const uint8_t *)buf + len);
        }
    ck_assert_int_eq(mote_format_verify(buf, len, "sample.mote"), MOTE_OK);
    /* Writing what was read gives the same bytes. */
    void *buf2;
    size_t len2;
    ck_assert_int_eq(mote_format_write_memory(r, &buf2, &len2), MOTE_OK);
    ck_assert_uint_eq(len, len2);
    ck_assert(memcmp(buf, buf2, len) == 0);
    mote_free_aligned(buf2);
    mote_graph_free(r);
    mote_free_aligned(buf);
    mote_graph_free(g);
}
END_TEST

START_TEST(test_format_weights_are_64_byte_aligned)
{
    size_t len;
    uint8_t *buf = sample_image(&len);
    ck_assert_uint_eq((uintptr_t)buf % 64, 0);
    ck_assert_uint_eq(len % 64, 0);
    ck_assert_uint_eq(sec_off(buf, MOTE_SEC_DATA) % 64, 0);
    mote_graph *r;
    ck_assert_int_eq(mote_format_read(buf, len, "sample.mote", &r), MOTE_OK);
    int n_weights = 0;
    for (int i = 0; i < r->n_values; i++)
        if (r->values[i].kind == MOTE_VAL_WEIGHT) {
            ck_assert_uint_eq((uintptr_t)r->values[i].data % 64, 0);
            n_weights++;
        }
    ck_assert_int_eq(n_weights, MOTE_DTYPE_COUNT);  /* 8 dtypes + the scalar */
    mote_graph_free(r);
    mote_free_aligned(buf);
}
END_TEST

START_TEST(test_format_hand_assembled_file_follows_the_spec)
{
    mini m = mini_default();
    size_t len;
    uint8_t *p = mini_image(&m, &len);
    mote_graph *g = NULL;
    ck_assert_msg(mote_format_read(p, len, "mini.mote", &g) == MOTE_OK, "%s",
                  mote_last_error());
    ck_assert_int_eq(g->n_values, 3);
    ck_assert_int_eq(g->n_nodes, 1);
    ck_assert_str_eq(g->nodes[0].op, "Add");
    ck_assert_int_eq(g->values[2].producer, 0);
    ck_assert_float_eq(((const float *)g->values[1].data)[3], 4.0f);
    ck_assert_int_eq(g->n_meta, 1);
    ck_assert_int_eq(g->meta[0].i, 17);
    ck_assert_int_eq(mote_format_verify(p, len, "mini.mote"), MOTE_OK);
    mote_graph_free(g);
    free(p);
}
END_TEST

START_TEST(test_format_empty_graph_round_trips)
{
    mote_graph *g = mote_graph_new();
    void *buf;
    size_t len;
    ck_assert_int_eq(mote_format_write_memory(g, &buf, &len), MOTE_OK);
    mote_graph *r;
    ck_assert_int_eq(mote_format_read(buf, len, "empty.mote", &r), MOTE_OK);
    assert_same_graph(g, r);
    mote_graph_free(r);
    mote_graph_free(g);
    mote_free_aligned(buf);
}
END_TEST

/* --------------------------------------------------------------- damage */

START_TEST(test_format_rejects_every_truncation)
{
    size_t len;
    uint8_t *buf = sample_image(&len);
    for (size_t n = 0; n < len; n++) {
        /* a copy of exactly n bytes, so a read past it is caught by
         * sanitizers and valgrind */
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, buf, n);
        mote_status st = read_status(cut, n);
        ck_assert_msg(st == MOTE_ERR_FORMAT, "length %zu: %s", n, mote_status_name(st));
        ck_assert_int_eq(mote_format_verify(cut, n, "model.mote"), MOTE_ERR_FORMAT);
        free(cut);
    }
    mote_free_aligned(buf);
}
END_TEST

START_TEST(test_format_truncation_message_names_file_and_sizes)
{
    size_t len;
    uint8_t *buf = sample_image(&len);
    char want[128];
    snprintf(want, sizeof want, "model.mote: the header says the file is %zu bytes, but it is %zu",
             len, len - 10);
    expect_error(read_status(buf, len - 10), MOTE_ERR_FORMAT, want);
    mote_free_aligned(buf);
}
END_TEST

/* Flips one bit in every byte of [from, to) in turn; each must be caught
 * by read (or only by verify when only_verify). */
static void flip_each_byte(uint8_t *buf, size_t len, uint64_t from, uint64_t to,
                           bool only_verify, const char *needle)
{
    ck_assert_uint_lt(from, to);
    for (uint64_t b = from; b < to; b++) {
        buf[b] ^= 0x10;
        mote_status st = read_status(buf, len);
        if (only_verify) {
            ck_assert_msg(st == MOTE_OK, "byte %llu: %s", (unsigned long long)b,
                          mote_last_error());
        } else {
            ck_assert_msg(st == MOTE_ERR_FORMAT, "byte %llu: %s", (unsigned long long)b,
                          mote_status_name(st));
            if (needle)
                ck_assert_msg(strstr(mote_last_error(), needle), "byte %llu: %s",
                              (unsigned long long)b, mote_last_error());
        }
        st = mote_format_verify(buf, len, "model.mote");
        ck_assert_msg(st == MOTE_ERR_FORMAT, "byte %llu: verify gave %s",
                      (unsigned long long)b, mote_status_name(st));
        if (only_verify && needle)
            ck_assert_msg(strstr(mote_last_error(), needle), "byte %llu: %s",
                          (unsigned long long)b, mote_last_error());
        buf[b] ^= 0x10;
    }
    ck_assert_int_eq(mote_format_verify(buf, len, "model.mote"), MOTE_OK);
}

START_TEST(test_format_header_bit_flips_are_caught)
{
    size_t len;
    uint8_t *buf = sample_image(&len);
    flip_each_byte(buf, len, 0, 4, false, "not a .mote file");
    flip_each_byte(buf, len, 8, MOTE_FORMAT_HEADER_SIZE, false, NULL);
    /* The version field: a different version is reported as unsupported. */
    buf[MOTE_HDR_VERSION] ^= 0x02;
    expect_error(read_status(buf, len), MOTE_ERR_UNSUPPORTED, "version 3");
    mote_free_aligned(buf);
}
END_TEST

START_TEST(test_format_section_bit_flips_fail_the_checksum)
{
    size_t len;
    uint8_t *buf = sample_image(&len);
    const char *what[3] = {"metadata section checksum", "tensor table checksum",
                           "graph section checksum"};
    for (int k = 0; k < 3; k++)
        flip_each_byte(buf, len, sec_off(buf, k), sec_off(buf, k) + sec_size(buf, k), false,
                       what[k]);
    mote_free_aligned(buf);
}
END_TEST

START_TEST(test_format_data_bit_flips_are_caught_by_verify)
{
    size_t len;
    uint8_t *buf = sample_image(&len);
    uint64_t d = sec_off(buf, MOTE_SEC_DATA);
    /* the first tensor is w_f32: 7 x 4 floats */
    flip_each_byte(buf, len, d, d + 7 * 4 * 4, true, "tensor 'w_f32': data checksum mismatch");
    /* padding after it, and the padding before the data section */
    flip_each_byte(buf, len, d + 7 * 4 * 4, d + 128, true, "non-zero padding");
    uint64_t gend = sec_off(buf, MOTE_SEC_GRAPH) + sec_size(buf, MOTE_SEC_GRAPH);
    if (gend < d)
        flip_each_byte(buf, len, gend, d, true, NULL);
    mote_free_aligned(buf);
}
END_TEST

/* Random damage behind valid checksums reaches the parsers' own checks;
 * whatever it does, the reader must answer without crashing. */
START_TEST(test_format_survives_random_damage_with_fixed_checksums)
{
    size_t len;
    uint8_t *orig = sample_image(&len);
    uint8_t *buf = malloc(len);
    uint32_t seed = 12345;
    int rejected = 0;
    uint64_t meta = sec_off(orig, 0), data = sec_off(orig, MOTE_SEC_DATA);
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(buf, orig, len);
        int flips = 1 + iter % 4;
        for (int f = 0; f < flips; f++) {
            seed = seed * 1103515245u + 12345u;
            uint64_t at = meta + (seed >> 8) % (data - meta);
            seed = seed * 1103515245u + 12345u;
            buf[at] = (seed >> 16) & 1 ? (uint8_t)(seed >> 24) : buf[at] ^ (uint8_t)(1u << (seed >> 28 & 7));
        }
        fix_checksums(buf);
        mote_status st = read_status(buf, len);
        ck_assert_msg(st == MOTE_OK || st == MOTE_ERR_FORMAT, "iteration %d: %s", iter,
                      mote_status_name(st));
        rejected += st != MOTE_OK;
    }
    ck_assert_int_gt(rejected, 1500);
    free(buf);
    mote_free_aligned(orig);
}
END_TEST

/* ------------------------------------------------------ hostile headers */

START_TEST(test_format_rejects_bad_magic)
{
    size_t len;
    uint8_t *buf = sample_image(&len);
    memcpy(buf, "ONNX", 4);
    expect_error(read_status(buf, len), MOTE_ERR_FORMAT, "model.mote: not a .mote file");
    expect_error(read_status("MOT", 3), MOTE_ERR_FORMAT, "not a .mote file");
    mote_free_aligned(buf);
}
END_TEST

START_TEST(test_format_rejects_future_version)
{
    size_t len;
    uint8_t *buf = sample_image(&len);
    mote_put_le32(buf + MOTE_HDR_VERSION, 2);
    fix_checksums(buf);
    expect_error(read_status(buf, len), MOTE_ERR_UNSUPPORTED,
                 "format version 2, but this reader understands only version 1");
    mote_free_aligned(buf);
}
END_TEST

START_TEST(test_format_rejects_unknown_flags)
{
    size_t len;
    uint8_t *buf = sample_image(&len);
    mote_put_le32(buf + MOTE_HDR_FLAGS, 1);
    fix_checksums(buf);
    expect_error(read_status(buf, len), MOTE_ERR_UNSUPPORTED, "flags 0x00000001");
    mote_free_aligned(buf);
}
END_TEST

START_TEST(test_format_rejects_section_past_the_end)
{
    size_t len;
    uint8_t *buf = sample_image(&len);
    uint8_t *e = buf + MOTE_HDR_DIR + MOTE_SEC_GRAPH * MOTE_HDR_DIR_ENTRY;
    mote_put_le64(e + 8, UINT64_MAX - 100);     /* offset + size overflows */
    fix_header_checksum(buf);
    expect_error(read_status(buf, len), MOTE_ERR_FORMAT, "graph section");
    ck_assert(strstr(mote_last_error(), "past the end of the file"));
    mote_free_aligned(buf);
}
END_TEST

/* The data section's placement is rounded up to 64, which can put it past
 * the end of a short file; its size must not be able to wrap around. */
START_TEST(test_format_rejects_data_section_wrapping_around)
{
    mini m = mini_default();
    m.data_bytes = 2;
    size_t len;
    uint8_t *p = mini_image(&m, &len);
    uint64_t d = sec_off(p, MOTE_SEC_DATA);
    ck_assert_uint_eq(len, d + 2);
    uint8_t *ge = p + MOTE_HDR_DIR + MOTE_SEC_GRAPH * MOTE_HDR_DIR_ENTRY;
    mote_put_le64(ge + 8, d + 1 - mote_le64(ge));            /* graph ends at d + 1 */
    uint8_t *de = p + MOTE_HDR_DIR + MOTE_SEC_DATA * MOTE_HDR_DIR_ENTRY;
    mote_put_le64(de, d + 64);                               /* where v1 would put it */
    mote_put_le64(de + 8, UINT64_MAX - 61);                  /* d + 64 + this = d + 2 */
    fix_checksums(p);
    expect_error(read_status(p, len), MOTE_ERR_FORMAT, "data section");
    expect_error(mote_format_verify(p, len, "model.mote"), MOTE_ERR_FORMAT, "data section");
    free(p);
}
END_TEST

START_TEST(test_format_rejects_misplaced_section)
{
    size_t len;
    uint8_t *buf = sample_image(&len);
    uint8_t *e = buf + MOTE_HDR_DIR + MOTE_SEC_TENSORS * MOTE_HDR_DIR_ENTRY;
    mote_put_le64(e, mote_le64(e) + 4);
    fix_header_checksum(buf);
    expect_error(read_status(buf, len), MOTE_ERR_FORMAT, "tensor table starts at offset");
    mote_free_aligned(buf);
}
END_TEST

START_TEST(test_format_rejects_huge_counts)
{
    mini m = mini_default();
    m.meta_count = 0xFFFFFFFFu;
    expect_mini(&m, MOTE_ERR_FORMAT, "metadata section: entry count: 4294967295 records");
    m = mini_default();
    m.tensor_count = 100000000;
    expect_mini(&m, MOTE_ERR_FORMAT, "tensor table: tensor count");
    m = mini_default();
    m.n_values = 0x7FFFFFFF;
    expect_mini(&m, MOTE_ERR_FORMAT, "graph section: value count");
    m = mini_default();
    m.attr_count = 0x40000000;
    expect_mini(&m, MOTE_ERR_FORMAT, "node 'add': axes: 1073741824 records need");
}
END_TEST

START_TEST(test_format_rejects_tensor_data_past_the_end)
{
    mini m = mini_default();
    m.toff = 1234560;
    expect_mini(&m, MOTE_ERR_FORMAT,
                "model.mote: tensor table, tensor 'w': data offset 1234560 + 16 bytes is "
                "past the end of the file");
    m.toff = UINT64_MAX - 63;                 /* offset + size overflows */
    expect_mini(&m, MOTE_ERR_FORMAT, "is past the end of the file");
    m.toff = 48;                              /* inside, but not aligned */
    expect_mini(&m, MOTE_ERR_FORMAT, "data offset 48 is not a multiple of 64");
}
END_TEST

START_TEST(test_format_rejects_bad_dtype_and_rank)
{
    mini m = mini_default();
    m.tdtype = 99;
    expect_mini(&m, MOTE_ERR_FORMAT, "tensor 'w': unknown dtype code 99");
    m.tdtype = 0;
    expect_mini(&m, MOTE_ERR_FORMAT, "tensor 'w': unknown dtype code 0");
    m = mini_default();
    m.tndim = 9;
    expect_mini(&m, MOTE_ERR_FORMAT, "tensor 'w': 9 dimensions (at most 8)");
    m.tndim = -1;
    expect_mini(&m, MOTE_ERR_FORMAT, "tensor 'w': -1 dimensions");
}
END_TEST

START_TEST(test_format_rejects_negative_weight_dim_and_wrong_size)
{
    mini m = mini_default();
    m.tdim0 = -4;
    expect_mini(&m, MOTE_ERR_FORMAT, "tensor 'w': dimension 0 is -4");
    m = mini_default();
    m.tbytes = 12;
    expect_mini(&m, MOTE_ERR_FORMAT, "tensor 'w': data size 12, but f32 with this shape is 16 bytes");
    m = mini_default();
    m.tdim0 = INT64_MAX;        /* numel * 4 overflows */
    expect_mini(&m, MOTE_ERR_FORMAT, "tensor 'w': the shape's size overflows");
}
END_TEST

START_TEST(test_format_rejects_unterminated_string)
{
    mini m = mini_default();
    m.op_unterminated = true;
    expect_mini(&m, MOTE_ERR_FORMAT, "graph section, node 0: op type: the 3-byte string");
    ck_assert(strstr(mote_last_error(), "is not NUL-terminated"));
}
END_TEST

START_TEST(test_format_rejects_value_ids_out_of_range)
{
    mini m = mini_default();
    m.in1 = 3;
    expect_mini(&m, MOTE_ERR_FORMAT, "node 'add': input 1 is value id 3, not in [-1, 3)");
    m = mini_default();
    m.in0 = -2;
    expect_mini(&m, MOTE_ERR_FORMAT, "input 0 is value id -2");
    m = mini_default();
    m.out0 = -1;
    expect_mini(&m, MOTE_ERR_FORMAT, "output 0 is value id -1, not in [0, 3)");
    m = mini_default();
    m.graph_output = 7;
    expect_mini(&m, MOTE_ERR_FORMAT, "graph output 0 is value id 7");
    m = mini_default();
    m.wtensor = 1;
    expect_mini(&m, MOTE_ERR_FORMAT, "value 'w': tensor index 1, not in [0, 1)");
}
END_TEST

START_TEST(test_format_absent_optional_input_is_accepted)
{
    mini m = mini_default();
    m.in1 = -1;     /* the weight is then unused, which the format allows */
    size_t len;
    uint8_t *p = mini_image(&m, &len);
    mote_graph *g;
    ck_assert_msg(mote_format_read(p, len, "mini.mote", &g) == MOTE_OK, "%s", mote_last_error());
    ck_assert_int_eq(g->nodes[0].in[1], -1);
    mote_graph_free(g);
    free(p);
}
END_TEST

START_TEST(test_format_rejects_duplicate_names)
{
    mini m = mini_default();
    m.yname = "x";
    expect_mini(&m, MOTE_ERR_FORMAT, "value 0 and value 2 have the same name 'x'");
}
END_TEST

START_TEST(test_format_rejects_value_produced_twice)
{
    mini m = mini_default();
    m.second_producer = true;
    expect_mini(&m, MOTE_ERR_FORMAT, "node 'neg': output 'y' is already produced by node 'add'");
}
END_TEST

START_TEST(test_format_rejects_inconsistent_weight_value)
{
    mini m = mini_default();
    m.wdim0 = 5;
    expect_mini(&m, MOTE_ERR_FORMAT, "value 'w': its name, dtype or shape differs");
    m = mini_default();
    m.wname = "v";
    expect_mini(&m, MOTE_ERR_FORMAT, "differs from tensor 'w'");
    m = mini_default();
    m.graph_input = 1;
    expect_mini(&m, MOTE_ERR_FORMAT, "graph input 0, 'w', is not an input value");
}
END_TEST

START_TEST(test_format_rejects_unknown_types)
{
    mini m = mini_default();
    m.meta_type = 4;
    expect_mini(&m, MOTE_ERR_FORMAT, "entry 'opset': unknown type 4");
    m = mini_default();
    m.attr_type = 8;   /* 7 is GRAPH, a subgraph */
    expect_mini(&m, MOTE_ERR_FORMAT, "attribute 'axes' has unknown type 8");
}
END_TEST

/* -------------------------------------------------------------- writer */

START_TEST(test_format_writer_refuses_a_graph_the_reader_would_reject)
{
    mote_graph *g = sample_graph();
    void *buf;
    size_t len;
    /* the f32 weight claims 3 bytes fewer than its shape needs */
    int w = mote_graph_find_value(g, "w_f32");
    ck_assert_int_ge(w, 0);
    g->values[w].nbytes -= 3;
    expect_error(mote_format_write_memory(g, &buf, &len), MOTE_ERR_GRAPH, "weight 'w_f32'");
    g->values[w].nbytes += 3;
    /* a node output that is an input */
    int saved = g->nodes[0].out[0];
    g->nodes[0].out[0] = mote_graph_find_value(g, "x");
    expect_error(mote_format_write_memory(g, &buf, &len), MOTE_ERR_GRAPH,
                 "output 'x' is a graph input");
    g->nodes[0].out[0] = saved;
    ck_assert_int_eq(mote_format_write_memory(g, &buf, &len), MOTE_OK);
    mote_free_aligned(buf);
    mote_graph_free(g);
}
END_TEST

START_TEST(test_format_write_file_matches_write_memory)
{
    mote_graph *g = sample_graph();
    void *buf;
    size_t len;
    ck_assert_int_eq(mote_format_write_memory(g, &buf, &len), MOTE_OK);
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(mote_format_write_file(g, f, "tmp.mote"), MOTE_OK);
    ck_assert_int_eq(ftell(f), (long)len);
    rewind(f);
    uint8_t *back = malloc(len);
    ck_assert_uint_eq(fread(back, 1, len, f), len);
    ck_assert(memcmp(back, buf, len) == 0);
    free(back);
    fclose(f);
    mote_free_aligned(buf);
    mote_graph_free(g);
}
END_TEST

START_TEST(test_format_write_file_reports_a_failed_write)
{
    FILE *f = fopen("/dev/full", "wb");
    if (!f) {
        fprintf(stderr, "skipped: no /dev/full on this system\n");
        return;
    }
    mote_graph *g = sample_graph();
    expect_error(mote_format_write_file(g, f, "full.mote"), MOTE_ERR_IO,
                 "full.mote: write failed");
    fclose(f);
    mote_graph_free(g);
}
END_TEST

/* ---------------------------------------------------------- atomic save */

static char *make_temp_dir(void)
{
    const char *base = getenv("TMPDIR");
    char *dir = malloc(512);
    snprintf(dir, 512, "%s/mote-format-XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

/* Names in dir other than . and .. (comma-separated, sorted by readdir). */
static int count_entries(const char *dir, char *names, size_t cap)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    names[0] = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        n++;
        strncat(names, e->d_name, cap - strlen(names) - 2);
        strcat(names, ",");
    }
    closedir(d);
    return n;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = mote_alloc_aligned((size_t)n + 1);
    ck_assert_uint_eq(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

START_TEST(test_graph_save_writes_a_readable_aligned_file)
{
    char *dir = make_temp_dir();
    char path[600], names[256];
    snprintf(path, sizeof path, "%s/model.mote", dir);
    mote_graph *g = sample_graph();
    ck_assert_int_eq(mote_graph_save(g, path), MOTE_OK);
    ck_assert_int_eq(count_entries(dir, names, sizeof names), 1);   /* no temporary left */
    size_t len;
    uint8_t *p = slurp(path, &len);
    ck_assert_int_eq(mote_format_verify(p, len, path), MOTE_OK);
    mote_graph *r;
    ck_assert_int_eq(mote_format_read(p, len, path, &r), MOTE_OK);
    assert_same_graph(g, r);
    for (int i = 0; i < r->n_values; i++)
        if (r->values[i].kind == MOTE_VAL_WEIGHT)
            ck_assert_uint_eq(((const uint8_t *)r->values[i].data - p) % 64, 0);
    mote_graph_free(r);
    mote_free_aligned(p);
    /* Saving again replaces the file. */
    ck_assert_int_eq(mote_graph_meta_string(g, "extra", "yes"), MOTE_OK);
    ck_assert_int_eq(mote_graph_save(g, path), MOTE_OK);
    p = slurp(path, &len);
    ck_assert_int_eq(mote_format_read(p, len, path, &r), MOTE_OK);
    assert_same_graph(g, r);
    mote_graph_free(r);
    mote_free_aligned(p);
    mote_graph_free(g);
    unlink(path);
    rmdir(dir);
    free(dir);
}
END_TEST

START_TEST(test_graph_save_to_missing_directory_fails_and_leaves_nothing)
{
    char *dir = make_temp_dir();
    char path[700], sub[600], names[256];
    snprintf(sub, sizeof sub, "%s/missing", dir);
    snprintf(path, sizeof path, "%s/model.mote", sub);
    mote_graph *g = sample_graph();
    expect_error(mote_graph_save(g, path), MOTE_ERR_IO, path);
    struct stat sb;
    ck_assert_int_ne(stat(sub, &sb), 0);
    ck_assert_int_eq(count_entries(dir, names, sizeof names), 0);
    mote_graph_free(g);
    rmdir(dir);
    free(dir);
}
END_TEST

START_TEST(test_graph_save_failure_leaves_destination_untouched)
{
    char *dir = make_temp_dir();
    char path[600], names[256];
    snprintf(path, sizeof path, "%s/model.mote", dir);
    FILE *f = fopen(path, "wb");
    fputs("the previous model", f);
    fclose(f);
    mote_graph *g = sample_graph();
    /* 1: a graph that breaks the format's rules is refused before any file exists */
    int w = mote_graph_find_value(g, "w_i8");
    g->values[w].nbytes++;
    expect_error(mote_graph_save(g, path), MOTE_ERR_GRAPH, "weight 'w_i8'");
    g->values[w].nbytes--;
    size_t len;
    uint8_t *p = slurp(path, &len);
    ck_assert_uint_eq(len, strlen("the previous model"));
    ck_assert(memcmp(p, "the previous model", len) == 0);
    mote_free_aligned(p);
    ck_assert_int_eq(count_entries(dir, names, sizeof names), 1);
    /* 2: a failure after the temporary file is written (the rename onto a
     * directory fails) removes the temporary */
    char sub[600];
    snprintf(sub, sizeof sub, "%s/adir", dir);
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    char inner[700];
    snprintf(inner, sizeof inner, "%s/keep", sub);
    f = fopen(inner, "wb");
    fclose(f);
    expect_error(mote_graph_save(g, sub), MOTE_ERR_IO, "rename");
    ck_assert_msg(count_entries(dir, names, sizeof names) == 2, "left: %s", names);
    struct stat sb;
    ck_assert_int_eq(stat(inner, &sb), 0);
    mote_graph_free(g);
    unlink(inner);
    rmdir(sub);
    unlink(path);
    rmdir(dir);
    free(dir);
}
END_TEST

/* ----------------------------------------------------------------- main */

static Suite *format_suite(void)
{
    Suite *s = suite_create("format");
    TCase *c = tcase_create("crc32");
    tcase_add_test(c, test_crc32_matches_the_zlib_check_value);
    tcase_add_test(c, test_crc32_chains_and_agrees_with_bitwise_definition);
    suite_add_tcase(s, c);

    c = tcase_create("round_trip");
    tcase_add_test(c, test_format_round_trip_keeps_everything);
    tcase_add_test(c, test_format_weights_are_64_byte_aligned);
    tcase_add_test(c, test_format_hand_assembled_file_follows_the_spec);
    tcase_add_test(c, test_format_empty_graph_round_trips);
    tcase_add_test(c, test_format_absent_optional_input_is_accepted);
    tcase_add_test(c, test_format_writer_refuses_a_graph_the_reader_would_reject);
    tcase_add_test(c, test_format_write_file_matches_write_memory);
    tcase_add_test(c, test_format_write_file_reports_a_failed_write);
    suite_add_tcase(s, c);

    c = tcase_create("damage");
    tcase_set_timeout(c, 120);
    tcase_add_test(c, test_format_rejects_every_truncation);
    tcase_add_test(c, test_format_truncation_message_names_file_and_sizes);
    tcase_add_test(c, test_format_header_bit_flips_are_caught);
    tcase_add_test(c, test_format_section_bit_flips_fail_the_checksum);
    tcase_add_test(c, test_format_data_bit_flips_are_caught_by_verify);
    tcase_add_test(c, test_format_survives_random_damage_with_fixed_checksums);
    suite_add_tcase(s, c);

    c = tcase_create("hostile");
    tcase_add_test(c, test_format_rejects_bad_magic);
    tcase_add_test(c, test_format_rejects_future_version);
    tcase_add_test(c, test_format_rejects_unknown_flags);
    tcase_add_test(c, test_format_rejects_section_past_the_end);
    tcase_add_test(c, test_format_rejects_misplaced_section);
    tcase_add_test(c, test_format_rejects_data_section_wrapping_around);
    tcase_add_test(c, test_format_rejects_huge_counts);
    tcase_add_test(c, test_format_rejects_tensor_data_past_the_end);
    tcase_add_test(c, test_format_rejects_bad_dtype_and_rank);
    tcase_add_test(c, test_format_rejects_negative_weight_dim_and_wrong_size);
    tcase_add_test(c, test_format_rejects_unterminated_string);
    tcase_add_test(c, test_format_rejects_value_ids_out_of_range);
    tcase_add_test(c, test_format_rejects_duplicate_names);
    tcase_add_test(c, test_format_rejects_value_produced_twice);
    tcase_add_test(c, test_format_rejects_inconsistent_weight_value);
    tcase_add_test(c, test_format_rejects_unknown_types);
    suite_add_tcase(s, c);

    c = tcase_create("save");
    tcase_add_test(c, test_graph_save_writes_a_readable_aligned_file);
    tcase_add_test(c, test_graph_save_to_missing_directory_fails_and_leaves_nothing);
    tcase_add_test(c, test_graph_save_failure_leaves_destination_untouched);
    suite_add_tcase(s, c);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(format_suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
