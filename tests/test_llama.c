/*
 * test_llama.c — the llama decoder end to end on the real stories260K
 * checkpoint (exact greedy text, every ISA table, 1 and 2 threads; through
 * a saved .mote file; q8_0 agreement with f32), the llama2.c reader's
 * layouts and errors, and the LLM kernels of every table against the
 * reference.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "testutil.h"
#include "runtime/cpu.h"
#include "graph/graph.h"
#include "llm/llama2c.h"
#include "llm/tokenizer.h"
#include "llm/sample.h"
#include "llm/quantize.h"
#include "llm.h"
#include "llm/llama.h"

static const char *KNOWN =
    "Zoo was a little girl named Lily. She loved to play outside in the park. One day, "
    "she saw a big, red ball. She wanted to play with it, but she didn't want to play with";

static const char *ISAS[] = { "ref", "avx2", "avx512", "neon" };

static int shared_path(char *buf, size_t cap, const char *file)
{
    const char *dir = mote_test_dir("MOTE_SHARED_MODELS");
    if (!dir) {
        fprintf(stderr, "skipped: MOTE_SHARED_MODELS is unset or absent (needs %s)\n", file);
        return 0;
    }
    snprintf(buf, cap, "%s/%s", dir, file);
    return 1;
}

/* stories260K + tok512 as an in-memory model with weight type wt */
static mote_model *stories_model(const char *wt)
{
    char ck[1024], tk[1024];
    if (!shared_path(ck, sizeof ck, "stories260K.bin") || !shared_path(tk, sizeof tk, "tok512.bin"))
        return NULL;
    mote_graph *g;
    mote_llama2c_info info;
    ck_assert_mote_ok(mote_llama2c_import(ck, tk, &g, &info));
    ck_assert_int_eq(info.version, 0);
    ck_assert_int_eq(info.dim, 64);
    ck_assert_int_eq(info.n_kv_heads, 4);
    ck_assert_int_eq(info.shared_classifier, 1);
    mote_llama_hparams hp = { info.dim, info.hidden_dim, info.n_layers, info.n_heads,
                              info.n_kv_heads, info.vocab_size, info.max_seq,
                              info.shared_classifier, info.rope_theta, info.norm_eps, "f32" };
    if (strcmp(wt, "f32")) {
        mote_graph *q;
        ck_assert_mote_ok(mote_quantize_weights(g, mote_wtype_from_name(wt), NULL, &q));
        mote_graph_free(g);
        g = q;
        snprintf(hp.weight_type, sizeof hp.weight_type, "%s", wt);
    }
    ck_assert_mote_ok(mote_llama_build_graph(g, &hp));
    mote_model *m;
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    return m;
}

/* greedy "Zoo", 60 positions as llama2.c counts them; returns malloc'd text,
 * and the logits of every generated step in *all (if not NULL) */
static char *generate_forced(const mote_model *m, const char *isa, int threads, float **all,
                             const int *force, int *chosen);
static char *generate(const mote_model *m, const char *isa, int threads, float **all)
{
    return generate_forced(m, isa, threads, all, NULL, NULL);
}

/* as generate; force: feed these tokens instead of the argmax (teacher
 * forcing), chosen: receives the fed tokens */
static char *generate_forced(const mote_model *m, const char *isa, int threads, float **all,
                             const int *force, int *chosen)
{
    mote_tokenizer *tok;
    ck_assert_mote_ok(mote_tokenizer_from_model(m, &tok));
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = threads;
    o.isa = isa;
    o.pin = 0;
    mote_llama *L;
    ck_assert_mote_ok(mote_llama_new(m, &o, &L));
    int ids[16], n;
    ck_assert_mote_ok(mote_tokenizer_encode(tok, "Zoo", 1, 0, ids, 16, &n));
    const float *logits;
    ck_assert_mote_ok(mote_llama_forward(L, ids, n, &logits));
    char *text = calloc(1, 4096);
    strcpy(text, "Zoo");
    size_t o_len = 3;
    int prev = ids[n - 1], V = tok->n_vocab;
    if (all) *all = malloc(sizeof(float) * (size_t)V * 60);
    for (int step = 0, pos = n - 1; pos < 60; pos++, step++) {
        if (all) memcpy(*all + (size_t)step * V, logits, sizeof(float) * (size_t)V);
        int next = force ? force[step] : mote_argmax(V, logits);
        if (chosen) chosen[step] = next;
        size_t len;
        const char *p = mote_tokenizer_decode(tok, prev, next, &len);
        memcpy(text + o_len, p, len);
        o_len += len;
        ck_assert_mote_ok(mote_llama_forward(L, &next, 1, &logits));
        prev = next;
    }
    mote_llama_free(L);
    mote_tokenizer_free(tok);
    return text;
}

