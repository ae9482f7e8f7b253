/*
 * test_tokenizer.c — llama2.c BPE encode/decode on the real tok512
 * vocabulary (known ids, round trips, byte fallback) and on a small
 * hand-made vocabulary (merge order), plus the sampler.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "llm/tokenizer.h"
#include "llm/tokenizer_bpe.h"
#include "llm/sample.h"

static mote_tokenizer *load_tok512(void)
{
    const char *dir = mote_test_dir("MOTE_SHARED_MODELS");
    if (!dir) return NULL;
    char p[1024];
    snprintf(p, sizeof p, "%s/tok512.bin", dir);
    mote_tokenizer *t = NULL;
    ck_assert_mote_ok(mote_tokenizer_load_llama2c(p, 512, &t));
    return t;
}

#define NEED_TOK(t) do { if (!(t)) { \
        fprintf(stderr, "skipped: MOTE_SHARED_MODELS is unset or absent (tok512.bin)\n"); \
        return; } } while (0)

/* decodes ids[1..n) after BOS into buf */
static void decode_all(const mote_tokenizer *t, const int *ids, int n, char *buf, size_t cap)
{
    size_t o = 0;
    for (int i = 1; i < n; i++) {
        size_t len;
        const char *p = mote_tokenizer_decode(t, ids[i - 1], ids[i], &len);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_lt(o + len, cap);
        memcpy(buf + o, p, len);
        o += len;
    }
    buf[o] = '\0';
}

START_TEST(test_tokenizer_encodes_zoo_to_known_ids)
{
    mote_tokenizer *t = load_tok512();
    NEED_TOK(t);
    int ids[16], n;
    ck_assert_mote_ok(mote_tokenizer_encode(t, "Zoo", 1, 0, ids, 16, &n));
    ck_assert_int_eq(n, 4);
    ck_assert_int_eq(ids[0], 1);
    ck_assert_int_eq(ids[1], 410);
    ck_assert_int_eq(ids[2], 469);
    ck_assert_int_eq(ids[3], 347);
    mote_tokenizer_free(t);
}
END_TEST

START_TEST(test_tokenizer_round_trips_text)
{
    mote_tokenizer *t = load_tok512();
    NEED_TOK(t);
    const char *texts[] = {
        "Once upon a time, there was a little girl named Lily.",
        "She said: \"Hello!\" 123 + 456 = 579",
        "caf\xc3\xa9 na\xc3\xafve \xe2\x98\x83 \xf0\x9f\x98\x80",   /* needs byte fallback */
        "  two  spaces\nand a newline\t",
    };
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        int ids[256], n;
        ck_assert_mote_ok(mote_tokenizer_encode(t, texts[k], 1, 0, ids, 256, &n));
        ck_assert_int_eq(ids[0], MOTE_TOKEN_BOS);
        char buf[512];
        decode_all(t, ids, n, buf, sizeof buf);
        ck_assert_str_eq(buf, texts[k]);
    }
    mote_tokenizer_free(t);
}
END_TEST

START_TEST(test_tokenizer_uses_byte_fallback_for_unknown_code_points)
{
    mote_tokenizer *t = load_tok512();
    NEED_TOK(t);
    int ids[16], n;
    /* U+2603 (3 bytes) is not in a 512-piece vocabulary: 3 byte tokens */
    ck_assert_mote_ok(mote_tokenizer_encode(t, "\xe2\x98\x83", 0, 0, ids, 16, &n));
    ck_assert_int_ge(n, 3);
    ck_assert_int_eq(ids[n - 3], 0xe2 + 3);
    ck_assert_int_eq(ids[n - 2], 0x98 + 3);
    ck_assert_int_eq(ids[n - 1], 0x83 + 3);
    size_t len;
    const char *p = mote_tokenizer_decode(t, 5, 0xe2 + 3, &len);
    ck_assert_uint_eq(len, 1);
    ck_assert_int_eq((unsigned char)p[0], 0xe2);
    mote_tokenizer_free(t);
}
END_TEST

