/*
 * test_onnx.c — the protobuf reader and the ONNX message readers on
 * hand-made byte strings, damaged files (truncated at every length, bad
 * varints, lengths past the end, nesting bombs, huge counts), tensor
 * decoding, external data confinement, and the importer on small models.
 * The node-level conformance runner is tests/onnx/run_node_tests.c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "graph/graph.h"
#include "graph/internal.h"
#include "onnx/onnx.h"
#include "onnx/onnx_proto.h"
#include "onnx/pb.h"

/* ------------------------------------------------ a tiny protobuf writer */

typedef struct buf {
    uint8_t *d;
    size_t n, cap;
} buf;

static void put(buf *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->d = realloc(b->d, b->cap);
        ck_assert_ptr_nonnull(b->d);
    }
    memcpy(b->d + b->n, p, n);
    b->n += n;
}
static void put_varint(buf *b, uint64_t v)
{
    do {
        uint8_t c = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v)
            c |= 0x80;
        put(b, &c, 1);
    } while (v);
}
static void put_key(buf *b, unsigned num, int wire) { put_varint(b, (uint64_t)num << 3 | (unsigned)wire); }
static void put_int(buf *b, unsigned num, int64_t v) { put_key(b, num, 0); put_varint(b, (uint64_t)v); }
static void put_len(buf *b, unsigned num, const void *p, size_t n)
{
    put_key(b, num, 2);
    put_varint(b, n);
    put(b, p, n);
}
static void put_str(buf *b, unsigned num, const char *s) { put_len(b, num, s, strlen(s)); }
static void put_msg(buf *b, unsigned num, buf *m)
{
    put_len(b, num, m->d, m->n);
    free(m->d);
    memset(m, 0, sizeof *m);
}
static void put_f32(buf *b, unsigned num, float f)
{
    put_key(b, num, 5);
    put(b, &f, 4);
}

/* ValueInfoProto: name, float tensor of the given dims (-1 = symbolic "N") */
static void value_info(buf *out, unsigned num, const char *name, int ndim, const int64_t *dims)
{
    buf vi = {0}, tp = {0}, tt = {0}, sh = {0};
    for (int i = 0; i < ndim; i++) {
        buf d = {0};
        if (dims[i] < 0)
            put_str(&d, 2, "N");
        else
            put_int(&d, 1, dims[i]);
        put_msg(&sh, 1, &d);
    }
    put_int(&tt, 1, 1);            /* elem_type FLOAT */
    put_msg(&tt, 2, &sh);
    put_msg(&tp, 1, &tt);          /* tensor_type */
    put_str(&vi, 1, name);
    put_msg(&vi, 2, &tp);
    put_msg(out, num, &vi);
}

/* A model: Y = LeakyRelu(X + W, alpha=0.5), X f32 [N, 3], W initializer [3]. */
static buf tiny_model(void)
{
    buf m = {0}, g = {0}, n1 = {0}, n2 = {0}, a = {0}, w = {0}, op = {0};
    int64_t xd[2] = {-1, 3};
    put_int(&m, 1, 8);                          /* ir_version */
    put_str(&m, 2, "handmade");                 /* producer_name */
    put_str(&n1, 1, "X");
    put_str(&n1, 1, "W");
    put_str(&n1, 2, "S");
    put_str(&n1, 3, "add0");
    put_str(&n1, 4, "Add");
    put_msg(&g, 1, &n1);
    put_str(&n2, 1, "S");
    put_str(&n2, 2, "Y");
    put_str(&n2, 3, "act0");
    put_str(&n2, 4, "LeakyRelu");
    put_str(&a, 1, "alpha");
    put_int(&a, 20, 1);                         /* FLOAT */
    put_f32(&a, 2, 0.5f);
    put_msg(&n2, 5, &a);
    put_msg(&g, 1, &n2);
    put_str(&g, 2, "tiny");
    put_int(&w, 1, 3);                          /* dims */
    put_int(&w, 2, 1);                          /* FLOAT */
    float wv[3] = {1, -2, 3};
    put_len(&w, 4, wv, sizeof wv);              /* packed float_data */
    put_str(&w, 8, "W");
    put_msg(&g, 5, &w);
    value_info(&g, 11, "X", 2, xd);
    value_info(&g, 12, "Y", 2, xd);
    put_msg(&m, 7, &g);
    put_int(&op, 2, 13);                        /* opset_import version */
    put_msg(&m, 8, &op);
    return m;
}