START_TEST(test_llama_stories260k_greedy_text_is_exact_on_every_isa)
{
    mote_model *m = stories_model("f32");
    if (!m) return;
    for (size_t i = 0; i < sizeof ISAS / sizeof ISAS[0]; i++) {
        if (!mote_cpu_isa_available(ISAS[i])) continue;
        for (int th = 1; th <= 2; th++) {
            char *t = generate(m, ISAS[i], th, NULL);
            ck_assert_msg(!strcmp(t, KNOWN), "isa %s, %d threads: got \"%s\"", ISAS[i], th, t);
            free(t);
        }
    }
    mote_model_close(m);
}
END_TEST

START_TEST(test_llama_runs_from_saved_file)
{
    mote_model *m = stories_model("f32");
    if (!m) return;
    char p[1024];
    snprintf(p, sizeof p, "%s/stories260K.mote", mote_test_tmpdir());
    ck_assert_mote_ok(mote_graph_save(mote_model_graph(m), p));
    mote_model_close(m);
    ck_assert_mote_ok(mote_model_open(p, &m));
    ck_assert_str_eq(mote_model_meta(m, "architecture"), "llama");
    ck_assert_str_eq(mote_model_meta(m, "llama.n_kv_heads"), "4");
    char *t = generate(m, NULL, 1, NULL);
    ck_assert_str_eq(t, KNOWN);
    free(t);
    mote_model_close(m);
}
END_TEST

START_TEST(test_llama_q8_0_agrees_with_f32_on_top1)
{
    mote_model *mf = stories_model("f32");
    if (!mf) return;
    mote_model *mq = stories_model("q8_0");
    mote_model *m4 = stories_model("q4_0");
    float *lf, *lq, *l4;
    int toks[60];
    /* the same text for all: the f32 greedy continuation (reference table) */
    free(generate_forced(mf, "ref", 1, &lf, NULL, toks));
    for (size_t i = 0; i < sizeof ISAS / sizeof ISAS[0]; i++) {
        if (!mote_cpu_isa_available(ISAS[i])) continue;
        free(generate_forced(mq, ISAS[i], 1, &lq, toks, NULL));
        free(generate_forced(m4, ISAS[i], 1, &l4, toks, NULL));
        int agree = 0, agree4 = 0;
        for (int s = 0; s < 57; s++) {
            int a = mote_argmax(512, lf + s * 512);
            agree += a == mote_argmax(512, lq + s * 512);
            agree4 += a == mote_argmax(512, l4 + s * 512);
        }
        fprintf(stderr, "stories260K top-1 agreement with f32 (%s): q8_0 %d/57, q4_0 %d/57\n",
                ISAS[i], agree, agree4);
        /* >= 99% of 57 positions: all of them */
        ck_assert_int_ge(agree * 100, 99 * 57);
        free(lq); free(l4);
    }
    free(lf);
    mote_model_close(mf); mote_model_close(mq); mote_model_close(m4);
}
END_TEST

/* Opt-in (too slow to generate the 438 MB checkpoint in CI): MOTE_RAND768
 * names a directory holding rand768.bin and tok32000.bin written by
 * make_rand_llama2c.py (see the README beside the shared models). f32,
 * greedy "Zoo", 60 positions: the README's known token ids. */
