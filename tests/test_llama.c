/*
 * test_llama.c — the llama decoder end to end on the real stories260K
 * checkpoint (exact greedy text, every ISA table, 1 and 2 threads; through
 * a saved .mote file; q8_0 agreement with f32), the llama2.c reader's
 * layouts and errors. (The LLM kernels of every table against the
 * reference are in test_kernels.c.)
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

/* a decoder is one session: a prompt, tokens one at a time and a second
 * prompt of another length reshape it, keeping one KV cache (the only
 * state) and the one packed copy of each matrix made by the first pass;
 * its logits match a decoder fed the same tokens one at a time */
START_TEST(test_llama_one_session_one_cache_one_packed_copy)
{
    mote_model *m = stories_model("q4_0");
    if (!m) return;
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    o.pin = 0;
    mote_llama *L, *S;
    ck_assert_mote_ok(mote_llama_new(m, &o, &L));
    ck_assert_mote_ok(mote_llama_new(m, &o, &S));
    int ids[12] = { 1, 410, 469, 347, 280, 301, 260, 411, 279, 290, 364, 267 };
    const float *ll, *ls;
    float got[512];
    ck_assert_mote_ok(mote_llama_forward(L, ids, 4, &ll));
    size_t packed = mote_model_prepared_bytes(m);
    for (int i = 4; i < 7; i++) ck_assert_mote_ok(mote_llama_forward(L, ids + i, 1, &ll));
    ck_assert_mote_ok(mote_llama_forward(L, ids + 7, 5, &ll));
    memcpy(got, ll, sizeof got);
    ck_assert_uint_eq(mote_model_prepared_bytes(m), packed);
    /* the session's state is exactly one cache per layer */
    const mote_llama_hparams *hp = mote_llama_hparams_of(L);
    size_t kvd = (size_t)(hp->dim / hp->n_heads * hp->n_kv_heads);
    size_t layer = 64 + 2 * (((size_t)hp->max_seq * kvd * sizeof(float) + 63) / 64 * 64);
    mote_memory mem;
    ck_assert_mote_ok(mote_session_memory(mote_llama_session(L), &mem));
    ck_assert_uint_eq(mem.state, (size_t)hp->n_layers * layer);
    ck_assert_uint_eq(mem.prepared <= packed, 1);
    ck_assert_uint_eq(mote_llama_memory_bytes(L), mem.total - mem.prepared + packed);
    for (int i = 0; i < 12; i++) ck_assert_mote_ok(mote_llama_forward(S, ids + i, 1, &ls));
    ck_assert_uint_eq(mote_model_prepared_bytes(m), packed);
    float d = mote_test_maxdiff(got, ls, 512);
    ck_assert_msg(d < 1e-3f, "batched and one-at-a-time logits differ by %g", (double)d);
    mote_llama_free(L);
    mote_llama_free(S);
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

/* llama2.c's v2 ("ak42" version 2) int8 export of stories260K, groups of 32:
 * matrices whose rows are whole blocks stay int8 as q8_0 (the same int8
 * values, the group scale as the block's half), w2 (K = 172) becomes f32,
 * and the model still generates the known text's opening. */
START_TEST(test_llama2c_v2_int8_matrices_stay_q8_0)
{
    char ck[1024];
    if (!shared_path(ck, sizeof ck, "stories260K.bin")) return;
    mote_graph *g0;
    mote_llama2c_info h;
    ck_assert_mote_ok(mote_llama2c_import(ck, NULL, &g0, &h));
    ck_assert_str_eq(h.weight_type, "f32");
    char p[1024];
    snprintf(p, sizeof p, "%s/stories_v2.bin", mote_test_tmpdir());
    FILE *f = fopen(p, "wb");
    uint8_t hdr[256] = { 0 };
    uint32_t magic = 0x616b3432;
    int32_t ver = 2, gs = 32, hd[7] = { h.dim, h.hidden_dim, h.n_layers, h.n_heads,
                                        h.n_kv_heads, h.vocab_size, h.max_seq };
    memcpy(hdr, &magic, 4);
    memcpy(hdr + 4, &ver, 4);
    memcpy(hdr + 8, hd, 28);
    hdr[36] = 1;
    memcpy(hdr + 37, &gs, 4);
    fwrite(hdr, 1, 256, f);
    const char *order[] = { "attention_norm", "ffn_norm", NULL, NULL, "wq", "wk", "wv", "wo",
                            "w1", "w2", "w3" };
    for (int k = 0; k < 11; k++) {
        for (int l = 0; l < (order[k] ? h.n_layers : 1); l++) {
            char nm[64];
            if (order[k]) snprintf(nm, sizeof nm, "layers.%d.%s", l, order[k]);
            else snprintf(nm, sizeof nm, "%s", k == 2 ? "norm" : "tok_embeddings");
            const mote_value *v = &g0->values[mote_graph_find_value(g0, nm)];
            if (k < 3) {   /* the norms: f32 */
                fwrite(v->data, 1, v->nbytes, f);
                continue;
            }
            size_t n = v->nbytes / 4, ng = n / (size_t)gs;
            const float *x = v->data;
            int8_t *q = malloc(n);
            float *sc = malloc(ng * sizeof *sc);
            for (size_t gi = 0; gi < ng; gi++) {
                float m = 0;
                for (int i = 0; i < gs; i++) m = fmaxf(m, fabsf(x[gi * gs + i]));
                sc[gi] = m / 127.0f;
                for (int i = 0; i < gs; i++)
                    q[gi * gs + i] = (int8_t)lrintf(sc[gi] > 0 ? x[gi * gs + i] / sc[gi] : 0);
            }
            fwrite(q, 1, n, f);
            fwrite(sc, sizeof *sc, ng, f);
            free(q);
            free(sc);
        }
    }
    fclose(f);
    mote_graph *g;
    mote_llama2c_info h2;
    char tk[1024];
    shared_path(tk, sizeof tk, "tok512.bin");
    ck_assert_mote_ok(mote_llama2c_import(p, tk, &g, &h2));
    ck_assert_int_eq(h2.version, 2);
    ck_assert_str_eq(h2.weight_type, "q8_0");
    const mote_value *wq = &g->values[mote_graph_find_value(g, "layers.0.wq")];
    ck_assert_int_eq(wq->dtype, MOTE_U8);
    ck_assert_int_eq(wq->dims[1], h.dim / 32 * 34);
    const mote_value *w2 = &g->values[mote_graph_find_value(g, "layers.0.w2")];
    ck_assert_int_eq(w2->dtype, MOTE_F32);   /* 172 columns: not whole blocks */
    /* the kept rows hold the int8 values and (to half precision) the scales */
    const mote_value *f0 = &g0->values[mote_graph_find_value(g0, "layers.0.wq")];
    float row[64];
    for (int r = 0; r < h.dim; r++) {
        mote_dequantize_row_q8_0(h.dim, (const uint8_t *)wq->data + (size_t)r * wq->dims[1], row);
        for (int i = 0; i < h.dim; i++) {
            float want = ((const float *)f0->data)[r * h.dim + i];
            ck_assert_float_le(fabsf(row[i] - want), 0.01f * fabsf(want) + 2e-2f);
        }
    }
    mote_llama_hparams hp = { h2.dim, h2.hidden_dim, h2.n_layers, h2.n_heads, h2.n_kv_heads,
                              h2.vocab_size, h2.max_seq, h2.shared_classifier, h2.rope_theta,
                              h2.norm_eps, "" };
    snprintf(hp.weight_type, sizeof hp.weight_type, "%s", h2.weight_type);
    ck_assert_mote_ok(mote_llama_build_graph(g, &hp));
    mote_model *m;
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    char *t = generate(m, NULL, 1, NULL);
    ck_assert_msg(!strncmp(t, KNOWN, 32), "got \"%s\"", t);
    free(t);
    mote_model_close(m);
    mote_graph_free(g0);
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
    tcase_add_test(tc, test_llama_one_session_one_cache_one_packed_copy);
    tcase_add_test(tc, test_llama2c_v1_layout_imports_like_v0);
    tcase_add_test(tc, test_llama2c_v2_int8_matrices_stay_q8_0);
    tcase_add_test(tc, test_llama2c_rejects_truncated_checkpoint);
    tcase_add_test(tc, test_llama2c_rejects_bad_header);
    tcase_add_test(tc, test_llama2c_header_must_describe_the_file_exactly);
    tcase_add_test(tc, test_llama2c_tokenizer_larger_than_the_vocabulary_is_refused);
    tcase_add_test(tc, test_quant_round_trip_error_is_bounded);
    suite_add_tcase(s, tc);
    return mote_test_run(s);
}