/* --------------------------------------------------------- wire reader */

START_TEST(test_pb_reads_every_wire_type)
{
    buf b = {0};
    put_int(&b, 1, 150);
    put_str(&b, 2, "hi");
    put_f32(&b, 3, 2.5f);
    double d = -1.25;
    put_key(&b, 4, 1);
    put(&b, &d, 8);
    put_int(&b, 5, -1);                 /* int64 -1: ten-byte varint */
    mote_pb r;
    mote_pb_field f;
    bool done;
    mote_pb_init(&r, b.d, b.n);
    ck_assert_int_eq(mote_pb_next(&r, &f, &done), MOTE_OK);
    ck_assert(!done);
    ck_assert_uint_eq(f.num, 1);
    ck_assert_uint_eq(f.v, 150);
    ck_assert_int_eq(mote_pb_next(&r, &f, &done), MOTE_OK);
    ck_assert_int_eq(f.wire, MOTE_PB_LEN);
    ck_assert_uint_eq(f.len, 2);
    ck_assert(!memcmp(f.data, "hi", 2));
    ck_assert_int_eq(mote_pb_next(&r, &f, &done), MOTE_OK);
    float fv;
    ck_assert_int_eq(mote_pb_as_float(&f, &fv), MOTE_OK);
    ck_assert(fv == 2.5f);
    ck_assert_int_eq(mote_pb_next(&r, &f, &done), MOTE_OK);
    double dv;
    ck_assert_int_eq(mote_pb_as_double(&f, &dv), MOTE_OK);
    ck_assert(dv == -1.25);
    ck_assert_int_eq(mote_pb_next(&r, &f, &done), MOTE_OK);
    int64_t iv;
    ck_assert_int_eq(mote_pb_as_int64(&f, &iv), MOTE_OK);
    ck_assert_int_eq(iv, -1);
    ck_assert_int_eq(mote_pb_next(&r, &f, &done), MOTE_OK);
    ck_assert(done);
    free(b.d);
}
END_TEST

START_TEST(test_pb_rejects_varint_longer_than_ten_bytes)
{
    uint8_t bad[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    mote_pb r;
    mote_pb_field f;
    bool done;
    mote_pb_init(&r, bad, sizeof bad);
    ck_assert_int_eq(mote_pb_next(&r, &f, &done), MOTE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "varint"));
    /* a tenth byte carrying more than the 64th bit overflows */
    uint8_t over[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
    const uint8_t *p = over;
    uint64_t v;
    ck_assert_int_eq(mote_pb_varint(&p, over + sizeof over, &v), MOTE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "overflows"));
}
END_TEST

START_TEST(test_pb_rejects_truncated_varint)
{
    uint8_t bad[] = {0x08, 0x96};
    mote_pb r;
    mote_pb_field f;
    bool done;
    mote_pb_init(&r, bad, sizeof bad);
    ck_assert_int_eq(mote_pb_next(&r, &f, &done), MOTE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "field 1"));
}
END_TEST

START_TEST(test_pb_rejects_length_past_the_end)
{
    uint8_t bad[] = {0x12, 0x05, 'a', 'b'};
    mote_pb r;
    mote_pb_field f;
    bool done;
    mote_pb_init(&r, bad, sizeof bad);
    ck_assert_int_eq(mote_pb_next(&r, &f, &done), MOTE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "past the end"));
    /* a length near 2^64 must not wrap the bounds check */
    uint8_t huge[] = {0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 'x'};
    mote_pb_init(&r, huge, sizeof huge);
    ck_assert_int_eq(mote_pb_next(&r, &f, &done), MOTE_ERR_FORMAT);
}
END_TEST

START_TEST(test_pb_rejects_groups_and_field_zero)
{
    uint8_t group[] = {0x0b, 0x0c};      /* field 1 start-group, end-group */
    uint8_t zero[] = {0x00, 0x01};       /* field number 0 */
    uint8_t fixed[] = {0x0d, 0x01, 0x02};/* fixed32 with 2 bytes */
    mote_pb r;
    mote_pb_field f;
    bool done;
    mote_pb_init(&r, group, sizeof group);
    ck_assert_int_eq(mote_pb_next(&r, &f, &done), MOTE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "wire type 3"));
    mote_pb_init(&r, zero, sizeof zero);
    ck_assert_int_eq(mote_pb_next(&r, &f, &done), MOTE_ERR_FORMAT);
    mote_pb_init(&r, fixed, sizeof fixed);
    ck_assert_int_eq(mote_pb_next(&r, &f, &done), MOTE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "fixed32"));
}
END_TEST

