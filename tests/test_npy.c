/*
 * test_npy.c — the .npy reader and writer (src/format/npy.c): round trips of every
 * dtype, scalars and empty arrays, bytes identical to what numpy writes, and
 * a clear error for each kind of malformed file. Not a numpy conformance
 * suite: only what mote reads and writes.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mote.h"
#include "format/npy.h"

/* A scratch directory in the current (build) directory, removed at the end. */
static char tmpdir[64];

static void setup(void)
{
    strcpy(tmpdir, "test_npy.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
    DIR *d = opendir(tmpdir);
    if (d) {
        struct dirent *e;
        char p[512];
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
            chmod(p, 0700);
            rmdir(p);
            unlink(p);
        }
        closedir(d);
    }
    chmod(tmpdir, 0700);
    rmdir(tmpdir);
}

static void path_in(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", tmpdir, name);
}

static void write_bytes(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(b, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

static unsigned char *read_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    unsigned char *b = malloc(1 << 16);
    *n = fread(b, 1, 1 << 16, f);
    fclose(f);
    return b;
}

/* Number of entries (besides . and ..) in dir. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/*
 * A .npy image in memory: the given version, dict text (padded to a
 * multiple of 64 with spaces and '\n', as numpy does), then n data bytes.
 */
static size_t make_npy(unsigned char *buf, int major, const char *dict, const void *data,
                       size_t n)
{
    size_t fixed = major == 1 ? 10 : 12, dl = strlen(dict);
    size_t total = (fixed + dl + 1 + 63) / 64 * 64, hlen = total - fixed;
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = 0;
    buf[8] = hlen & 0xff;
    buf[9] = (hlen >> 8) & 0xff;
    if (major != 1) {
        buf[10] = 0;
        buf[11] = 0;
    }
    memcpy(buf + fixed, dict, dl);
    memset(buf + fixed + dl, ' ', hlen - dl - 1);
    buf[total - 1] = '\n';
    if (n)
        memcpy(buf + total, data, n);
    return total + n;
}

/* Parses a dict + data and expects status st with `needle` in the message. */
static void expect_parse_error(const char *dict, const void *data, size_t n, mote_status st,
                               const char *needle)
{
    unsigned char buf[4096];
    size_t len = make_npy(buf, 1, dict, data, n);
    mote_tensor t;
    mote_status got = mote_npy_parse(buf, len, "bad.npy", &t);
    ck_assert_msg(got == st, "expected %s for %s, got %s (%s)", mote_status_name(st), dict,
                  mote_status_name(got), mote_last_error());
    ck_assert_ptr_null(t.data);
    ck_assert_msg(strstr(mote_last_error(), "bad.npy"), "message names no file: %s",
                  mote_last_error());
    ck_assert_msg(strstr(mote_last_error(), needle), "message '%s' lacks '%s'",
                  mote_last_error(), needle);
}

/* ---------------------------------------------------------- round trips */

static void round_trip(mote_dtype dt, int ndim, const int64_t *dims)
{
    mote_tensor t = { .dtype = dt, .ndim = ndim };
    for (int i = 0; i < ndim; i++)
        t.dims[i] = dims[i];
    size_t nb = mote_tensor_nbytes(&t);
    unsigned char *data = malloc(nb ? nb : 1);
    for (size_t i = 0; i < nb; i++)  /* bool must stay 0/1 */
        data[i] = dt == MOTE_BOOL ? (unsigned char)(i % 3 == 0) : (unsigned char)(i * 37 + 11);
    t.data = data;
    char p[256];
    path_in(p, sizeof p, "rt.npy");
    ck_assert_int_eq(mote_npy_write(p, &t), MOTE_OK);
    mote_tensor r;
    ck_assert_msg(mote_npy_read(p, &r) == MOTE_OK, "%s", mote_last_error());
    ck_assert_int_eq(r.dtype, dt);
    ck_assert_int_eq(r.ndim, ndim);
    for (int i = 0; i < ndim; i++)
        ck_assert_int_eq(r.dims[i], dims[i]);
    ck_assert_ptr_nonnull(r.data);
    ck_assert_int_eq(memcmp(r.data, data, nb), 0);
    free(r.data);
    free(data);
    unlink(p);
}

START_TEST(test_npy_round_trips_every_dtype)
{
    static const mote_dtype dts[] = { MOTE_F32, MOTE_F16, MOTE_I8, MOTE_U8,
                                      MOTE_I32, MOTE_I64, MOTE_BOOL };
    const int64_t dims[3] = { 2, 3, 5 };
    for (size_t i = 0; i < sizeof dts / sizeof dts[0]; i++) {
        round_trip(dts[i], 3, dims);
        round_trip(dts[i], 1, dims + 2);
    }
}
END_TEST

START_TEST(test_npy_round_trips_scalar_and_empty)
{
    const int64_t empty[3] = { 2, 0, 3 };
    round_trip(MOTE_F32, 0, NULL);
    round_trip(MOTE_I64, 0, NULL);
    round_trip(MOTE_F32, 3, empty);
    round_trip(MOTE_U8, 1, empty + 1);
}
END_TEST

START_TEST(test_npy_round_trips_max_rank)
{
    int64_t dims[MOTE_MAX_DIMS];
    for (int i = 0; i < MOTE_MAX_DIMS; i++)
        dims[i] = 1 + (i % 3);
    round_trip(MOTE_I32, MOTE_MAX_DIMS, dims);
}
END_TEST

/* np.save(f, np.arange(6, dtype=np.float32).reshape(2, 3)), byte for byte. */
static const char numpy_f32_header[] =
    "\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

START_TEST(test_npy_writes_what_numpy_writes)
{
    float v[6] = { 0, 1, 2, 3, 4, 5 };
    mote_tensor t = { .dtype = MOTE_F32, .ndim = 2, .dims = { 2, 3 }, .data = v };
    char p[256];
    path_in(p, sizeof p, "np.npy");
    ck_assert_int_eq(mote_npy_write(p, &t), MOTE_OK);
    size_t n;
    unsigned char *b = read_bytes(p, &n);
    ck_assert_uint_eq(n, 128 + 24);  /* numpy's file is 152 bytes */
    size_t hl = sizeof numpy_f32_header - 1;
    ck_assert_int_eq(memcmp(b, numpy_f32_header, hl), 0);
    for (size_t i = hl; i < 127; i++)
        ck_assert_int_eq(b[i], ' ');
    ck_assert_int_eq(b[127], '\n');
    ck_assert_int_eq(memcmp(b + 128, v, 24), 0);
    free(b);
}
END_TEST

START_TEST(test_npy_reads_versions_2_and_3)
{
    const int32_t v[3] = { 0, 1, -2 };
    for (int major = 2; major <= 3; major++) {
        unsigned char buf[256];
        size_t len = make_npy(buf, major, "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }",
                              v, sizeof v);
        mote_tensor t;
        ck_assert_msg(mote_npy_parse(buf, len, "v.npy", &t) == MOTE_OK, "%s", mote_last_error());
        ck_assert_int_eq(t.dtype, MOTE_I32);
        ck_assert_int_eq(t.ndim, 1);
        ck_assert_int_eq(t.dims[0], 3);
        ck_assert_int_eq(((int32_t *)t.data)[2], -2);
        free(t.data);
    }
}
END_TEST

START_TEST(test_npy_accepts_numpy_header_variants)
{
    /* key order, double quotes, no trailing comma, Python 2 longs, '=' order */
    const float v[2] = { 1.5f, -2.0f };
    const char *dicts[] = {
        "{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}",
        "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2L,)}",
        "{'descr':'=f4','fortran_order':False,'shape':(1, 2),}",
    };
    for (size_t i = 0; i < 3; i++) {
        unsigned char buf[256];
        size_t len = make_npy(buf, 1, dicts[i], v, sizeof v);
        mote_tensor t;
        ck_assert_msg(mote_npy_parse(buf, len, "v.npy", &t) == MOTE_OK, "%s: %s", dicts[i],
                      mote_last_error());
        ck_assert_int_eq(t.dtype, MOTE_F32);
        ck_assert_int_eq(mote_tensor_numel(&t), 2);
        ck_assert_float_eq(((float *)t.data)[1], -2.0f);
        free(t.data);
    }
}
END_TEST

/* ------------------------------------------------------- malformed files */

START_TEST(test_npy_rejects_bad_magic)
{
    unsigned char buf[256];
    size_t len = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }",
                          "\0\0\0\0", 4);
    buf[1] = 'X';
    mote_tensor t;
    ck_assert_int_eq(mote_npy_parse(buf, len, "bad.npy", &t), MOTE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "bad.npy: not a .npy file"));
    char p[256];
    path_in(p, sizeof p, "text.npy");
    write_bytes(p, "hello", 5);
    ck_assert_int_eq(mote_npy_read(p, &t), MOTE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), p));
    write_bytes(p, "", 0);
    ck_assert_int_eq(mote_npy_read(p, &t), MOTE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "empty"));
}
END_TEST

