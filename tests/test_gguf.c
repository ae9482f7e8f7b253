/*
 * test_gguf.c — GGUF import (src/llm/gguf.c) on files this test writes
 * with its own writer (tests/gguf_writer.h) from the real stories260K
 * checkpoint: the f32 GGUF generates the known greedy "Zoo" text exactly,
 * through a .mote file saved and reopened; a q8_0 GGUF (f16 embedding)
 * generates exactly what mote's own q8_0 quantization of the checkpoint
 * does; an F16 file keeps the text's first 60 bytes; a mixed Q8_0/Q4_0 file
 * loads with the odd matrix widened, a Q4_0 one loads; a byte-level BPE
 * tokenizer encodes by merge rank and round-trips. Hostile
 * and unsupported files: every truncation, bad magic and versions,
 * offsets outside the file, huge counts, refused tensor types,
 * architectures and tokenizers (named in the message).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "graph/graph.h"
#include "llm/gguf.h"
#include "llm/llama.h"
#include "llm/llama2c.h"
#include "llm/quantize.h"
#include "llm/sample.h"
#include "llm/tokenizer.h"
#include "gguf_writer.h"

static const char *KNOWN =
    "Zoo was a little girl named Lily. She loved to play outside in the park. One day, "
    "she saw a big, red ball. She wanted to play with it, but she didn't want to play with";

/* stories260K + tok512 imported from llama2.c (weights, metadata, tokenizer) */
static mote_graph *stories_graph(void)
{
    const char *dir = mote_test_dir("MOTE_SHARED_MODELS");
    if (!dir) {
        fprintf(stderr, "skipped: MOTE_SHARED_MODELS is unset or absent (needs stories260K)\n");
        return NULL;
    }
    char ck[1024], tk[1024];
    snprintf(ck, sizeof ck, "%s/stories260K.bin", dir);
    snprintf(tk, sizeof tk, "%s/tok512.bin", dir);
    mote_graph *g;
    ck_assert_mote_ok(mote_llama2c_import(ck, tk, &g, NULL));
    return g;
}

/* greedy generation from "Zoo" up to position 60, as tests/test_llama.c */
static char *greedy_zoo(const mote_model *m)
{
    mote_tokenizer *tok;
    ck_assert_mote_ok(mote_tokenizer_from_model(m, &tok));
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    o.pin = 0;
    mote_llama *L;
    ck_assert_mote_ok(mote_llama_new(m, &o, &L));
    int ids[16], n;
    ck_assert_mote_ok(mote_tokenizer_encode(tok, "Zoo", 1, 0, ids, 16, &n));
    const float *logits;
    ck_assert_mote_ok(mote_llama_forward(L, ids, n, &logits));
    char *text = calloc(1, 4096);
    strcpy(text, "Zoo");
    size_t len_all = 3;
    int prev = ids[n - 1];
    for (int pos = n - 1; pos < 60; pos++) {
        int next = mote_argmax(tok->n_vocab, logits);
        size_t len;
        const char *p = mote_tokenizer_decode(tok, prev, next, &len);
        memcpy(text + len_all, p, len);
        len_all += len;
        ck_assert_mote_ok(mote_llama_forward(L, &next, 1, &logits));
        prev = next;
    }
    mote_llama_free(L);
    mote_tokenizer_free(tok);
    return text;
}

/* A GGUF file's bytes -> graph -> decoder -> model (in memory). */
static mote_model *model_from_gguf(const uint8_t *buf, size_t len, mote_gguf_info *info)
{
    mote_graph *g;
    ck_assert_mote_ok(mote_gguf_import_memory(buf, len, "test.gguf", &g, info));
    ck_assert_mote_ok(mote_llama_build_graph(g, &info->hp));
    mote_model *m;
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    return m;
}

/* A progress callback that checks its counts rise to the total. */
typedef struct seen { int calls; size_t last, total; int ordered; } seen;
static void count_progress(void *user, const char *stage, size_t done, size_t total)
{
    seen *s = user;
    (void)stage;
    s->ordered &= done == s->last + 1 && done <= total;
    s->calls++;
    s->last = done;
    s->total = total;
}