START_TEST(test_llama_rand768_greedy_ids_match_known)
{
    const char *dir = mote_test_dir("MOTE_RAND768");
    if (!dir) {
        fprintf(stderr, "skipped: MOTE_RAND768 is unset (opt-in rand768 check)\n");
        return;
    }
    char ck[1024], tk[1024];
    snprintf(ck, sizeof ck, "%s/rand768.bin", dir);
    snprintf(tk, sizeof tk, "%s/tok32000.bin", dir);
    mote_graph *g;
    mote_llama2c_info h;
    ck_assert_mote_ok(mote_llama2c_import(ck, tk, &g, &h));
    mote_llama_hparams hp = { h.dim, h.hidden_dim, h.n_layers, h.n_heads, h.n_kv_heads,
                              h.vocab_size, h.max_seq, h.shared_classifier, h.rope_theta,
                              h.norm_eps, "f32" };
    ck_assert_mote_ok(mote_llama_build_graph(g, &hp));
    mote_model *m;
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    int want[64] = { 1, 259, 317, 338, 338 }, n_want = 5;
    const int runs[4][2] = { { 24083, 12 }, { 28033, 8 }, { 23299, 19 }, { 4810, 17 } };
    for (int r = 0; r < 4; r++)
        for (int i = 0; i < runs[r][1]; i++) want[n_want++] = runs[r][0];
    ck_assert_int_eq(n_want, 61);   /* the prompt's ids, then one per position to 60 */
    mote_tokenizer *tok;
    ck_assert_mote_ok(mote_tokenizer_from_model(m, &tok));
    mote_llama *L;
    ck_assert_mote_ok(mote_llama_new(m, NULL, &L));
    int ids[16], n;
    ck_assert_mote_ok(mote_tokenizer_encode(tok, "Zoo", 1, 0, ids, 16, &n));
    for (int i = 0; i < n; i++) ck_assert_int_eq(ids[i], want[i]);
    const float *lg;
    ck_assert_mote_ok(mote_llama_forward(L, ids, n, &lg));
    for (int pos = n; pos < n_want; pos++) {
        int next = mote_argmax(h.vocab_size, lg);
        ck_assert_msg(next == want[pos], "position %d: got %d, want %d", pos, next, want[pos]);
        ck_assert_mote_ok(mote_llama_forward(L, &next, 1, &lg));
    }
    mote_llama_free(L);
    mote_tokenizer_free(tok);
    mote_model_close(m);
}
END_TEST

START_TEST(test_llama_reset_restarts_at_position_zero)
{
    mote_model *m = stories_model("f32");
    if (!m) return;
    mote_llama *L;
    ck_assert_mote_ok(mote_llama_new(m, NULL, &L));
    int ids[4] = { 1, 410, 469, 347 };
    const float *lg;
    ck_assert_mote_ok(mote_llama_forward(L, ids, 4, &lg));
    float first[512];
    memcpy(first, lg, sizeof first);
    ck_assert_mote_ok(mote_llama_forward(L, ids + 1, 1, &lg));
    ck_assert_int_eq(mote_llama_pos(L), 5);
    ck_assert_mote_ok(mote_llama_reset(L));
    ck_assert_int_eq(mote_llama_pos(L), 0);
    /* one token at a time gives the batched pass's prediction */
    for (int i = 0; i < 4; i++) ck_assert_mote_ok(mote_llama_forward(L, ids + i, 1, &lg));
    ck_assert_float_le(mote_test_maxdiff(first, lg, 512), 1e-4f);
    mote_llama_free(L);
    mote_model_close(m);
}
END_TEST

/* preparing the batched session ahead changes nothing but when the setup
 * happens: the same logits, bit for bit, as a cold batched pass; a second
 * prepare of the same length is a no-op, n <= 1 does nothing, and a length
 * past max_seq is refused */
START_TEST(test_llama_prepare_then_forward_matches_a_cold_forward)
{
    mote_model *m = stories_model("f32");
    if (!m) return;
    mote_llama *A, *B;
    ck_assert_mote_ok(mote_llama_new(m, NULL, &A));
    ck_assert_mote_ok(mote_llama_new(m, NULL, &B));
    int ids[4] = { 1, 410, 469, 347 };
    const float *la, *lb;
    ck_assert_mote_ok(mote_llama_prepare(B, 1));
    ck_assert_mote_ok(mote_llama_prepare(B, 4));
    ck_assert_mote_ok(mote_llama_prepare(B, 4));
    ck_assert_int_eq(mote_llama_pos(B), 0);
    ck_assert_mote_ok(mote_llama_forward(A, ids, 4, &la));
    ck_assert_mote_ok(mote_llama_forward(B, ids, 4, &lb));
    ck_assert(memcmp(la, lb, 512 * sizeof(float)) == 0);
    ck_assert_int_eq(mote_llama_prepare(B, 513), MOTE_ERR_LIMIT);
    mote_llama_free(A);
    mote_llama_free(B);
    mote_model_close(m);
}
END_TEST