START_TEST(test_pb_reads_packed_and_unpacked_repeated)
{
    buf b = {0}, p = {0};
    put_varint(&p, 1);
    put_varint(&p, 300);
    put_varint(&p, (uint64_t)-5);
    put_len(&b, 1, p.d, p.n);
    put_int(&b, 1, 7);                  /* the same field, unpacked */
    free(p.d);
    mote_pb r;
    mote_pb_field f;
    bool done;
    int64_t *arr = NULL;
    size_t n = 0, cap = 0;
    mote_pb_init(&r, b.d, b.n);
    while (mote_pb_next(&r, &f, &done) == MOTE_OK && !done)
        ck_assert_int_eq(mote_pb_append_int64(&f, &arr, &n, &cap), MOTE_OK);
    ck_assert_uint_eq(n, 4);
    ck_assert_int_eq(arr[0], 1);
    ck_assert_int_eq(arr[1], 300);
    ck_assert_int_eq(arr[2], -5);
    ck_assert_int_eq(arr[3], 7);
    free(arr);
    free(b.d);
}
END_TEST

START_TEST(test_pb_rejects_bad_packed_payloads)
{
    mote_pb_field f = {.num = 4, .wire = MOTE_PB_LEN};
    uint8_t three[3] = {0, 0, 0};
    f.data = three;
    f.len = 3;
    float *fa = NULL;
    size_t n = 0, cap = 0;
    ck_assert_int_eq(mote_pb_append_float(&f, &fa, &n, &cap), MOTE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "multiple of 4"));
    uint8_t mid[2] = {0x01, 0x80};      /* second varint never ends */
    f.data = mid;
    f.len = 2;
    int64_t *ia = NULL;
    ck_assert_int_eq(mote_pb_append_int64(&f, &ia, &n, &cap), MOTE_ERR_FORMAT);
    ck_assert_ptr_null(ia);
    ck_assert_ptr_null(fa);
}
END_TEST

START_TEST(test_pb_string_rejects_nul_byte)
{
    mote_pb_field f = {.num = 1, .wire = MOTE_PB_LEN, .data = (const uint8_t *)"a\0b", .len = 3};
    char *s = (char *)1;
    ck_assert_int_eq(mote_pb_string(&f, &s), MOTE_ERR_FORMAT);
    ck_assert_ptr_null(s);
}
END_TEST

/* ---------------------------------------------------------- ONNX messages */

START_TEST(test_onnx_parses_handmade_model)
{
    buf b = tiny_model();
    mote_onnx_model m;
    ck_assert_int_eq(mote_onnx_parse_model(b.d, b.n, &m), MOTE_OK);
    ck_assert_int_eq(m.ir_version, 8);
    ck_assert_str_eq(m.producer_name, "handmade");
    ck_assert_int_eq(mote_onnx_opset_version(&m, ""), 13);
    ck_assert_uint_eq(m.graph.n_nodes, 2);
    ck_assert_str_eq(m.graph.nodes[1].op_type, "LeakyRelu");
    ck_assert_uint_eq(m.graph.nodes[1].n_attrs, 1);
    ck_assert_int_eq(m.graph.nodes[1].attrs[0].type, MOTE_ONNX_ATTR_FLOAT);
    ck_assert(m.graph.nodes[1].attrs[0].f == 0.5f);
    ck_assert_uint_eq(m.graph.n_inputs, 1);
    ck_assert_int_eq(m.graph.inputs[0].ndim, 2);
    ck_assert_int_eq(m.graph.inputs[0].dims[0], -1);   /* symbolic "N" */
    ck_assert_int_eq(m.graph.inputs[0].dims[1], 3);
    ck_assert_uint_eq(m.graph.n_inits, 1);
    mote_dtype dt;
    void *data;
    size_t nb;
    ck_assert_int_eq(mote_onnx_tensor_data(&m.graph.inits[0], NULL, &dt, &data, &nb), MOTE_OK);
    ck_assert_int_eq(dt, MOTE_F32);
    ck_assert_uint_eq(nb, 12);
    ck_assert(((float *)data)[1] == -2.0f);
    free(data);
    mote_onnx_model_free(&m);
    free(b.d);
}
END_TEST

