/*
 * cmd_llama.c — the language-model commands:
 *   mote convert CKPT.bin --tokenizer TOK.bin OUT.mote   (llama2.c input;
 *       reached from cmd_convert.c when the input is a llama2.c checkpoint)
 *   mote generate MODEL -p PROMPT -n N [-t TEMP] [--top-k K] [--top-p P]
 *       [--seed S] [--threads N]
 *   mote quantize IN.mote OUT.mote --type q8_0|q4_0 [--report]
 * The decoder itself is models/llama/; this file parses options and prints.
 */
#include <stdlib.h>
#include <sys/resource.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "cli_convert.h"
#include "graph/graph.h"
#include "llm/llama2c.h"
#include "llm/quantize.h"
#include "llm/sample.h"
#include "llm/tokenizer.h"
#include "llm/llama.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const char convert_usage[] =
    "Usage: mote convert CKPT.bin --tokenizer TOK.bin OUT.mote\n"
    "\n"
    "Converts a llama2.c checkpoint (legacy v0, or v1/v2 with the \"ak42\" magic)\n"
    "and its tokenizer to a .mote file holding the weights, the tokenizer, the\n"
    "hyperparameters as metadata and the decoder graph.\n";

int cli_convert_llama2c(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "tokenizer", required_argument, NULL, 'k' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, rc = CLI_OK;
    const char *tok = NULL;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", longopts, convert_usage, &rc)) != -1) {
        if (c == '?') return rc;
        if (c == 'k') tok = optarg;
    }
    if (argc - optind != 2) return cli_usage_error(argv[0], "expected CKPT.bin and OUT.mote");
    /* neither the checkpoint nor the tokenizer may be overwritten */
    if ((rc = cli_convert_refuse_same(argv[optind], argv[optind + 1])) != CLI_OK) return rc;
    if (tok && (rc = cli_convert_refuse_same(tok, argv[optind + 1])) != CLI_OK) return rc;
    mote_graph *g;
    mote_llama2c_info h;
    mote_status st = mote_llama2c_import(argv[optind], tok, &g, &h);
    if (st) return cli_fail_status(argv[optind], st);
    mote_llama_hparams hp = { h.dim, h.hidden_dim, h.n_layers, h.n_heads, h.n_kv_heads,
                              h.vocab_size, h.max_seq, h.shared_classifier, h.rope_theta,
                              h.norm_eps, "f32" };
    st = mote_llama_build_graph(g, &hp);
    if (!st) st = mote_graph_save(g, argv[optind + 1]);
    mote_graph_free(g);
    if (st) return cli_fail_status(argv[optind + 1], st);
    printf("%s: llama2.c v%d, dim %d, %d layers, %d heads (%d kv), vocab %d, seq %d%s\n",
           argv[optind + 1], h.version, h.dim, h.n_layers, h.n_heads, h.n_kv_heads,
           h.vocab_size, h.max_seq, tok ? ", with tokenizer" : "");
    return CLI_OK;
}

static const char generate_usage[] =
    "Usage: mote generate MODEL.mote -p PROMPT [-n N] [options]\n"
    "\n"
    "Generates text with a llama-family model, streaming it as it is produced,\n"
    "then prints prompt and generation tokens/s and the memory used.\n"
    "N counts positions as llama2.c does: the prompt's tokens included.\n"
    "\n"
    "Options:\n"
    "  -p, --prompt TEXT   the prompt (default: empty)\n"
    "  -n, --steps N       positions to run (default 256, at most max_seq)\n"
    "  -t, --temp T        temperature, 0 = greedy (default 1.0)\n"
    "      --top-k K       keep the K most likely tokens (default 0: off)\n"
    "      --top-p P       nucleus sampling mass (default 0.9; 0 or 1: off)\n"
    "      --seed S        PRNG seed (default: time)\n"
    "  -j, --threads N     threads (default: one per physical core)\n"
    "  -h, --help          show this help\n";