START_TEST(test_llama_forward_rejects_positions_past_max_seq)
{
    mote_model *m = stories_model("f32");
    if (!m) return;
    mote_llama *L;
    ck_assert_mote_ok(mote_llama_new(m, NULL, &L));
    int *ids = calloc(513, sizeof *ids);
    const float *lg;
    ck_assert_int_eq(mote_llama_forward(L, ids, 513, &lg), MOTE_ERR_LIMIT);
    free(ids);
    mote_llama_free(L);
    mote_model_close(m);
}
END_TEST

/* writes stories260K in the v1 layout and checks the import is identical */
START_TEST(test_llama2c_v1_layout_imports_like_v0)
{
    char ck[1024];
    if (!shared_path(ck, sizeof ck, "stories260K.bin")) return;
    mote_graph *g0;
    mote_llama2c_info h;
    ck_assert_mote_ok(mote_llama2c_import(ck, NULL, &g0, &h));
    char p[1024];
    snprintf(p, sizeof p, "%s/stories_v1.bin", mote_test_tmpdir());
    FILE *f = fopen(p, "wb");
    uint8_t hdr[256] = { 0 };
    uint32_t magic = 0x616b3432;
    int32_t ver = 1, hd[7] = { h.dim, h.hidden_dim, h.n_layers, h.n_heads, h.n_kv_heads,
                               h.vocab_size, h.max_seq };
    memcpy(hdr, &magic, 4);
    memcpy(hdr + 4, &ver, 4);
    memcpy(hdr + 8, hd, 28);
    hdr[36] = 1;
    fwrite(hdr, 1, 256, f);
    const char *order[] = { "attention_norm", "ffn_norm", NULL, NULL, "wq", "wk", "wv", "wo",
                            "w1", "w2", "w3" };
    for (int k = 0; k < 11; k++) {
        for (int l = 0; l < (order[k] ? h.n_layers : 1); l++) {
            char nm[64];
            if (order[k]) snprintf(nm, sizeof nm, "layers.%d.%s", l, order[k]);
            else snprintf(nm, sizeof nm, "%s", k == 2 ? "norm" : "tok_embeddings");
            const mote_value *v = &g0->values[mote_graph_find_value(g0, nm)];
            fwrite(v->data, 1, v->nbytes, f);
        }
    }
    fclose(f);
    mote_graph *g1;
    mote_llama2c_info h1;
    ck_assert_mote_ok(mote_llama2c_import(p, NULL, &g1, &h1));
    ck_assert_int_eq(h1.version, 1);
    ck_assert_int_eq(g1->n_values, g0->n_values);
    for (int v = 0; v < g0->n_values; v++) {
        int w = mote_graph_find_value(g1, g0->values[v].name);
        ck_assert_int_ge(w, 0);
        ck_assert_uint_eq(g1->values[w].nbytes, g0->values[v].nbytes);
        ck_assert(!memcmp(g1->values[w].data, g0->values[v].data, g0->values[v].nbytes));
    }
    mote_graph_free(g0);
    mote_graph_free(g1);
}
END_TEST

START_TEST(test_llama2c_rejects_truncated_checkpoint)
{
    char ck[1024];
    if (!shared_path(ck, sizeof ck, "stories260K.bin")) return;
    FILE *in = fopen(ck, "rb");
    char p[1024];
    snprintf(p, sizeof p, "%s/trunc.bin", mote_test_tmpdir());
    FILE *out = fopen(p, "wb");
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, in);   /* only the first 4 KiB */
    fwrite(buf, 1, n, out);
    fclose(in);
    fclose(out);
    mote_graph *g;
    ck_assert_int_eq(mote_llama2c_import(p, NULL, &g, NULL), MOTE_ERR_FORMAT);
    ck_assert_ptr_null(g);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "truncated"));
}
END_TEST

