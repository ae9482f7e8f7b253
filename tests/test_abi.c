/*
 * test_abi.c — what keeps programs and library versions apart: the version
 * the library reports against the header's and configure's, and the
 * session options' struct_size, which lets the options struct grow (a
 * program built against an older or newer mote.h gets its fields read,
 * never more bytes than it has). The exported symbol set is checked by
 * tests/test_exports.sh.
 */
#include "config.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mote.h"
#include "testutil.h"

/* The options as mote 0.1 defined them: the smallest struct a program may
 * pass (struct_size up to and including max_bytes). */
#define OPTIONS_SIZE_0_1 (offsetof(mote_session_options, max_bytes) + sizeof(size_t))

START_TEST(test_version_of_library_header_and_configure_agree)
{
    ck_assert_int_eq(mote_version(), MOTE_VERSION);
    ck_assert_int_eq(MOTE_VERSION, MOTE_MAKE_VERSION(MOTE_VERSION_MAJOR, MOTE_VERSION_MINOR,
                                                     MOTE_VERSION_PATCH));
    ck_assert_str_eq(mote_version_string(), MOTE_VERSION_STRING);
    ck_assert_str_eq(mote_version_string(), PACKAGE_VERSION);
    char parts[32];
    snprintf(parts, sizeof parts, "%d.%d.%d", MOTE_VERSION_MAJOR, MOTE_VERSION_MINOR, MOTE_VERSION_PATCH);
    ck_assert_str_eq(parts, MOTE_VERSION_STRING);
    ck_assert(MOTE_MAKE_VERSION(0, 10, 0) > MOTE_MAKE_VERSION(0, 9, 99));
    ck_assert(MOTE_MAKE_VERSION(1, 0, 0) > MOTE_MAKE_VERSION(0, 99, 99));
}
END_TEST

/* x f32[2,4] -> Relu -> y */
static mote_model *relu_model(void)
{
    mote_graph *g = mote_graph_new();
    int64_t d[2] = {2, 4};
    int x = mote_graph_input(g, "x", MOTE_F32, 2, d), y;
    ck_assert_int_ge(mote_graph_node(g, "Relu", "r", 1, &x, 1, NULL, &y), 0);
    ck_assert_mote_ok(mote_graph_output(g, y));
    mote_model *m = NULL;
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    return m;
}

static void check_runs(mote_session *s)
{
    float x[8] = {-1, 2, -3, 4, 5, -6, 7, -8}, want[8] = {0, 2, 0, 4, 5, 0, 7, 0};
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 2, .dims = {2, 4}, .data = x}, y;
    ck_assert_mote_ok(mote_session_run(s, &in, 1));
    ck_assert_mote_ok(mote_session_output(s, 0, &y));
    ck_assert_mem_eq(y.data, want, sizeof want);
}

START_TEST(test_options_init_sets_size_and_defaults)
{
    mote_session_options o;
    memset(&o, 0xab, sizeof o);
    mote_session_options_init(&o);
    ck_assert_uint_eq(o.struct_size, sizeof o);
    ck_assert_int_eq(o.threads, 0);
    ck_assert_int_eq(o.pin, -1);
    ck_assert_ptr_null(o.isa);
    ck_assert_ptr_null(o.arena);
    ck_assert_uint_eq(o.arena_bytes, 0);
    ck_assert_ptr_null(o.input_shapes);
    ck_assert_int_eq(o.n_input_shapes, 0);
    ck_assert_uint_eq(o.max_bytes, 0);
    /* Too small a size to hold even mote 0.1's fields: nothing is written. */
    memset(&o, 0xab, sizeof o);
    mote_session_options_init_sized(&o, sizeof(size_t));
    ck_assert_int_eq(((unsigned char *)&o)[0], 0xab);
    mote_session_options_init_sized(NULL, sizeof o);        /* no crash */
}
END_TEST

