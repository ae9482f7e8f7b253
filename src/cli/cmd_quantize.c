/*
 * cmd_quantize.c — `mote quantize IN.mote OUT.mote --type q8_0|q4_0
 * [--report]`: a llama-family model with its matrices in q8_0 or q4_0
 * blocks (src/llm/quantize.c), the decoder graph rebuilt for them. --report runs
 * both models over the same text (the f32 model's greedy continuation of
 * "Once upon a time", 64 positions) and prints the top-1 agreement and the
 * mean KL divergence KL(p_f32 || p_quant) of the next-token distributions.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "progress.h"
#include "graph/graph.h"
#include "llm/quantize.h"
#include "llm/sample.h"
#include "llm/tokenizer.h"
#include "llm/llama.h"

static const char usage[] =
    "Usage: mote quantize IN.mote OUT.mote --type q8_0|q4_0 [--report]\n"
    "       mote quantize --int8 IN.mote OUT.mote --calibrate DIR [--count N]\n"
    "\n"
    "Writes a llama-family model (converted from llama2.c or GGUF) with its weight\n"
    "matrices in 32-value blocks, the decoder graph rebuilt for them. Matrices\n"
    "whose rows are not whole blocks stay f32, as do the norms and the tokenizer.\n"
    "\n"
    "Options:\n"
    "  --type q8_0   int8 values and a half scale per block (34 bytes per 32\n"
    "                weights); the token embedding and the classifier go to f16.\n"
    "                Close to f32 (the fidelity format)\n"
    "  --type q4_0   4-bit values and a half scale per block (18 bytes per 32\n"
    "                weights), every matrix; smaller and faster, less exact\n"
    "  --report      afterwards run both models over the same text (the f32\n"
    "                model's greedy continuation of \"Once upon a time\", 64\n"
    "                positions) and print the top-1 agreement and the mean KL\n"
    "                divergence of the next-token distributions\n"
    "  -h, --help    show this help\n"
    "\n"
    "The input must hold f32 matrices (quantizing a quantized model again is\n"
    "refused).\n"
    "\n"
    "--int8: post-training static quantization of a float CNN: per-channel int8\n"
    "weights, activation ranges from the .npy or .pgm inputs in DIR (at most N\n"
    "of them), and a report of the accuracy before and after.\n";

/* KL(p || q) of softmax(a), softmax(b) */
static double kl_logits(int n, const float *a, const float *b)
{
    double ma = a[mote_argmax(n, a)], mb = b[mote_argmax(n, b)], sa = 0, sb = 0, kl = 0;
    for (int i = 0; i < n; i++) { sa += exp(a[i] - ma); sb += exp(b[i] - mb); }
    for (int i = 0; i < n; i++) {
        double pa = exp(a[i] - ma) / sa, la = a[i] - ma - log(sa), lb = b[i] - mb - log(sb);
        kl += pa * (la - lb);
    }
    return kl;
}

static int report(const char *fin, const char *fout)
{
    mote_model *mf, *mq;
    mote_status st = mote_model_open(fin, &mf);
    if (st) return cli_fail_status(fin, st);
    if ((st = mote_model_open(fout, &mq))) { mote_model_close(mf); return cli_fail_status(fout, st); }
    mote_tokenizer *tok = NULL;
    mote_llama *lf = NULL, *lq = NULL;
    int ids[64], n, agree = 0, count = 0;
    double kl = 0;
    float *keep = NULL;
    if (!(st = mote_tokenizer_from_model(mf, &tok)) && !(st = mote_llama_new(mf, NULL, &lf)) &&
        !(st = mote_llama_new(mq, NULL, &lq)) &&
        !(st = mote_tokenizer_encode(tok, "Once upon a time", 1, 0, ids, 64, &n))) {
        int V = mote_llama_hparams_of(lf)->vocab_size, steps = 64;
        if (steps > mote_llama_hparams_of(lf)->max_seq) steps = mote_llama_hparams_of(lf)->max_seq;
        keep = malloc(sizeof(float) * (size_t)V);
        const float *a, *b;
        for (int pos = 0; pos < steps && !st; pos++) {
            int t = pos < n ? ids[pos] : ids[63];
            if ((st = mote_llama_forward(lf, &t, 1, &a))) break;
            memcpy(keep, a, sizeof(float) * (size_t)V);
            if ((st = mote_llama_forward(lq, &t, 1, &b))) break;
            int ta = mote_argmax(V, keep);
            agree += ta == mote_argmax(V, b);
            kl += kl_logits(V, keep, b);
            count++;
            if (pos + 1 >= n) ids[63] = ta;   /* continue with the f32 greedy text */
        }
    }
    int rc = CLI_OK;
    if (st) rc = cli_fail_status(fin, st);
    else printf("report over %d positions: top-1 agreement %.1f%% (%d/%d), mean KL %.6f nats\n",
                count, 100.0 * agree / count, agree, count, kl / count);
    free(keep);
    mote_llama_free(lf);
    mote_llama_free(lq);
    mote_tokenizer_free(tok);
    mote_model_close(mf);
    mote_model_close(mq);
    return rc;
}

int cli_quantize_int8(int argc, char **argv);   /* cmd_quantize_int8.c */

int cli_cmd_quantize(int argc, char **argv)
{
    /* --int8: post-training quantization of a float CNN, cmd_quantize_int8.c */
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--int8"))
            return cli_quantize_int8(argc, argv);
    static const struct option longopts[] = {
        { "type", required_argument, NULL, 'T' }, { "report", no_argument, NULL, 'r' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    int c, rc = CLI_OK, want_report = 0, t = -1;
    while ((c = cli_getopt(argc, argv, "h", longopts, usage, &rc)) != -1) {
        if (c == '?') return rc;
        if (c == 'T' && (t = mote_wtype_from_name(optarg)) <= 0)
            return cli_usage_error(argv[0], "--type must be q8_0 or q4_0");
        if (c == 'r') want_report = 1;
    }
    if (argc - optind != 2 || t <= 0) return cli_usage_error(argv[0], "expected IN.mote OUT.mote --type TYPE");
    const char *fin = argv[optind], *fout = argv[optind + 1];
    mote_model *m;
    mote_status st = mote_model_open(fin, &m);
    if (st) return cli_fail_status(fin, st);
    mote_llama_hparams hp;
    mote_graph *q = NULL;
    if ((st = mote_llama_hparams_from_model(m, &hp))) {
        mote_model_close(m);
        return cli_fail(fin, "not a llama-family model (no llama.* metadata)");
    }
    if (strcmp(hp.weight_type, "f32")) {
        mote_model_close(m);
        return cli_fail(fin, "already quantized (%s)", hp.weight_type);
    }
    snprintf(hp.weight_type, sizeof hp.weight_type, "%s", mote_wtype_name((mote_wtype)t));
    cli_progress pr;
    cli_progress_init(&pr, "quantize");
    st = mote_quantize_weights_progress(mote_model_graph(m), (mote_wtype)t, NULL,
                                        cli_progress_of(&pr), &q);
    if (!st) st = mote_llama_build_graph(q, &hp);
    if (!st) st = mote_graph_save(q, fout);
    mote_graph_free(q);
    mote_model_close(m);
    if (st) return cli_fail_status(fout, st);
    printf("%s: weights in %s\n", fout, hp.weight_type);
    return want_report ? report(fin, fout) : CLI_OK;
}