START_TEST(test_onnx_truncated_model_at_every_length_fails_cleanly)
{
    buf b = tiny_model();
    int errors = 0;
    for (size_t len = 0; len < b.n; len++) {
        /* a fresh copy of exactly len bytes, so reading past it is caught
         * by the sanitizers as well as by the checks */
        uint8_t *cut = malloc(len ? len : 1);
        memcpy(cut, b.d, len);
        mote_onnx_model m;
        mote_status st = mote_onnx_parse_model(cut, len, &m);
        if (st == MOTE_OK) {
            mote_onnx_model_free(&m);
        } else {
            ck_assert_int_eq(st, MOTE_ERR_FORMAT);
            ck_assert(strlen(mote_last_error()) > 0);
            errors++;
        }
        free(cut);
    }
    /* cutting inside the graph must always be detected */
    ck_assert_int_ge(errors, (int)b.n / 2);
    free(b.d);
}
END_TEST

START_TEST(test_onnx_rejects_model_without_graph)
{
    buf b = {0};
    put_int(&b, 1, 8);
    mote_onnx_model m;
    ck_assert_int_eq(mote_onnx_parse_model(b.d, b.n, &m), MOTE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "no graph"));
    free(b.d);
    /* random text is not a model either */
    const char *txt = "this is not an onnx file\n";
    ck_assert_int_ne(mote_onnx_parse_model(txt, strlen(txt), &m), MOTE_OK);
}
END_TEST

START_TEST(test_onnx_nesting_bomb_is_refused)
{
    /* graph input whose type is sequence(sequence(...(tensor))) 1000 deep */
    buf t = {0};
    buf tt = {0};
    put_int(&tt, 1, 1);
    put_msg(&t, 1, &tt);
    for (int i = 0; i < 1000; i++) {
        buf seq = {0}, outer = {0};
        put_msg(&seq, 1, &t);           /* Sequence.elem_type */
        put_msg(&outer, 4, &seq);       /* TypeProto.sequence_type */
        t = outer;
    }
    buf vi = {0}, g = {0}, m = {0};
    put_str(&vi, 1, "X");
    put_msg(&vi, 2, &t);
    put_msg(&g, 11, &vi);
    put_msg(&m, 7, &g);
    mote_onnx_model om;
    ck_assert_int_eq(mote_onnx_parse_model(m.d, m.n, &om), MOTE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "nested deeper"));
    free(m.d);
}
END_TEST

START_TEST(test_onnx_huge_counts_are_refused_without_allocating)
{
    /* a tensor claiming 2^40 x 2^40 elements with 4 bytes of data */
    buf t = {0};
    put_int(&t, 1, (int64_t)1 << 40);
    put_int(&t, 1, (int64_t)1 << 40);
    put_int(&t, 2, 1);
    put_len(&t, 9, "abcd", 4);
    mote_onnx_tensor ot;
    ck_assert_int_eq(mote_onnx_parse_tensor(t.d, t.n, &ot), MOTE_OK);
    mote_dtype dt;
    void *data;
    size_t nb;
    ck_assert_int_eq(mote_onnx_tensor_data(&ot, NULL, &dt, &data, &nb), MOTE_ERR_FORMAT);
    ck_assert_ptr_null(data);
    mote_onnx_tensor_free(&ot);
    free(t.d);
    /* a tensor with 9 dims is beyond mote */
    buf u = {0};
    for (int i = 0; i < 9; i++)
        put_int(&u, 1, 1);
    ck_assert_int_eq(mote_onnx_parse_tensor(u.d, u.n, &ot), MOTE_ERR_UNSUPPORTED);
    free(u.d);
    /* a negative dim */
    buf v = {0};
    put_int(&v, 1, -3);
    ck_assert_int_eq(mote_onnx_parse_tensor(v.d, v.n, &ot), MOTE_ERR_FORMAT);
    free(v.d);
}
END_TEST

