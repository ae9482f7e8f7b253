/*
 * cmd_llama.c — `mote convert CKPT.bin [--tokenizer TOK.bin] OUT.mote`
 * for llama2.c checkpoints (reached from cmd_convert.c when the input is
 * one): imports the weights and the tokenizer (src/llm/llama2c.c), adds
 * the decoder's graph (src/llm/llama_graph.c) and writes the .mote file.
 * `mote generate` is cmd_generate.c, `mote quantize` cmd_quantize.c.
 */
#include <stdio.h>
#include <unistd.h>
#include "cli.h"
#include "progress.h"
#include "graph/graph.h"
#include "llm/llama2c.h"
#include "llm/llama.h"

static const char convert_usage[] =
    "Usage: mote convert CKPT.bin --tokenizer TOK.bin OUT.mote\n"
    "\n"
    "Converts a llama2.c checkpoint (legacy v0, v1 with the \"ak42\" magic, or\n"
    "the int8 v2, whose matrices stay q8_0) and its tokenizer to a .mote file\n"
    "holding the weights, the tokenizer, the hyperparameters as metadata and\n"
    "the decoder graph. GGUF files convert with `mote convert MODEL.gguf OUT.mote`\n"
    "(and ONNX models, when mote was built with the ONNX importer).\n"
    "\n"
    "Options:\n"
    "  --tokenizer TOK.bin   llama2.c's tokenizer.bin for the checkpoint; without\n"
    "                        it `mote generate` cannot encode a prompt\n"
    "  -h, --help            show this help\n";

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
    mote_graph *g;
    mote_llama2c_info h;
    cli_progress pr;
    cli_progress_init(&pr, "convert");
    mote_status st = mote_llama2c_import_progress(argv[optind], tok, cli_progress_of(&pr), &g, &h);
    if (st) return cli_fail_status(argv[optind], st);
    mote_llama_hparams hp = { h.dim, h.hidden_dim, h.n_layers, h.n_heads, h.n_kv_heads,
                              h.vocab_size, h.max_seq, h.shared_classifier, h.rope_theta,
                              h.norm_eps, "" };
    snprintf(hp.weight_type, sizeof hp.weight_type, "%s", h.weight_type);
    st = mote_llama_build_graph(g, &hp);
    if (!st) st = mote_graph_save(g, argv[optind + 1]);
    mote_graph_free(g);
    if (st) return cli_fail_status(argv[optind + 1], st);
    printf("%s: llama2.c v%d, dim %d, %d layers, %d heads (%d kv), vocab %d, seq %d, "
           "weights %s%s\n", argv[optind + 1], h.version, h.dim, h.n_layers, h.n_heads,
           h.n_kv_heads, h.vocab_size, h.max_seq, h.weight_type, tok ? ", with tokenizer" : "");
    if (!tok)
        fprintf(stderr, "mote convert: warning: no --tokenizer given; `mote generate` needs "
                "one (convert again with --tokenizer TOK.bin)\n");
    return CLI_OK;
}