/* a tiny vocabulary: pieces back to back with their NULs */
static mote_tokenizer *tiny(void)
{
    static const char *pieces[] = { "<unk>", "<s>", "</s>", " ", "a", "b", "ab", " a", "bb", "abb" };
    static const float scores[] = { 0, 0, 0, 0, 0, 0, 5, 1, 3, 10 };
    char pool[128];
    size_t o = 0;
    for (int i = 0; i < 10; i++) {
        size_t l = strlen(pieces[i]) + 1;
        memcpy(pool + o, pieces[i], l);
        o += l;
    }
    mote_tokenizer *t;
    ck_assert_mote_ok(mote_tokenizer_new(10, pool, o, scores, &t));
    return t;
}

START_TEST(test_tokenizer_merges_highest_score_first)
{
    mote_tokenizer *t = tiny();
    int ids[16], n;
    /* " abb": [" ", a, b, b] -> "ab"(5) beats " a"(1), "bb"(3) -> [" ", ab, b]
       -> "abb"(10) -> [" ", abb]; " abb" is not a piece */
    ck_assert_mote_ok(mote_tokenizer_encode(t, "abb", 0, 1, ids, 16, &n));
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(ids[0], 3);
    ck_assert_int_eq(ids[1], 9);
    ck_assert_int_eq(ids[2], MOTE_TOKEN_EOS);
    ck_assert_int_eq(mote_tokenizer_lookup(t, "bb"), 8);
    ck_assert_int_eq(mote_tokenizer_lookup(t, "ba"), -1);
    mote_tokenizer_free(t);
}
END_TEST

START_TEST(test_tokenizer_rejects_too_small_output)
{
    mote_tokenizer *t = tiny();
    int ids[2], n;
    ck_assert_int_eq(mote_tokenizer_encode(t, "abba", 1, 0, ids, 2, &n), MOTE_ERR_ARG);
    mote_tokenizer_free(t);
}
END_TEST

START_TEST(test_tokenizer_rejects_truncated_piece_table)
{
    float sc[2] = { 0, 0 };
    mote_tokenizer *t;
    ck_assert_int_eq(mote_tokenizer_new(2, "a\0b", 3, sc, &t), MOTE_ERR_FORMAT);
    ck_assert_ptr_null(t);
}
END_TEST

START_TEST(test_tokenizer_load_rejects_truncated_file)
{
    const char *dir = mote_test_tmpdir();
    char p[1024];
    snprintf(p, sizeof p, "%s/trunc_tok.bin", dir);
    FILE *f = fopen(p, "wb");
    int32_t hdr = 8, len = 5;
    float sc = 0;
    fwrite(&hdr, 4, 1, f);
    fwrite(&sc, 4, 1, f);
    fwrite(&len, 4, 1, f);
    fwrite("ab", 1, 2, f);   /* 3 bytes short */
    fclose(f);
    mote_tokenizer *t;
    ck_assert_int_eq(mote_tokenizer_load_llama2c(p, 1, &t), MOTE_ERR_FORMAT);
    ck_assert_ptr_null(t);
}
END_TEST

START_TEST(test_sampler_greedy_is_argmax)
{
    float l[5] = { 0.1f, 3.0f, -1.0f, 3.0f, 2.9f };
    mote_sampler *s;
    ck_assert_mote_ok(mote_sampler_new(5, 0.0f, 0, 0.0f, 42, &s));
    ck_assert_int_eq(mote_sample(s, l), 1);   /* lowest index on ties */
    mote_sampler_free(s);
}
END_TEST

/* the running argmax that mote_argmax's two passes must agree with */
static int argmax_running(int n, const float *x)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (x[i] > x[best]) best = i;
    return best;
}

START_TEST(test_argmax_matches_running_argmax)
{
    static float x[32003];
    uint64_t rng = 12345;
    const int sizes[] = { 1, 2, 7, 8, 9, 15, 16, 17, 33, 100, 32000, 32003 };
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        int n = sizes[si];
        for (int trial = 0; trial < 40; trial++) {
            /* few distinct values (ties), signed zeros, infinities, NaNs */
            for (int i = 0; i < n; i++) {
                uint32_t r = mote_rng_u32(&rng);
                switch (r % 16) {
                case 0: x[i] = NAN; break;
                case 1: x[i] = -0.0f; break;
                case 2: x[i] = 0.0f; break;
                case 3: x[i] = -INFINITY; break;
                case 4: x[i] = trial % 5 == 0 ? INFINITY : 1.0f; break;
                default: x[i] = (float)(r >> 4 & 31) - 15.0f; break;
                }
            }
            if (trial % 7 == 0) x[0] = NAN;         /* nothing beats a leading NaN */
            if (trial % 7 == 1) x[n - 1] = 1e30f;   /* the maximum in the tail    */
            ck_assert_int_eq(mote_argmax(n, x), argmax_running(n, x));
        }
    }
}
END_TEST