START_TEST(test_gguf_f32_generates_the_known_text_through_a_saved_file)
{
    mote_graph *src = stories_graph();
    if (!src) return;
    gw_options o = { .tokenizer = 1 };
    size_t len;
    uint8_t *buf = gguf_from_llama2c(src, &o, &len);
    char path[1024], out[1024];
    snprintf(path, sizeof path, "%s/stories.gguf", mote_test_tmpdir());
    snprintf(out, sizeof out, "%s/stories.mote", mote_test_tmpdir());
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
    fclose(f);
    ck_assert(mote_gguf_probe(path));
    mote_graph *g;
    mote_gguf_info info;
    seen sn = { .ordered = 1 };
    mote_llm_progress pr = { count_progress, &sn };
    ck_assert_mote_ok(mote_gguf_import(path, &pr, &g, &info));
    ck_assert_int_eq(sn.calls, 3 + 9 * 5);   /* every slot (output absent: tied), in order */
    ck_assert(sn.ordered && sn.last == sn.total);
    ck_assert_int_eq(info.version, 3);
    ck_assert_int_eq(info.has_tokenizer, 1);
    ck_assert_int_eq(info.hp.dim, 64);
    ck_assert_int_eq(info.hp.n_kv_heads, 4);
    ck_assert_int_eq(info.hp.vocab_size, 512);
    ck_assert_int_eq(info.hp.shared_classifier, 1);
    ck_assert_str_eq(info.hp.weight_type, "f32");
    ck_assert_mote_ok(mote_llama_build_graph(g, &info.hp));
    ck_assert_mote_ok(mote_graph_save(g, out));
    mote_graph_free(g);
    mote_model *m;
    ck_assert_mote_ok(mote_model_open(out, &m));
    ck_assert_str_eq(mote_model_meta(m, "name"), "stories260K");
    char *text = greedy_zoo(m);
    ck_assert_msg(!strcmp(text, KNOWN), "got \"%s\"", text);
    free(text);
    mote_model_close(m);
    free(buf);
    mote_graph_free(src);
}
END_TEST

START_TEST(test_gguf_q8_0_generates_what_motes_own_q8_0_does)
{
    mote_graph *src = stories_graph();
    if (!src) return;
    /* mote quantize --type q8_0: matrices q8_0, embedding f16 */
    mote_graph *q;
    seen sq = { .ordered = 0 };
    mote_llm_progress pq = { count_progress, &sq };
    ck_assert_mote_ok(mote_quantize_weights_progress(src, MOTE_W_Q8_0, NULL, &pq, &q));
    ck_assert(sq.calls > 40 && sq.last <= sq.total);
    const char *dir = mote_test_dir("MOTE_SHARED_MODELS");
    char ck[1024];
    snprintf(ck, sizeof ck, "%s/stories260K.bin", dir);
    mote_graph *unused;
    mote_llama2c_info h;
    seen sn = { .ordered = 1 };
    mote_llm_progress pr = { count_progress, &sn };
    ck_assert_mote_ok(mote_llama2c_import_progress(ck, NULL, &pr, &unused, &h));
    ck_assert(sn.ordered && sn.last == sn.total && sn.calls == 2 + 9 * 5);
    mote_graph_free(unused);
    mote_llama_hparams hp = { h.dim, h.hidden_dim, h.n_layers, h.n_heads, h.n_kv_heads,
                              h.vocab_size, h.max_seq, h.shared_classifier, h.rope_theta,
                              h.norm_eps, "q8_0" };
    ck_assert_mote_ok(mote_llama_build_graph(q, &hp));
    mote_model *mq;
    ck_assert_mote_ok(mote_model_from_graph(q, &mq));
    char *want = greedy_zoo(mq);

    mote_graph *src2 = stories_graph();
    gw_options o = { .tokenizer = 1, .quant = GW_T_Q8_0, .f16_embedding = 1 };
    size_t len;
    uint8_t *buf = gguf_from_llama2c(src2, &o, &len);
    mote_gguf_info info;
    mote_model *m = model_from_gguf(buf, len, &info);
    ck_assert_str_eq(info.hp.weight_type, "q8_0");
    ck_assert_int_eq(info.n_dequantized, 0);
    char *got = greedy_zoo(m);
    ck_assert_msg(!strcmp(got, want), "GGUF q8_0: \"%s\"\nmote q8_0: \"%s\"", got, want);
    free(got);
    free(want);
    free(buf);
    mote_model_close(m);
    mote_model_close(mq);
    mote_graph_free(src);
    mote_graph_free(src2);
}
END_TEST