START_TEST(test_llama2c_rejects_bad_header)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/bad.bin", mote_test_tmpdir());
    FILE *f = fopen(p, "wb");
    int32_t hd[7] = { 64, 172, 5, 7, 4, 512, 512 };   /* 64 % 7 != 0 */
    fwrite(hd, 4, 7, f);
    fclose(f);
    mote_graph *g;
    ck_assert_int_eq(mote_llama2c_import(p, NULL, &g, NULL), MOTE_ERR_FORMAT);
}
END_TEST

/* A copy of stories260K.bin with header field `field` set to value and
 * `extra` zero bytes appended; returns the path. */
static const char *altered_stories(const char *name, int field, int32_t value, size_t extra)
{
    static char p[1024];
    char ck[1024];
    if (!shared_path(ck, sizeof ck, "stories260K.bin")) return NULL;
    FILE *in = fopen(ck, "rb");
    ck_assert_ptr_nonnull(in);
    snprintf(p, sizeof p, "%s/%s", mote_test_tmpdir(), name);
    FILE *out = fopen(p, "wb");
    ck_assert_ptr_nonnull(out);
    char buf[1 << 16];
    size_t n, at = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        if (at == 0 && field >= 0) memcpy(buf + 4 * field, &value, 4);
        fwrite(buf, 1, n, out);
        at += n;
    }
    for (size_t i = 0; i < extra; i++) fputc(0, out);
    fclose(in);
    fclose(out);
    return p;
}

START_TEST(test_llama2c_header_must_describe_the_file_exactly)
{
    /* stories260K has 5 layers: a header saying 4 reads 5 layers' data
     * as 4 plus garbage; trailing bytes; a larger vocabulary. */
    struct { const char *name; int field; int32_t value; size_t extra; const char *why; } cases[] = {
        { "layers4.bin", 2, 4, 0, "trailing bytes" },
        { "trailing.bin", -1, 0, 4, "trailing bytes" },
        { "trailing1.bin", -1, 0, 1, "trailing bytes" },
        { "vocab.bin", 5, 513, 0, "truncated" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *p = altered_stories(cases[i].name, cases[i].field, cases[i].value, cases[i].extra);
        if (!p) return;
        mote_graph *g = (mote_graph *)1;
        ck_assert_int_eq(mote_llama2c_import(p, NULL, &g, NULL), MOTE_ERR_FORMAT);
        ck_assert_ptr_null(g);
        ck_assert_msg(strstr(mote_last_error(), cases[i].why) && strstr(mote_last_error(), "describes"),
                      "%s: %s", cases[i].name, mote_last_error());
        ck_assert_int_eq(mote_llama2c_probe(p), 1);
    }
}
END_TEST

START_TEST(test_llama2c_tokenizer_larger_than_the_vocabulary_is_refused)
{
    char ck[1024], tk[1024];
    if (!shared_path(ck, sizeof ck, "stories260K.bin") || !shared_path(tk, sizeof tk, "tok512.bin"))
        return;
    char p[1024];
    snprintf(p, sizeof p, "%s/tok513.bin", mote_test_tmpdir());
    FILE *in = fopen(tk, "rb"), *out = fopen(p, "wb");
    ck_assert(in && out);
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, out);
    float score = 0;
    int32_t len = 2;
    fwrite(&score, 4, 1, out);
    fwrite(&len, 4, 1, out);
    fwrite("zz", 1, 2, out);
    fclose(in);
    fclose(out);
    mote_graph *g;
    ck_assert_int_eq(mote_llama2c_import(ck, p, &g, NULL), MOTE_ERR_FORMAT);
    ck_assert_msg(strstr(mote_last_error(), "more entries"), "%s", mote_last_error());
    /* the real one still loads */
    ck_assert_mote_ok(mote_llama2c_import(ck, tk, &g, NULL));
    mote_graph_free(g);
}
END_TEST

/* every table's attention kernel against the reference: the head sizes
 * with register paths (8 ... 128) and others, cache rows wider than a head
 * (several heads side by side), scores spanning exp's range */