START_TEST(test_sampler_same_seed_same_tokens)
{
    float l[64];
    for (int i = 0; i < 64; i++) l[i] = (float)((i * 37) % 11) * 0.3f;
    mote_sampler *a, *b, *c;
    ck_assert_mote_ok(mote_sampler_new(64, 1.0f, 0, 0.9f, 7, &a));
    ck_assert_mote_ok(mote_sampler_new(64, 1.0f, 0, 0.9f, 7, &b));
    ck_assert_mote_ok(mote_sampler_new(64, 1.0f, 0, 0.9f, 8, &c));
    int diff = 0;
    for (int i = 0; i < 50; i++) {
        int x = mote_sample(a, l), y = mote_sample(b, l), z = mote_sample(c, l);
        ck_assert_int_eq(x, y);
        diff += x != z;
    }
    ck_assert_int_gt(diff, 0);
    mote_sampler_free(a); mote_sampler_free(b); mote_sampler_free(c);
}
END_TEST

START_TEST(test_sampler_top_k_keeps_only_k_tokens)
{
    float l[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    mote_sampler *s;
    ck_assert_mote_ok(mote_sampler_new(10, 5.0f, 2, 0.0f, 3, &s));
    int seen8 = 0;
    for (int i = 0; i < 200; i++) {
        int x = mote_sample(s, l);
        ck_assert(x == 9 || x == 8);
        seen8 += x == 8;
    }
    ck_assert_int_gt(seen8, 0);   /* both survive, not just the argmax */
    mote_sampler_free(s);
}
END_TEST

START_TEST(test_sampler_rejects_negative_temperature)
{
    mote_sampler *s;
    ck_assert_int_eq(mote_sampler_new(10, -1.0f, 0, 0.0f, 1, &s), MOTE_ERR_ARG);
    ck_assert_ptr_null(s);
}
END_TEST

/* The penalty divides a recent token's positive logit and multiplies a
 * negative one, also under greedy decoding; logits stay unmodified. */
START_TEST(test_sampler_repeat_penalty_moves_greedy_off_recent_tokens)
{
    float l[4] = { 3.0f, 2.0f, -1.0f, -1.2f };
    mote_sampler *s;
    ck_assert_mote_ok(mote_sampler_new(4, 0.0f, 0, 0.0f, 1, &s));
    int recent[2] = { 0, 0 };
    ck_assert_int_eq(mote_sample_recent(s, l, recent, 2), 0);      /* penalty off */
    ck_assert_mote_ok(mote_sampler_set_penalty(s, 2.0f, 0.0f));
    ck_assert_int_eq(mote_sample_recent(s, l, recent, 2), 1);      /* 3/2 < 2 */
    ck_assert_float_eq(l[0], 3.0f);
    int neg[3] = { 0, 1, 2 };   /* -1 * 2 = -2 falls below -1.2 */
    float m[4] = { -5.0f, -5.0f, -1.0f, -1.2f };
    ck_assert_int_eq(mote_sample_recent(s, m, neg, 3), 3);
    ck_assert_int_eq(mote_sample_recent(s, l, NULL, 0), 0);        /* nothing recent */
    mote_sampler_free(s);
}
END_TEST

/* min-p 1 keeps only the most likely token: sampling becomes greedy; a
 * small min-p keeps the close runner-up. */
START_TEST(test_sampler_min_p_drops_unlikely_tokens)
{
    float l[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 8.5f };
    mote_sampler *s;
    ck_assert_mote_ok(mote_sampler_new(10, 1.0f, 0, 0.0f, 5, &s));
    ck_assert_mote_ok(mote_sampler_set_penalty(s, 1.0f, 1.0f));
    for (int i = 0; i < 200; i++)
        ck_assert_int_eq(mote_sample(s, l), 9);
    ck_assert_mote_ok(mote_sampler_set_penalty(s, 1.0f, 0.5f));   /* e^-0.5 = 0.61 >= 0.5 */
    int seen8 = 0;
    for (int i = 0; i < 200; i++) {
        int x = mote_sample(s, l);
        ck_assert(x == 9 || x == 8);
        seen8 += x == 8;
    }
    ck_assert_int_gt(seen8, 0);
    ck_assert_int_eq(mote_sampler_set_penalty(s, 0.5f, 0.0f), MOTE_ERR_ARG);
    ck_assert_int_eq(mote_sampler_set_penalty(s, 1.0f, 1.5f), MOTE_ERR_ARG);
    mote_sampler_free(s);
}
END_TEST

/* Splits text into the pre-tokenizer's chunks, joined by '|'. */
static void chunks(const char *text, char *out)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text), o = 0;
    for (size_t i = 0; i < n;) {
        size_t e = mote_bpe_chunk_end(s, n, i);
        ck_assert_uint_gt(e, i);
        ck_assert_uint_le(e, n);
        if (i) out[o++] = '|';
        memcpy(out + o, text + i, e - i);
        o += e - i;
        i = e;
    }
    out[o] = '\0';
}