START_TEST(test_npy_rejects_every_truncation)
{
    const float v[6] = { 0 };
    unsigned char buf[256];
    size_t len = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                          v, sizeof v);
    char p[256];
    path_in(p, sizeof p, "cut.npy");
    /* every prefix, from 1 byte to one byte short, read from a file */
    for (size_t cut = 1; cut < len; cut++) {
        write_bytes(p, buf, cut);
        mote_tensor t;
        mote_status st = mote_npy_read(p, &t);
        ck_assert_msg(st == MOTE_ERR_FORMAT, "cut at %zu: %s", cut, mote_last_error());
        ck_assert_ptr_null(t.data);
        ck_assert_msg(strstr(mote_last_error(), p), "message names no file: %s",
                      mote_last_error());
    }
    write_bytes(p, buf, len);
    mote_tensor t;
    ck_assert_int_eq(mote_npy_read(p, &t), MOTE_OK);
    free(t.data);
}
END_TEST

START_TEST(test_npy_rejects_shape_size_mismatch)
{
    const float v[7] = { 0 };
    expect_parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", v,
                       7 * sizeof(float), MOTE_ERR_FORMAT, "its shape needs 24");
    expect_parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", v,
                       5 * sizeof(float), MOTE_ERR_FORMAT, "truncated");
}
END_TEST