int cli_cmd_generate(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "prompt", required_argument, NULL, 'p' }, { "steps", required_argument, NULL, 'n' },
        { "temp", required_argument, NULL, 't' }, { "top-k", required_argument, NULL, 'K' },
        { "top-p", required_argument, NULL, 'P' }, { "seed", required_argument, NULL, 'S' },
        { "threads", required_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, rc = CLI_OK;
    const char *prompt = "";
    long steps = 256, topk = 0, threads = 0;
    float temp = 1.0f, topp = 0.9f;
    unsigned long long seed = (unsigned long long)time(NULL);
    while ((c = cli_getopt(argc, argv, "p:n:t:j:h", longopts, generate_usage, &rc)) != -1) {
        switch (c) {
        case '?': return rc;
        case 'p': prompt = optarg; break;
        case 'n': if (!cli_parse_int(optarg, 1, 1 << 24, &steps)) return cli_usage_error(argv[0], "bad -n"); break;
        case 't': temp = strtof(optarg, NULL); break;
        case 'K': if (!cli_parse_int(optarg, 0, 1 << 30, &topk)) return cli_usage_error(argv[0], "bad --top-k"); break;
        case 'P': topp = strtof(optarg, NULL); break;
        case 'S': seed = strtoull(optarg, NULL, 10); break;
        case 'j': if (!cli_parse_int(optarg, 1, 1024, &threads)) return cli_usage_error(argv[0], "bad --threads"); break;
        }
    }
    if (argc - optind != 1) return cli_usage_error(argv[0], "expected one MODEL.mote");
    const char *path = argv[optind];
    mote_model *m;
    mote_status st = mote_model_open(path, &m);
    if (st) return cli_fail_status(path, st);
    mote_tokenizer *tok = NULL;
    mote_sampler *smp = NULL;
    mote_llama *L = NULL;
    int *ids = NULL;
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = (int)threads;
    if ((st = mote_tokenizer_from_model(m, &tok)) || (st = mote_llama_new(m, &o, &L))) goto fail;
    const mote_llama_hparams *hp = mote_llama_hparams_of(L);
    if ((st = mote_sampler_new(hp->vocab_size, temp, (int)topk, topp, seed, &smp))) goto fail;
    if (steps > hp->max_seq) steps = hp->max_seq;
    int cap = (int)strlen(prompt) + 3, n;
    ids = malloc(sizeof *ids * (size_t)cap);
    if (!ids) { st = MOTE_ERR_NOMEM; goto fail; }
    if ((st = mote_tokenizer_encode(tok, prompt, 1, 0, ids, cap, &n))) goto fail;
    if (n > steps) n = (int)steps;
    const float *logits;
    /* the batched session (kernels, memory plan, packed weights) is set up
     * before the clock starts, so the prompt rate is the pass alone */
    double ts = now_s();
    if ((st = mote_llama_prepare(L, n))) goto fail;
    double t0 = now_s();
    if ((st = mote_llama_forward(L, ids, n, &logits))) goto fail;
    double t1 = now_s();
    fputs(prompt, stdout);
    fflush(stdout);
    int prev = ids[n - 1], gen = 0;
    /* llama2.c counts positions: the token sampled at the last one is printed too */
    for (int pos = n - 1; pos < steps; pos++) {
        int next = mote_sample(smp, logits);
        if (next == MOTE_TOKEN_BOS || next == MOTE_TOKEN_EOS) break;
        size_t len;
        const char *piece = mote_tokenizer_decode(tok, prev, next, &len);
        /* skip raw control bytes other than whitespace, as llama2.c does */
        if (piece && !(len == 1 && (unsigned char)piece[0] < 32 && !strchr("\t\n\r ", piece[0])))
            fwrite(piece, 1, len, stdout);
        fflush(stdout);
        gen++;
        prev = next;
        if (pos + 1 < steps && (st = mote_llama_forward(L, &next, 1, &logits))) goto fail;
    }
    double t2 = now_s();
    printf("\n");
    char b1[32], b2[32];
    struct rusage ru;
    double peak = getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_maxrss * 1024.0 : 0.0;
    fprintf(stderr, "prompt: %d tokens, %.1f tokens/s (after %.0f ms of setup); generation: %d tokens, "
            "%.1f tokens/s; memory: peak RSS %s (session arenas %s; the rest: mapped weights, "
            "packed weight copies, KV caches)\n",
            n, n / (t1 - t0), 1e3 * (t0 - ts), gen, gen > 1 ? (gen - 1) / (t2 - t1) : 0.0,
            cli_bytes(peak, b1), cli_bytes((double)mote_llama_memory_bytes(L), b2));
    free(ids);
    mote_sampler_free(smp);
    mote_llama_free(L);
    mote_tokenizer_free(tok);
    mote_model_close(m);
    return CLI_OK;
fail:
    rc = cli_fail_status(path, st);
    free(ids);
    mote_sampler_free(smp);
    mote_llama_free(L);
    mote_tokenizer_free(tok);
    mote_model_close(m);
    return rc;
}