START_TEST(test_gguf_mixed_f16_and_q4_0_files_load_and_run)
{
    mote_graph *src = stories_graph();
    if (!src) return;
    gw_options o = { .tokenizer = 1, .quant = GW_T_Q8_0, .mixed = 1 };
    size_t len;
    uint8_t *buf = gguf_from_llama2c(src, &o, &len);
    mote_gguf_info info;
    mote_model *m = model_from_gguf(buf, len, &info);
    ck_assert_str_eq(info.hp.weight_type, "q8_0");
    ck_assert_int_eq(info.n_dequantized, 1);
    char *text = greedy_zoo(m);
    ck_assert_int_gt((int)strlen(text), 20);
    free(text);
    mote_model_close(m);
    free(buf);

    /* F16 matrices stay f16 (LlmLinear's f16 weights); the greedy text holds */
    o = (gw_options){ .tokenizer = 1, .quant = GW_T_F16, .f16_embedding = 1 };
    buf = gguf_from_llama2c(src, &o, &len);
    m = model_from_gguf(buf, len, &info);
    ck_assert_str_eq(info.hp.weight_type, "f32");
    text = greedy_zoo(m);
    ck_assert_msg(!strncmp(text, KNOWN, 60), "f16: \"%s\"", text);
    free(text);
    mote_model_close(m);
    free(buf);

    o = (gw_options){ .tokenizer = 1, .quant = GW_T_Q4_0 };
    buf = gguf_from_llama2c(src, &o, &len);
    m = model_from_gguf(buf, len, &info);
    ck_assert_str_eq(info.hp.weight_type, "q4_0");
    mote_model_close(m);
    free(buf);
    mote_graph_free(src);
}
END_TEST

/* The import of buf fails with status st and a message holding `want`. */
static void expect_error(const uint8_t *buf, size_t len, mote_status st, const char *want)
{
    mote_graph *g = (mote_graph *)1;
    mote_status got = mote_gguf_import_memory(buf, len, "bad.gguf", &g, NULL);
    ck_assert_msg(got == st, "status %s, wanted %s (%s)", mote_status_name(got),
                  mote_status_name(st), mote_last_error());
    ck_assert_ptr_null(g);
    ck_assert_msg(strstr(mote_last_error(), want), "message \"%s\" lacks \"%s\"",
                  mote_last_error(), want);
}

START_TEST(test_gguf_rejects_every_truncation)
{
    mote_graph *src = stories_graph();
    if (!src) return;
    gw_options o = { .tokenizer = 1, .quant = GW_T_Q8_0 };
    size_t len;
    uint8_t *buf = gguf_from_llama2c(src, &o, &len);
    /* every prefix up to the end of the metadata, then a stride through the data */
    for (size_t cut = 0; cut < len; cut += cut < 20000 ? 1 : 997) {
        mote_graph *g;
        uint8_t *copy = malloc(cut ? cut : 1);   /* exactly cut bytes: ASan sees overreads */
        memcpy(copy, buf, cut);
        mote_status st = mote_gguf_import_memory(copy, cut, "cut.gguf", &g, NULL);
        ck_assert_msg(st == MOTE_ERR_FORMAT, "cut at %zu: %s", cut, mote_status_name(st));
        free(copy);
    }
    free(buf);
    mote_graph_free(src);
}
END_TEST