START_TEST(test_options_not_made_by_init_are_refused)
{
    mote_model *m = relu_model();
    mote_session *s = (mote_session *)1;
    mote_session_options o;
    memset(&o, 0, sizeof o);          /* struct_size 0: not initialised */
    o.threads = 1;
    ck_assert_int_eq(mote_session_new(m, &o, &s), MOTE_ERR_ARG);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "mote_session_options_init"));
    mote_session_options_init(&o);
    o.struct_size = OPTIONS_SIZE_0_1 - 1;
    ck_assert_int_eq(mote_session_new(m, &o, &s), MOTE_ERR_ARG);
    o.struct_size = (size_t)-1;       /* garbage */
    ck_assert_int_eq(mote_session_new(m, &o, &s), MOTE_ERR_ARG);
    ck_assert_ptr_null(s);
    mote_model_close(m);
}
END_TEST

/* A program built against mote 0.1's header passes a struct that ends at
 * max_bytes: the session reads no byte past it (a heap block of exactly
 * that size, so that AddressSanitizer catches an over-read) and gives any
 * later field its default. */
START_TEST(test_options_of_an_older_header_are_read_only_as_far_as_they_go)
{
    mote_model *m = relu_model();
    mote_session_options *o = malloc(OPTIONS_SIZE_0_1);
    ck_assert_ptr_nonnull(o);
    mote_session_options_init_sized(o, OPTIONS_SIZE_0_1);
    ck_assert_uint_eq(o->struct_size, OPTIONS_SIZE_0_1);
    ck_assert_int_eq(o->pin, -1);
    o->threads = 1;
    o->pin = 0;
    mote_session *s = NULL;
    ck_assert_mote_ok(mote_session_new(m, o, &s));
    ck_assert_int_eq(mote_session_threads(s), 1);
    check_runs(s);
    mote_session_free(s);
    free(o);
    mote_model_close(m);
}
END_TEST

/* A program built against a newer header: its struct is longer. Fields this
 * library does not know are accepted while they hold their defaults
 * (zero), and refused (MOTE_ERR_UNSUPPORTED) once the program sets one. */
START_TEST(test_options_of_a_newer_header_are_accepted_only_at_defaults)
{
    mote_model *m = relu_model();
    struct newer {
        mote_session_options o;
        int64_t future[3];
    } n;
    memset(&n, 0x5c, sizeof n);
    mote_session_options_init_sized(&n.o, sizeof n);
    ck_assert_uint_eq(n.o.struct_size, sizeof n);
    for (int i = 0; i < 3; i++) ck_assert(n.future[i] == 0);
    n.o.threads = 1;
    n.o.pin = 0;
    mote_session *s = NULL;
    ck_assert_mote_ok(mote_session_new(m, &n.o, &s));
    check_runs(s);
    mote_session_free(s);
    n.future[2] = 1;
    s = (mote_session *)1;
    ck_assert_int_eq(mote_session_new(m, &n.o, &s), MOTE_ERR_UNSUPPORTED);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), MOTE_VERSION_STRING));
    mote_model_close(m);
}
END_TEST

/* NULL options are the defaults, as before. */
START_TEST(test_null_options_are_the_defaults)
{
    mote_model *m = relu_model();
    mote_session *s = NULL;
    ck_assert_mote_ok(mote_session_new(m, NULL, &s));
    check_runs(s);
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

static Suite *abi_suite(void)
{
    Suite *s = suite_create("abi");
    TCase *t = tcase_create("abi");
    tcase_add_test(t, test_version_of_library_header_and_configure_agree);
    tcase_add_test(t, test_options_init_sets_size_and_defaults);
    tcase_add_test(t, test_options_not_made_by_init_are_refused);
    tcase_add_test(t, test_options_of_an_older_header_are_read_only_as_far_as_they_go);
    tcase_add_test(t, test_options_of_a_newer_header_are_accepted_only_at_defaults);
    tcase_add_test(t, test_null_options_are_the_defaults);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return mote_test_run(abi_suite());
}