START_TEST(test_npy_rejects_fortran_order)
{
    const float v[6] = { 0 };
    expect_parse_error("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", v,
                       sizeof v, MOTE_ERR_UNSUPPORTED, "Fortran");
}
END_TEST

START_TEST(test_npy_rejects_unknown_and_unsupported_dtypes)
{
    const double v[2] = { 0 };
    expect_parse_error("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", v, 16,
                       MOTE_ERR_UNSUPPORTED, "float64");
    expect_parse_error("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", v, 16,
                       MOTE_ERR_UNSUPPORTED, "'<c8'");
    expect_parse_error("{'descr': 'zz', 'fortran_order': False, 'shape': (2,), }", v, 4,
                       MOTE_ERR_UNSUPPORTED, "unknown numpy dtype 'zz'");
    expect_parse_error("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", v, 16,
                       MOTE_ERR_UNSUPPORTED, "'|O'");
    expect_parse_error("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", v, 8,
                       MOTE_ERR_UNSUPPORTED, "big-endian");
    expect_parse_error("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", v,
                       8, MOTE_ERR_UNSUPPORTED, "structured");
}
END_TEST

START_TEST(test_npy_rejects_huge_shape_overflow)
{
    expect_parse_error("{'descr': '<f4', 'fortran_order': False, "
                       "'shape': (4294967296, 4294967296, 16), }",
                       NULL, 0, MOTE_ERR_FORMAT, "overflows");
    expect_parse_error("{'descr': '<f4', 'fortran_order': False, "
                       "'shape': (99999999999999999999,), }",
                       NULL, 0, MOTE_ERR_FORMAT, "overflows 64 bits");
    /* large but representable: a size mismatch, not an allocation */
    expect_parse_error("{'descr': '<i8', 'fortran_order': False, 'shape': (1000000000000,), }",
                       NULL, 0, MOTE_ERR_FORMAT, "truncated");
}
END_TEST