START_TEST(test_onnx_tensor_typed_fields_convert)
{
    /* int64_data, int32_data carrying f16 bits and bools, double refused */
    buf a = {0};
    put_int(&a, 1, 2);
    put_int(&a, 2, 7);                  /* INT64 */
    put_int(&a, 7, -9);
    put_int(&a, 7, 1LL << 40);
    mote_onnx_tensor t;
    mote_dtype dt;
    void *data;
    size_t nb;
    ck_assert_int_eq(mote_onnx_parse_tensor(a.d, a.n, &t), MOTE_OK);
    ck_assert_int_eq(mote_onnx_tensor_data(&t, NULL, &dt, &data, &nb), MOTE_OK);
    ck_assert_int_eq(dt, MOTE_I64);
    ck_assert_int_eq(((int64_t *)data)[0], -9);
    ck_assert_int_eq(((int64_t *)data)[1], 1LL << 40);
    free(data);
    mote_onnx_tensor_free(&t);
    free(a.d);

    buf h = {0};
    put_int(&h, 2, 10);                 /* FLOAT16 scalar */
    put_int(&h, 5, 0x3c00);             /* 1.0 */
    ck_assert_int_eq(mote_onnx_parse_tensor(h.d, h.n, &t), MOTE_OK);
    ck_assert_int_eq(mote_onnx_tensor_data(&t, NULL, &dt, &data, &nb), MOTE_OK);
    ck_assert_int_eq(dt, MOTE_F16);
    ck_assert_uint_eq(((uint16_t *)data)[0], 0x3c00);
    free(data);
    mote_onnx_tensor_free(&t);
    free(h.d);

    buf bo = {0};
    put_int(&bo, 1, 3);
    put_int(&bo, 2, 9);                 /* BOOL as raw bytes, any nonzero is true */
    put_len(&bo, 9, "\x00\x05\x01", 3);
    ck_assert_int_eq(mote_onnx_parse_tensor(bo.d, bo.n, &t), MOTE_OK);
    ck_assert_int_eq(mote_onnx_tensor_data(&t, NULL, &dt, &data, &nb), MOTE_OK);
    ck_assert_int_eq(dt, MOTE_BOOL);
    ck_assert(!memcmp(data, "\x00\x01\x01", 3));
    free(data);
    mote_onnx_tensor_free(&t);
    free(bo.d);

    buf d = {0};
    put_int(&d, 2, 11);                 /* DOUBLE */
    put_str(&d, 8, "dbl");
    ck_assert_int_eq(mote_onnx_parse_tensor(d.d, d.n, &t), MOTE_OK);
    ck_assert_int_eq(mote_onnx_tensor_data(&t, NULL, &dt, &data, &nb), MOTE_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "DOUBLE"));
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "dbl"));
    mote_onnx_tensor_free(&t);
    free(d.d);

    buf s = {0};
    put_int(&s, 1, 4);
    put_int(&s, 2, 1);
    put_f32(&s, 4, 1.0f);               /* 1 element for a shape of 4 */
    ck_assert_int_eq(mote_onnx_parse_tensor(s.d, s.n, &t), MOTE_OK);
    ck_assert_int_eq(mote_onnx_tensor_data(&t, NULL, &dt, &data, &nb), MOTE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "needs 4"));
    mote_onnx_tensor_free(&t);
    free(s.d);
}
END_TEST

/* external data: a tensor of 2 floats at offset 4 of `loc` under dir */
static mote_status external_tensor(const char *dir, const char *loc, mote_onnx_tensor *t,
                                   void **data)
{
    buf e = {0}, kv = {0};
    put_int(&e, 1, 2);
    put_int(&e, 2, 1);
    put_str(&e, 8, "ext");
    put_str(&kv, 1, "location");
    put_str(&kv, 2, loc);
    put_msg(&e, 13, &kv);
    put_str(&kv, 1, "offset");
    put_str(&kv, 2, "4");
    put_msg(&e, 13, &kv);
    put_int(&e, 14, 1);                 /* EXTERNAL */
    ck_assert_int_eq(mote_onnx_parse_tensor(e.d, e.n, t), MOTE_OK);
    free(e.d);
    mote_dtype dt;
    size_t nb;
    return mote_onnx_tensor_data(t, dir, &dt, data, &nb);
}