/* llama 3's pattern, alternative by alternative: contractions, a letter
 * run with one leading non-letter, digits in threes, punctuation runs
 * taking a leading space and trailing newlines, whitespace leaving one
 * space to the next word; Unicode digits, spaces and punctuation. */
START_TEST(test_bpe_pretokenizer_splits_as_llama3)
{
    static const char *cases[][2] = {
        { "Hello world", "Hello| world" },
        { "I'm here, they'LL go", "I|'m| here|,| they|'LL| go" },
        { "1234567 x", "123|456|7| x" },
        { "a  b", "a| | b" },
        { "end.\n\nNext", "end|.\n\n|Next" },
        { "x \n\n  y", "x| \n\n| | y" },
        { "tail   ", "tail|   " },
        { " !?  ok", " !?| | ok" },
        { "$100", "$|100" },
        { "caf\xc3\xa9 na\xc3\xafve", "caf\xc3\xa9| na\xc3\xafve" },
        /* Arabic-Indic digits group in threes; an em dash is punctuation */
        { "\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4", "\xd9\xa1\xd9\xa2\xd9\xa3|\xd9\xa4" },
        { "a\xe2\x80\x94" "b", "a|\xe2\x80\x94" "b" },
        /* a no-break space is whitespace, kept whole */
        { "a\xc2\xa0\xc2\xa0" "b", "a|\xc2\xa0|\xc2\xa0" "b" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char out[256];
        chunks(cases[k][0], out);
        ck_assert_msg(!strcmp(out, cases[k][1]), "\"%s\": got \"%s\", want \"%s\"",
                      cases[k][0], out, cases[k][1]);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tokenizer");
    TCase *tc = tcase_create("tokenizer");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_tokenizer_encodes_zoo_to_known_ids);
    tcase_add_test(tc, test_tokenizer_round_trips_text);
    tcase_add_test(tc, test_tokenizer_uses_byte_fallback_for_unknown_code_points);
    tcase_add_test(tc, test_tokenizer_merges_highest_score_first);
    tcase_add_test(tc, test_tokenizer_rejects_too_small_output);
    tcase_add_test(tc, test_tokenizer_rejects_truncated_piece_table);
    tcase_add_test(tc, test_tokenizer_load_rejects_truncated_file);
    tcase_add_test(tc, test_sampler_greedy_is_argmax);
    tcase_add_test(tc, test_argmax_matches_running_argmax);
    tcase_add_test(tc, test_sampler_same_seed_same_tokens);
    tcase_add_test(tc, test_sampler_top_k_keeps_only_k_tokens);
    tcase_add_test(tc, test_sampler_rejects_negative_temperature);
    tcase_add_test(tc, test_sampler_repeat_penalty_moves_greedy_off_recent_tokens);
    tcase_add_test(tc, test_sampler_min_p_drops_unlikely_tokens);
    tcase_add_test(tc, test_bpe_pretokenizer_splits_as_llama3);
    suite_add_tcase(s, tc);
    return mote_test_run(s);
}