START_TEST(test_npy_rejects_bad_shapes)
{
    expect_parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 2), }", NULL, 0,
                       MOTE_ERR_FORMAT, "negative");
    expect_parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': (3), }", NULL, 0,
                       MOTE_ERR_FORMAT, "not a tuple");
    expect_parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': [3], }", NULL, 0,
                       MOTE_ERR_FORMAT, "not a tuple");
    expect_parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': (1,2;), }", NULL, 0,
                       MOTE_ERR_FORMAT, "malformed");
    expect_parse_error("{'descr': '|u1', 'fortran_order': False, "
                       "'shape': (1,1,1,1,1,1,1,1,1), }", "x", 1, MOTE_ERR_UNSUPPORTED,
                       "dimensions");
}
END_TEST

START_TEST(test_npy_rejects_malformed_dicts)
{
    const char v[4] = { 0 };
    struct { const char *dict, *needle; } cases[] = {
        { "{'descr': '<f4', 'fortran_order': False}", "missing key 'shape'" },
        { "{'fortran_order': False, 'shape': (1,)}", "missing key 'descr'" },
        { "{'descr': '<f4', 'shape': (1,)}", "missing key 'fortran_order'" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", "unknown key 'x'" },
        { "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}",
          "duplicate" },
        { "{'descr': '<f4', 'fortran_order': Nope, 'shape': (1,)}", "True or False" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} junk", "after" },
        { "['descr', '<f4']", "'{'" },
        { "{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}", "malformed" },
        { "{'descr' '<f4', 'fortran_order': False, 'shape': (1,)}", "':'" },
        { "{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}", "malformed" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", "malformed" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_parse_error(cases[i].dict, v, sizeof v, MOTE_ERR_FORMAT, cases[i].needle);
}
END_TEST

START_TEST(test_npy_rejects_bad_header_length_and_version)
{
    const float v[1] = { 0 };
    unsigned char buf[256];
    size_t len = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
                          v, sizeof v);
    mote_tensor t;
    buf[8] = 0xff;  /* header longer than the file */
    buf[9] = 0xff;
    ck_assert_int_eq(mote_npy_parse(buf, len, "bad.npy", &t), MOTE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "truncated"));
    len = make_npy(buf, 2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", v,
                   sizeof v);
    buf[11] = 0x80;  /* a 2 GiB header: refused before anything is read */
    ck_assert_int_eq(mote_npy_parse(buf, len, "bad.npy", &t), MOTE_ERR_FORMAT);
    len = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", v,
                   sizeof v);
    buf[6] = 4;
    ck_assert_int_eq(mote_npy_parse(buf, len, "bad.npy", &t), MOTE_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "version 4.0"));
}
END_TEST

START_TEST(test_npy_rejects_bool_bytes_other_than_0_and_1)
{
    const unsigned char v[3] = { 1, 0, 2 };
    expect_parse_error("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", v, 3,
                       MOTE_ERR_FORMAT, "element 2");
}
END_TEST

START_TEST(test_npy_read_reports_missing_file_and_directory)
{
    char p[256];
    path_in(p, sizeof p, "absent.npy");
    mote_tensor t;
    ck_assert_int_eq(mote_npy_read(p, &t), MOTE_ERR_IO);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), p));
    ck_assert_int_eq(mote_npy_read(tmpdir, &t), MOTE_ERR_IO);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "directory"));
}
END_TEST

/* ---------------------------------------------------------------- writer */

START_TEST(test_npy_write_refuses_bf16)
{
    uint16_t v[2] = { 0x3f80, 0 };
    mote_tensor t = { .dtype = MOTE_BF16, .ndim = 1, .dims = { 2 }, .data = v };
    char p[256];
    path_in(p, sizeof p, "bf.npy");
    ck_assert_int_eq(mote_npy_write(p, &t), MOTE_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "bf16"));
    ck_assert_int_eq(count_entries(tmpdir), 0);
}
END_TEST