START_TEST(test_onnx_external_data_stays_inside_model_dir)
{
    char dir[] = "/tmp/mote_onnx_extXXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[512], sub[512], link[512];
    snprintf(path, sizeof path, "%s/w.bin", dir);
    FILE *f = fopen(path, "wb");
    float vals[3] = {9, 1.5f, -2};
    fwrite(vals, 4, 3, f);
    fclose(f);
    mote_onnx_tensor t;
    void *data = NULL;
    ck_assert_int_eq(external_tensor(dir, "w.bin", &t, &data), MOTE_OK);
    ck_assert(((float *)data)[0] == 1.5f && ((float *)data)[1] == -2.0f);
    free(data);
    mote_onnx_tensor_free(&t);
    /* escapes */
    snprintf(sub, sizeof sub, "%s/m", dir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    ck_assert_int_eq(external_tensor(sub, "../w.bin", &t, &data), MOTE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "leaves"));
    mote_onnx_tensor_free(&t);
    ck_assert_int_eq(external_tensor(sub, path, &t, &data), MOTE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "absolute"));
    mote_onnx_tensor_free(&t);
    snprintf(link, sizeof link, "%s/m/l.bin", dir);
    ck_assert_int_eq(symlink(path, link), 0);
    ck_assert_int_eq(external_tensor(sub, "l.bin", &t, &data), MOTE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "outside"));
    mote_onnx_tensor_free(&t);
    ck_assert_int_eq(external_tensor(dir, "missing.bin", &t, &data), MOTE_ERR_IO);
    mote_onnx_tensor_free(&t);
    ck_assert_int_eq(external_tensor(NULL, "w.bin", &t, &data), MOTE_ERR_UNSUPPORTED);
    mote_onnx_tensor_free(&t);
    unlink(link);
    rmdir(sub);
    unlink(path);
    rmdir(dir);
}
END_TEST


/* ------------------------------------------------------------- importer */

START_TEST(test_import_runs_handmade_model_with_symbolic_batch)
{
    buf b = tiny_model();
    mote_graph *g;
    ck_assert_int_eq(mote_onnx_import_memory(b.d, b.n, NULL, NULL, &g), MOTE_OK);
    ck_assert_int_eq(g->n_inputs, 1);
    ck_assert_int_eq(g->values[g->inputs[0]].dims[0], -1);
    ck_assert_int_eq(g->values[g->inputs[0]].dims[1], 3);
    mote_model *m;
    ck_assert_int_eq(mote_model_from_graph(g, &m), MOTE_OK);
    float x[6] = {0, 0, 0, -4, 1, -8};
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 2, .dims = {2, 3}, .data = x};
    mote_session_options so;
    mote_session_options_init(&so);
    so.threads = 1;
    so.input_shapes = &in;
    so.n_input_shapes = 1;
    mote_session *s;
    ck_assert_int_eq(mote_session_new(m, &so, &s), MOTE_OK);
    ck_assert_int_eq(mote_session_run(s, &in, 1), MOTE_OK);
    mote_tensor out;
    ck_assert_int_eq(mote_session_output(s, 0, &out), MOTE_OK);
    /* LeakyRelu(x + [1, -2, 3], 0.5) */
    const float want[6] = {1, -1, 3, -1.5f, -0.5f, -2.5f};
    for (int i = 0; i < 6; i++)
        ck_assert_float_eq_tol(((float *)out.data)[i], want[i], 1e-6);
    mote_session_free(s);
    mote_model_close(m);
    free(b.d);
}
END_TEST

START_TEST(test_import_names_unsupported_op_node_and_opset)
{
    buf m = {0}, g = {0}, n = {0}, op = {0};
    int64_t d[1] = {4};
    put_str(&n, 1, "X");
    put_str(&n, 2, "Y");
    put_str(&n, 3, "weird0");
    put_str(&n, 4, "NoSuchOp");
    put_msg(&g, 1, &n);
    value_info(&g, 11, "X", 1, d);
    value_info(&g, 12, "Y", 1, d);
    put_msg(&m, 7, &g);
    put_int(&op, 2, 17);
    put_msg(&m, 8, &op);
    mote_graph *out = (mote_graph *)1;
    ck_assert_int_eq(mote_onnx_import_memory(m.d, m.n, NULL, NULL, &out), MOTE_ERR_UNSUPPORTED);
    ck_assert_ptr_null(out);
    const char *e = mote_last_error();
    ck_assert_ptr_nonnull(strstr(e, "NoSuchOp"));
    ck_assert_ptr_nonnull(strstr(e, "weird0"));
    ck_assert_ptr_nonnull(strstr(e, "opset 17"));
    free(m.d);
}
END_TEST