START_TEST(test_gguf_rejects_hostile_and_unsupported_files)
{
    mote_graph *src = stories_graph();
    if (!src) return;
    gw_options o = { .tokenizer = 1 };
    size_t len;
    uint8_t *buf = gguf_from_llama2c(src, &o, &len);
    uint8_t *b = malloc(len);
#define RESET() memcpy(b, buf, len)
    /* version 2 has the same layout: it imports */
    RESET(); b[4] = 2;
    mote_graph *g2;
    mote_gguf_info i2;
    ck_assert_mote_ok(mote_gguf_import_memory(b, len, "v2.gguf", &g2, &i2));
    ck_assert_int_eq(i2.version, 2);
    mote_graph_free(g2);
    RESET(); memcpy(b, "GGUG", 4);
    expect_error(b, len, MOTE_ERR_FORMAT, "not a GGUF file");
    RESET(); b[4] = 1;
    expect_error(b, len, MOTE_ERR_UNSUPPORTED, "version 1");
    RESET(); b[4] = 99;
    expect_error(b, len, MOTE_ERR_UNSUPPORTED, "version 99");
    RESET(); b[4] = 0; b[7] = 3;
    expect_error(b, len, MOTE_ERR_UNSUPPORTED, "big-endian");
    RESET(); memset(b + 8, 0xff, 8);            /* tensor count */
    expect_error(b, len, MOTE_ERR_FORMAT, "cannot fit");
    RESET(); memset(b + 16, 0x7f, 8);           /* key count */
    expect_error(b, len, MOTE_ERR_FORMAT, "cannot fit");
    RESET(); memset(b + 24, 0xff, 8);           /* the first key's length */
    expect_error(b, len, MOTE_ERR_FORMAT, "runs past the end");
    /* the first tensor info's offset field: find "token_embd.weight" */
    uint8_t *p = memmem(buf, len, "token_embd.weight", 17);
    ck_assert_ptr_nonnull(p);
    size_t at = (size_t)(p - buf) + 17;         /* n_dims, 2 dims, type, offset */
    RESET(); memset(b + at + 4 + 16 + 4, 0x7f, 8);
    expect_error(b, len, MOTE_ERR_FORMAT, "token_embd.weight");
    RESET(); b[at + 4 + 16 + 4] = 4;            /* not a multiple of the alignment */
    expect_error(b, len, MOTE_ERR_FORMAT, "alignment");
    RESET(); b[at] = 9;                         /* 9 dimensions */
    expect_error(b, len, MOTE_ERR_FORMAT, "dimensions");
    RESET(); memset(b + at + 4, 0, 8);          /* a zero dimension */
    expect_error(b, len, MOTE_ERR_FORMAT, "dimension 0");
    RESET(); b[at + 4] = 65;                    /* 65 columns: wrong shape */
    expect_error(b, len, MOTE_ERR_FORMAT, "token_embd.weight");
    RESET(); b[at + 4 + 16] = 30;               /* BF16 */
    expect_error(b, len, MOTE_ERR_UNSUPPORTED, "type BF16");
    RESET(); memcpy(p - buf + b, "token_embx", 10);
    expect_error(b, len, MOTE_ERR_UNSUPPORTED, "token_embx.weight");
    free(buf);

    o = (gw_options){ .tokenizer = 1, .q4k_tensor = 1 };
    buf = gguf_from_llama2c(src, &o, &len);
    expect_error(buf, len, MOTE_ERR_UNSUPPORTED, "blk.0.attn_k.weight' has type Q4_K");
    free(buf);
    o = (gw_options){ .tokenizer = 1, .arch = "gpt2" };
    buf = gguf_from_llama2c(src, &o, &len);
    expect_error(buf, len, MOTE_ERR_UNSUPPORTED, "architecture 'gpt2'");
    free(buf);
    o = (gw_options){ .tokenizer = 1, .tokenizer_model = "t5" };
    buf = gguf_from_llama2c(src, &o, &len);
    expect_error(buf, len, MOTE_ERR_UNSUPPORTED, "tokenizer.ggml.model 't5'");
    free(buf);
    o = (gw_options){ .bpe = 1, .bpe_no_merges = 1 };
    buf = gguf_from_llama2c(src, &o, &len);
    expect_error(buf, len, MOTE_ERR_FORMAT, "tokenizer.ggml.merges is missing");
    free(buf);
    o = (gw_options){ .tokenizer = 1, .bos = 7 };
    buf = gguf_from_llama2c(src, &o, &len);
    expect_error(buf, len, MOTE_ERR_UNSUPPORTED, "bos_token_id");
    free(buf);
    /* no tokenizer: imports, and says so */
    o = (gw_options){ .tokenizer = 0 };
    buf = gguf_from_llama2c(src, &o, &len);
    mote_graph *g;
    mote_gguf_info info;
    ck_assert_mote_ok(mote_gguf_import_memory(buf, len, "t.gguf", &g, &info));
    ck_assert_int_eq(info.has_tokenizer, 0);
    mote_graph_free(g);
    free(buf);
    free(b);
    mote_graph_free(src);
}
END_TEST

/* ids of a text, BOS first */
static int encode_ids(const mote_tokenizer *t, const char *text, int *ids, int cap)
{
    int n;
    ck_assert_mote_ok(mote_tokenizer_encode(t, text, 1, 0, ids, cap, &n));
    return n;
}

static int piece(const mote_tokenizer *t, const char *mapped)
{
    int id = mote_tokenizer_lookup(t, mapped);
    ck_assert_msg(id >= 0, "no piece \"%s\"", mapped);
    return id;
}

/* A byte-level BPE ("gpt2") tokenizer in a GGUF: merges by rank within
 * llama 3's pre-tokenizer chunks, every text round-trips through decode,
 * control tokens decode to nothing, and it survives a save and reload. */