START_TEST(test_llm_attend_matches_reference_on_every_isa)
{
    const mote_llm_kernels *ref = &mote_llm_kernels_ref;
    const int64_t hss[] = { 8, 16, 24, 32, 40, 64, 128, 256 };
    const int64_t ns[] = { 1, 2, 7, 16, 17, 130 };
    for (size_t i = 1; i < sizeof ISAS / sizeof ISAS[0]; i++) {
        if (!mote_cpu_isa_available(ISAS[i])) continue;
#ifdef MOTE_HAVE_X86
        const mote_llm_kernels *t = !strcmp(ISAS[i], "avx2") ? &mote_llm_kernels_avx2
                                                             : &mote_llm_kernels_avx512;
#else
        const mote_llm_kernels *t = ref;
#endif
        ck_assert_ptr_nonnull(ref->attend_f32);
        if (!t->attend_f32) continue;
        for (size_t a = 0; a < sizeof hss / sizeof hss[0]; a++)
            for (size_t b = 0; b < sizeof ns / sizeof ns[0]; b++) {
                int64_t hs = hss[a], n = ns[b], ld = 3 * hs + 5;
                float *q = malloc(sizeof(float) * hs), *k = malloc(sizeof(float) * n * ld);
                float *v = malloc(sizeof(float) * n * ld), *s = malloc(sizeof(float) * n);
                float *y0 = malloc(sizeof(float) * hs), *y1 = malloc(sizeof(float) * hs);
                mote_test_fill(q, hs, 11, -3, 3);
                mote_test_fill(k, n * ld, 12, -3, 3);
                mote_test_fill(v, n * ld, 13, -1, 1);
                ref->attend_f32(n, hs, q, k + hs, v + hs, ld, 0.5f, s, y0);
                t->attend_f32(n, hs, q, k + hs, v + hs, ld, 0.5f, s, y1);
                /* y is a convex mix of values in [-1, 1] */
                ck_assert_msg(mote_test_maxdiff(y0, y1, hs) <= 2e-5f, "%s attend hs=%lld n=%lld: off by %g",
                              ISAS[i], (long long)hs, (long long)n, (double)mote_test_maxdiff(y0, y1, hs));
                free(q); free(k); free(v); free(s); free(y0); free(y1);
            }
    }
}
END_TEST