START_TEST(test_import_rejects_subgraph_attributes)
{
    buf m = {0}, g = {0}, n = {0}, a = {0}, sub = {0}, op = {0};
    int64_t d[1] = {1};
    put_str(&n, 1, "X");
    put_str(&n, 2, "Y");
    put_str(&n, 3, "branch");
    put_str(&n, 4, "Relu");
    put_str(&a, 1, "body");
    put_int(&a, 20, 5);                 /* GRAPH */
    put_str(&sub, 2, "inner");
    put_msg(&a, 6, &sub);
    put_msg(&n, 5, &a);
    put_msg(&g, 1, &n);
    value_info(&g, 11, "X", 1, d);
    value_info(&g, 12, "Y", 1, d);
    put_msg(&m, 7, &g);
    put_int(&op, 2, 13);
    put_msg(&m, 8, &op);
    mote_graph *out;
    ck_assert_int_eq(mote_onnx_import_memory(m.d, m.n, NULL, NULL, &out), MOTE_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "subgraph"));
    free(m.d);
}
END_TEST


/* Y = Cast(X) + W with the Cast written after the Add that reads it. */
START_TEST(test_import_sorts_nodes_written_after_their_consumer)
{
    buf m = {0}, g = {0}, add = {0}, cast = {0}, a = {0}, w = {0}, op = {0};
    int64_t d[1] = {3};
    put_str(&add, 1, "C");
    put_str(&add, 1, "W");
    put_str(&add, 2, "Y");
    put_str(&add, 3, "add0");
    put_str(&add, 4, "Add");
    put_msg(&g, 1, &add);
    put_str(&cast, 1, "X");
    put_str(&cast, 2, "C");
    put_str(&cast, 3, "cast0");
    put_str(&cast, 4, "Cast");
    put_str(&a, 1, "to");
    put_int(&a, 20, 2);                 /* INT */
    put_int(&a, 3, 1);                  /* FLOAT */
    put_msg(&cast, 5, &a);
    put_msg(&g, 1, &cast);
    put_int(&w, 1, 3);
    put_int(&w, 2, 1);
    float wv[3] = {10, 20, 30};
    put_len(&w, 4, wv, sizeof wv);
    put_str(&w, 8, "W");
    put_msg(&g, 5, &w);
    value_info(&g, 11, "X", 1, d);
    value_info(&g, 12, "Y", 1, d);
    put_msg(&m, 7, &g);
    put_int(&op, 2, 13);
    put_msg(&m, 8, &op);
    mote_onnx_options o;
    mote_onnx_options_init(&o);
    o.optimize = 0;                     /* keep the Cast: the order is under test */
    mote_graph *gr;
    ck_assert_msg(mote_onnx_import_memory(m.d, m.n, NULL, &o, &gr) == MOTE_OK, "%s", mote_last_error());
    ck_assert_int_eq(gr->n_nodes, 2);
    ck_assert_str_eq(gr->nodes[0].op, "Cast");
    ck_assert_str_eq(gr->nodes[1].op, "Add");
    mote_model *mm;
    ck_assert_int_eq(mote_model_from_graph(gr, &mm), MOTE_OK);
    float x[3] = {1, 2, 3};
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 1, .dims = {3}, .data = x};
    mote_session *s;
    ck_assert_int_eq(mote_session_new(mm, NULL, &s), MOTE_OK);
    ck_assert_int_eq(mote_session_run(s, &in, 1), MOTE_OK);
    mote_tensor out;
    ck_assert_int_eq(mote_session_output(s, 0, &out), MOTE_OK);
    for (int i = 0; i < 3; i++)
        ck_assert_float_eq(((float *)out.data)[i], x[i] + wv[i]);
    mote_session_free(s);
    mote_model_close(mm);
    free(m.d);
}
END_TEST