START_TEST(test_gguf_byte_bpe_tokenizer_encodes_by_merge_rank_and_round_trips)
{
    mote_graph *src = stories_graph();
    if (!src) return;
    gw_options o = { .bpe = 1 };
    size_t len;
    uint8_t *buf = gguf_from_llama2c(src, &o, &len);
    mote_gguf_info info;
    mote_graph *g;
    ck_assert_mote_ok(mote_gguf_import_memory(buf, len, "bpe.gguf", &g, &info));
    ck_assert_int_eq(info.has_tokenizer, 1);
    ck_assert_mote_ok(mote_llama_build_graph(g, &info.hp));
    char path[1024];
    snprintf(path, sizeof path, "%s/bpe.mote", mote_test_tmpdir());
    ck_assert_mote_ok(mote_graph_save(g, path));
    mote_model *m;
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    mote_tokenizer *t;
    ck_assert_mote_ok(mote_tokenizer_from_model(m, &t));
    ck_assert_int_eq(t->kind, MOTE_TOK_BYTE_BPE);
    ck_assert_int_eq(t->bos_id, 510);
    ck_assert_int_eq(t->eos_id, 511);
    int ids[256], n;
    /* " the girl": the space joins the word (U+0120 stands for it) */
    n = encode_ids(t, " the girl", ids, 256);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(ids[0], 510);
    ck_assert_int_eq(ids[1], piece(t, "\xc4\xa0the"));
    ck_assert_int_eq(ids[2], piece(t, "\xc4\xa0girl"));
    /* digits go in groups of three: "1234" is "123" + "4", although the
     * vocabulary has "34"; "34" alone is one piece */
    n = encode_ids(t, "1234", ids, 256);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(ids[1], piece(t, "123"));
    ck_assert_int_eq(ids[2], piece(t, "4"));
    n = encode_ids(t, "34", ids, 256);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(ids[1], piece(t, "34"));
    /* contractions split off: " Lily's" is " Lily" + "'s" */
    n = encode_ids(t, " Lily's", ids, 256);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(ids[1], piece(t, "\xc4\xa0Lily"));
    ck_assert_int_eq(ids[2], piece(t, "'s"));
    /* anything round-trips, UTF-8 and odd whitespace included */
    const char *texts[] = { "Once upon a time, Lily's 12345 dogs\n\n  ran!? \xc3\xa9\xc3\x9f",
                            "  leading and trailing  ", "\t\r\nx", "", "a", "''''s 's" };
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        n = encode_ids(t, texts[k], ids, 256);
        char out[512];
        size_t o2 = 0;
        for (int i = 1; i < n; i++) {
            size_t l;
            const char *p = mote_tokenizer_decode(t, ids[i - 1], ids[i], &l);
            ck_assert_ptr_nonnull(p);
            memcpy(out + o2, p, l);
            o2 += l;
        }
        out[o2] = '\0';
        ck_assert_msg(!strcmp(out, texts[k]), "\"%s\" came back as \"%s\"", texts[k], out);
    }
    size_t l;
    mote_tokenizer_decode(t, -1, 511, &l);
    ck_assert_uint_eq(l, 0);   /* control */
    /* the saved file gives the same tokenizer */
    mote_model *m2;
    ck_assert_mote_ok(mote_model_open(path, &m2));
    mote_tokenizer *t2;
    ck_assert_mote_ok(mote_tokenizer_from_model(m2, &t2));
    int ids2[256], n2 = encode_ids(t2, texts[0], ids2, 256);
    n = encode_ids(t, texts[0], ids, 256);
    ck_assert_int_eq(n, n2);
    ck_assert(!memcmp(ids, ids2, sizeof *ids * (size_t)n));
    /* and the decoder runs on what it encodes */
    mote_llama *L;
    ck_assert_mote_ok(mote_llama_new(m2, NULL, &L));
    const float *logits;
    ck_assert_mote_ok(mote_llama_forward(L, ids2, n2, &logits));
    mote_llama_free(L);
    mote_tokenizer_free(t2);
    mote_tokenizer_free(t);
    mote_model_close(m2);
    mote_model_close(m);
    free(buf);
    mote_graph_free(src);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gguf");
    TCase *tc = tcase_create("gguf");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_gguf_f32_generates_the_known_text_through_a_saved_file);
    tcase_add_test(tc, test_gguf_q8_0_generates_what_motes_own_q8_0_does);
    tcase_add_test(tc, test_gguf_mixed_f16_and_q4_0_files_load_and_run);
    tcase_add_test(tc, test_gguf_byte_bpe_tokenizer_encodes_by_merge_rank_and_round_trips);
    tcase_add_test(tc, test_gguf_rejects_every_truncation);
    tcase_add_test(tc, test_gguf_rejects_hostile_and_unsupported_files);
    suite_add_tcase(s, tc);
    return mote_test_run(s);
}