/* every table's LLM kernels against the reference on awkward sizes */
START_TEST(test_llm_kernels_match_reference_on_every_isa)
{
    const mote_llm_kernels *ref = &mote_llm_kernels_ref;
    const int64_t Ks[] = { 32, 64, 96, 2048 + 32 };
    /* 257: ranges of 8 and 9 groups of 16, so the four-quarter paths run */
    const int64_t Ns[] = { 1, 3, 7, 17, 33, 257 };
    for (size_t i = 1; i < sizeof ISAS / sizeof ISAS[0]; i++) {
        if (!mote_cpu_isa_available(ISAS[i])) continue;
#ifdef MOTE_HAVE_X86
        const mote_llm_kernels *t = !strcmp(ISAS[i], "avx2") ? &mote_llm_kernels_avx2
                                                             : &mote_llm_kernels_avx512;
#else
        const mote_llm_kernels *t = ref;
#endif
        for (size_t a = 0; a < 4; a++) for (size_t b = 0; b < 5; b++) {
            int64_t K = Ks[a], N = Ns[b], M = 3;
            float *W = malloc(sizeof(float) * N * K), *x = malloc(sizeof(float) * M * K);
            float *y0 = calloc(M * N, 4), *y1 = calloc(M * N, 4);
            mote_test_fill(W, N * K, 1, -1, 1);
            mote_test_fill(x, M * K, 2, -1, 1);
            if (t->matvec_f32) {
                ref->matvec_f32(K, W, 0, N, x, y0);
                t->matvec_f32(K, W, 0, N, x, y1);
                ck_assert_float_le(mote_test_maxdiff(y0, y1, N), 1e-3f);
            }
            if (t->matvec_f16) {
                uint16_t *Wh = malloc(sizeof *Wh * N * K);
                for (int64_t e = 0; e < N * K; e++) Wh[e] = mote_float_to_half(W[e]);
                ref->matvec_f16(K, Wh, 0, N, x, y0);
                t->matvec_f16(K, Wh, 1, N, x, y1 + 1);   /* a range not starting at 0 */
                ck_assert_float_le(mote_test_maxdiff(y0 + 1, y1 + 1, N - 1), 1e-3f);
                free(Wh);
            }
            /* the elementwise and row kernels on K values and on awkward n = N + 8 */
            for (int64_t n = N + 8; n <= K; n += K - N - 8) {
                float g[2048 + 32], r0[2048 + 32], r1[2048 + 32];
                mote_test_fill(g, n, 3, -2, 2);
                if (t->rmsnorm_f32) {
                    ref->rmsnorm_f32(n, x, g, 1e-5f, r0);
                    t->rmsnorm_f32(n, x, g, 1e-5f, r1);
                    ck_assert_float_le(mote_test_maxdiff(r0, r1, n), 1e-5f);
                }
                if (t->swiglu_f32) {
                    for (int64_t e = 0; e < n; e++) g[e] *= 40;   /* exp's range, both signs */
                    ref->swiglu_f32(n, g, x, r0);
                    t->swiglu_f32(n, g, x, r1);
                    for (int64_t e = 0; e < n; e++)
                        ck_assert_float_le(fabsf(r0[e] - r1[e]), 2e-6f * (1 + fabsf(r0[e])));
                }
                if (t->dot_f32)
                    ck_assert_float_le(fabsf(ref->dot_f32(n, x, g) - t->dot_f32(n, x, g)), 1e-3f);
                if (t->axpy_f32) {
                    memcpy(r0, g, sizeof(float) * n);
                    memcpy(r1, g, sizeof(float) * n);
                    ref->axpy_f32(n, 0.37f, x, r0);
                    t->axpy_f32(n, 0.37f, x, r1);
                    ck_assert_float_le(mote_test_maxdiff(r0, r1, n), 1e-5f);   /* |y| < 100 */
                }
                if (n == K) break;
            }
            mote_q8a_block *x0 = malloc(sizeof *x0 * M * K / 32), *x1 = malloc(sizeof *x1 * M * K / 32);
            mote_q16a_block *h0 = malloc(sizeof *h0 * M * K / 32), *h1 = malloc(sizeof *h1 * M * K / 32);
            ref->quantize_q8a(M * K, x, x0);
            ref->quantize_q16a(M * K, x, h0);
            if (t->quantize_q8a) {
                t->quantize_q8a(M * K, x, x1);
                for (int64_t k = 0; k < M * K / 32; k++) {
                    /* the same rounding as the reference: identical blocks */
                    ck_assert_float_eq(x0[k].d, x1[k].d);
                    ck_assert_int_eq(x0[k].sum, x1[k].sum);
                    ck_assert(!memcmp(x0[k].q, x1[k].q, 32));
                }
            }
            if (t->quantize_q16a) {
                t->quantize_q16a(M * K, x, h1);
                for (int64_t k = 0; k < M * K / 32; k++) {
                    ck_assert_float_eq(h0[k].d, h1[k].d);
                    ck_assert(!memcmp(h0[k].q, h1[k].q, sizeof h0[k].q));
                }
            }
            if (t->matmul_q8_0) {
                size_t rb = mote_wtype_row_bytes(MOTE_W_Q8_0, K);
                uint8_t *Wq = malloc(rb * N);
                for (int64_t n = 0; n < N; n++) mote_quantize_row_q8_0(K, W + n * K, Wq + n * rb);
                ref->matmul_q8_0(M, K, h0, Wq, 0, N, y0, N);
                t->matmul_q8_0(M, K, h0, Wq, 0, N, y1, N);
                ck_assert_float_le(mote_test_maxdiff(y0, y1, M * N), 1e-3f * sqrtf((float)K));
                free(Wq);
            }
            if (t->matmul_q4_0) {
                size_t rb = mote_wtype_row_bytes(MOTE_W_Q4_0, K);
                uint8_t *Wq = malloc(rb * N);
                for (int64_t n = 0; n < N; n++) mote_quantize_row_q4_0(K, W + n * K, Wq + n * rb);
                ref->matmul_q4_0(M, K, x0, Wq, 0, N, y0, N);
                t->matmul_q4_0(M, K, x0, Wq, 0, N, y1, N);
                ck_assert_float_le(mote_test_maxdiff(y0, y1, M * N), 1e-3f * sqrtf((float)K));
                free(Wq);
            }
            for (int q = 0; q < 2 && t->matmul_qpacked; q++) {
                /* the packed path, on row ranges that cut a group of 16 */
                mote_wtype wt = q ? MOTE_W_Q4_0 : MOTE_W_Q8_0;
                size_t rb = mote_wtype_row_bytes(wt, K);
                uint8_t *Wq = malloc(rb * N);
                for (int64_t n = 0; n < N; n++) {
                    if (q) mote_quantize_row_q4_0(K, W + n * K, Wq + n * rb);
                    else mote_quantize_row_q8_0(K, W + n * K, Wq + n * rb);
                }
                void *Wp = aligned_alloc(64, mote_qpack16_bytes(wt, N, K));
                mote_qpack16(wt, N, K, Wq, Wp);
                const void *xa = q ? (const void *)x0 : (const void *)h0;
                for (int64_t mm_ = 1; mm_ <= M; mm_ += 2) {
                    if (q) ref->matmul_q4_0(mm_, K, x0, Wq, 0, N, y0, N);
                    else ref->matmul_q8_0(mm_, K, h0, Wq, 0, N, y0, N);
                    for (int64_t e = 0; e < mm_ * N; e++) y1[e] = -7;
                    int64_t cut = N / 2;
                    t->matmul_qpacked(wt, mm_, K, xa, Wp, 0, cut, y1, N);
                    t->matmul_qpacked(wt, mm_, K, xa, Wp, cut, N, y1, N);
                    ck_assert_msg(mote_test_maxdiff(y0, y1, mm_ * N) <= 1e-4f * sqrtf((float)K),
                                  "%s packed %s K=%lld N=%lld M=%lld", ISAS[i], q ? "q4_0" : "q8_0",
                                  (long long)K, (long long)N, (long long)mm_);
                }
                free(Wp);
                free(Wq);
            }
            free(W); free(x); free(y0); free(y1); free(x0); free(x1); free(h0); free(h1);
        }
    }
}
END_TEST