START_TEST(test_npy_write_failure_leaves_no_file)
{
    float v[4] = { 1, 2, 3, 4 };
    mote_tensor t = { .dtype = MOTE_F32, .ndim = 1, .dims = { 4 }, .data = v };
    char p[256];
    path_in(p, sizeof p, "missing_dir/x.npy");
    ck_assert_int_eq(mote_npy_write(p, &t), MOTE_ERR_IO);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), p));
    /* a directory where the file should go: the rename fails after the
     * data was written, and the temporary file must be gone */
    path_in(p, sizeof p, "isdir.npy");
    ck_assert_int_eq(mkdir(p, 0700), 0);
    ck_assert_int_eq(mote_npy_write(p, &t), MOTE_ERR_IO);
    ck_assert_int_eq(count_entries(tmpdir), 1);
    ck_assert_int_eq(rmdir(p), 0);
    if (geteuid() != 0) {  /* permissions do not stop root */
        char d[256];
        path_in(d, sizeof d, "ro");
        ck_assert_int_eq(mkdir(d, 0500), 0);
        path_in(p, sizeof p, "ro/x.npy");
        ck_assert_int_eq(mote_npy_write(p, &t), MOTE_ERR_IO);
        ck_assert_int_eq(count_entries(d), 0);
    }
}
END_TEST

START_TEST(test_npy_write_replaces_existing_file_whole)
{
    char p[256];
    path_in(p, sizeof p, "x.npy");
    write_bytes(p, "old contents that are not npy", 29);
    int64_t v[3] = { 7, -8, 9 };
    mote_tensor t = { .dtype = MOTE_I64, .ndim = 1, .dims = { 3 }, .data = v };
    ck_assert_int_eq(mote_npy_write(p, &t), MOTE_OK);
    mote_tensor r;
    ck_assert_int_eq(mote_npy_read(p, &r), MOTE_OK);
    ck_assert_int_eq(((int64_t *)r.data)[1], -8);
    free(r.data);
    ck_assert_int_eq(count_entries(tmpdir), 1);  /* no temporary left */
}
END_TEST

START_TEST(test_npy_write_rejects_bad_tensors)
{
    char p[256];
    path_in(p, sizeof p, "x.npy");
    mote_tensor t = { .dtype = MOTE_F32, .ndim = 1, .dims = { -1 }, .data = NULL };
    ck_assert_int_eq(mote_npy_write(p, &t), MOTE_ERR_ARG);
    t.dims[0] = 3;
    ck_assert_int_eq(mote_npy_write(p, &t), MOTE_ERR_ARG);  /* no data */
    t.dtype = (mote_dtype)99;
    ck_assert_int_eq(mote_npy_write(p, &t), MOTE_ERR_UNSUPPORTED);
    ck_assert_int_eq(count_entries(tmpdir), 0);
}
END_TEST

static Suite *npy_suite(void)
{
    Suite *s = suite_create("npy");
    TCase *tc = tcase_create("npy");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_npy_round_trips_every_dtype);
    tcase_add_test(tc, test_npy_round_trips_scalar_and_empty);
    tcase_add_test(tc, test_npy_round_trips_max_rank);
    tcase_add_test(tc, test_npy_writes_what_numpy_writes);
    tcase_add_test(tc, test_npy_reads_versions_2_and_3);
    tcase_add_test(tc, test_npy_accepts_numpy_header_variants);
    tcase_add_test(tc, test_npy_rejects_bad_magic);
    tcase_add_test(tc, test_npy_rejects_every_truncation);
    tcase_add_test(tc, test_npy_rejects_shape_size_mismatch);
    tcase_add_test(tc, test_npy_rejects_fortran_order);
    tcase_add_test(tc, test_npy_rejects_unknown_and_unsupported_dtypes);
    tcase_add_test(tc, test_npy_rejects_huge_shape_overflow);
    tcase_add_test(tc, test_npy_rejects_bad_shapes);
    tcase_add_test(tc, test_npy_rejects_malformed_dicts);
    tcase_add_test(tc, test_npy_rejects_bad_header_length_and_version);
    tcase_add_test(tc, test_npy_rejects_bool_bytes_other_than_0_and_1);
    tcase_add_test(tc, test_npy_read_reports_missing_file_and_directory);
    tcase_add_test(tc, test_npy_write_refuses_bf16);
    tcase_add_test(tc, test_npy_write_failure_leaves_no_file);
    tcase_add_test(tc, test_npy_write_replaces_existing_file_whole);
    tcase_add_test(tc, test_npy_write_rejects_bad_tensors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(npy_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