/* A = Relu(B), B = Relu(A): a cycle, named node by node. */
START_TEST(test_import_names_the_nodes_of_a_cycle)
{
    buf m = {0}, g = {0}, n1 = {0}, n2 = {0}, n3 = {0}, op = {0};
    int64_t d[1] = {3};
    put_str(&n1, 1, "X");
    put_str(&n1, 1, "A");
    put_str(&n1, 2, "Y");
    put_str(&n1, 3, "out0");
    put_str(&n1, 4, "Add");
    put_msg(&g, 1, &n1);
    put_str(&n2, 1, "B");
    put_str(&n2, 2, "A");
    put_str(&n2, 3, "loop_a");
    put_str(&n2, 4, "Relu");
    put_msg(&g, 1, &n2);
    put_str(&n3, 1, "A");
    put_str(&n3, 2, "B");
    put_str(&n3, 3, "loop_b");
    put_str(&n3, 4, "Relu");
    put_msg(&g, 1, &n3);
    value_info(&g, 11, "X", 1, d);
    value_info(&g, 12, "Y", 1, d);
    put_msg(&m, 7, &g);
    put_int(&op, 2, 13);
    put_msg(&m, 8, &op);
    mote_graph *gr = (mote_graph *)1;
    ck_assert_int_eq(mote_onnx_import_memory(m.d, m.n, NULL, NULL, &gr), MOTE_ERR_GRAPH);
    ck_assert_ptr_null(gr);
    const char *e = mote_last_error();
    ck_assert_msg(strstr(e, "cycle") && strstr(e, "loop_a") && strstr(e, "loop_b"), "%s", e);
    ck_assert_msg(!strstr(e, "out0"), "the cycle's consumer is not on it: %s", e);
    free(m.d);
}
END_TEST


/* An If without its branches is refused with a clear message. */
START_TEST(test_import_if_needs_both_branches)
{
    buf m = {0}, g = {0}, n = {0}, a = {0}, sub = {0}, op = {0};
    int64_t d[1] = {1};
    put_str(&n, 1, "X");
    put_str(&n, 2, "Y");
    put_str(&n, 3, "if0");
    put_str(&n, 4, "If");
    put_str(&a, 1, "then_branch");
    put_int(&a, 20, 5);                 /* GRAPH */
    put_str(&sub, 2, "inner");
    put_msg(&a, 6, &sub);
    put_msg(&n, 5, &a);
    put_msg(&g, 1, &n);
    value_info(&g, 11, "X", 1, d);
    value_info(&g, 12, "Y", 1, d);
    put_msg(&m, 7, &g);
    put_int(&op, 2, 13);
    put_msg(&m, 8, &op);
    mote_graph *out = (mote_graph *)1;
    ck_assert_int_eq(mote_onnx_import_memory(m.d, m.n, NULL, NULL, &out), MOTE_ERR_FORMAT);
    ck_assert_ptr_null(out);
    ck_assert_msg(strstr(mote_last_error(), "then_branch and else_branch") &&
                  strstr(mote_last_error(), "if0"), "%s", mote_last_error());
    free(m.d);
}
END_TEST


static Suite *pb_suite(void)
{
    Suite *s = suite_create("onnx");
    TCase *tc = tcase_create("pb");
    tcase_add_test(tc, test_pb_reads_every_wire_type);
    tcase_add_test(tc, test_pb_rejects_varint_longer_than_ten_bytes);
    tcase_add_test(tc, test_pb_rejects_truncated_varint);
    tcase_add_test(tc, test_pb_rejects_length_past_the_end);
    tcase_add_test(tc, test_pb_rejects_groups_and_field_zero);
    tcase_add_test(tc, test_pb_reads_packed_and_unpacked_repeated);
    tcase_add_test(tc, test_pb_rejects_bad_packed_payloads);
    tcase_add_test(tc, test_pb_string_rejects_nul_byte);
    suite_add_tcase(s, tc);
    TCase *tm = tcase_create("messages");
    tcase_add_test(tm, test_onnx_parses_handmade_model);
    tcase_add_test(tm, test_onnx_truncated_model_at_every_length_fails_cleanly);
    tcase_add_test(tm, test_onnx_rejects_model_without_graph);
    tcase_add_test(tm, test_onnx_nesting_bomb_is_refused);
    tcase_add_test(tm, test_onnx_huge_counts_are_refused_without_allocating);
    tcase_add_test(tm, test_onnx_tensor_typed_fields_convert);
    tcase_add_test(tm, test_onnx_external_data_stays_inside_model_dir);
    suite_add_tcase(s, tm);
    TCase *ti = tcase_create("import");
    tcase_add_test(ti, test_import_runs_handmade_model_with_symbolic_batch);
    tcase_add_test(ti, test_import_names_unsupported_op_node_and_opset);
    tcase_add_test(ti, test_import_rejects_subgraph_attributes);
    tcase_add_test(ti, test_import_sorts_nodes_written_after_their_consumer);
    tcase_add_test(ti, test_import_names_the_nodes_of_a_cycle);
    tcase_add_test(ti, test_import_if_needs_both_branches);
    suite_add_tcase(s, ti);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pb_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