START_TEST(test_quant_round_trip_error_is_bounded)
{
    float x[64], y[64];
    uint8_t q8[2 * MOTE_Q8_0_BYTES], q4[2 * MOTE_Q4_0_BYTES];
    mote_test_fill(x, 64, 9, -2, 2);
    mote_quantize_row_q8_0(64, x, q8);
    mote_dequantize_row_q8_0(64, q8, y);
    ck_assert_float_le(mote_test_maxdiff(x, y, 64), 2.0f / 127 * 0.51f + 1e-3f);
    mote_quantize_row_q4_0(64, x, q4);
    mote_dequantize_row_q4_0(64, q4, y);
    ck_assert_float_le(mote_test_maxdiff(x, y, 64), 2.0f / 8 + 1e-2f);
    ck_assert_uint_eq(mote_wtype_row_bytes(MOTE_W_Q4_0, 33), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("llama");
    TCase *tc = tcase_create("llama");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_llama_stories260k_greedy_text_is_exact_on_every_isa);
    tcase_add_test(tc, test_llama_runs_from_saved_file);
    tcase_add_test(tc, test_llama_q8_0_agrees_with_f32_on_top1);
    tcase_add_test(tc, test_llama_rand768_greedy_ids_match_known);
    tcase_add_test(tc, test_llama_reset_restarts_at_position_zero);
    tcase_add_test(tc, test_llama_forward_rejects_positions_past_max_seq);
    tcase_add_test(tc, test_llama_prepare_then_forward_matches_a_cold_forward);
    tcase_add_test(tc, test_llama2c_v1_layout_imports_like_v0);
    tcase_add_test(tc, test_llama2c_rejects_truncated_checkpoint);
    tcase_add_test(tc, test_llama2c_rejects_bad_header);
    tcase_add_test(tc, test_llama2c_header_must_describe_the_file_exactly);
    tcase_add_test(tc, test_llama2c_tokenizer_larger_than_the_vocabulary_is_refused);
    tcase_add_test(tc, test_llm_kernels_match_reference_on_every_isa);
    tcase_add_test(tc, test_llm_attend_matches_reference_on_every_isa);
    tcase_add_test(tc, test_quant_round_trip_error_is_bounded);
    suite_add_tcase(s, tc);
    return mote_test_run(s);
}
