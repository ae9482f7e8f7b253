/*
 * cmd_convert_gguf.c — `mote convert MODEL.gguf OUT.mote`: reached from
 * cmd_convert.c when the input starts with the GGUF magic. Imports the
 * llama GGUF (src/llm/gguf.c: weights, hyperparameters, tokenizer), adds
 * the decoder's graph (src/llm/llama_graph.c) and writes the .mote file
 * atomically. The import lives in the library; this file drives it.
 */
#include "cli.h"
#include "progress.h"
#include "graph/graph.h"
#include "llm/gguf.h"
#include "llm/llama.h"

static const char usage[] =
    "Usage: mote convert [options] MODEL.gguf OUT.mote\n"
    "\n"
    "Converts a llama-architecture GGUF file (versions 2 and 3) to a .mote file:\n"
    "F32 and F16 tensors are kept, Q8_0 and Q4_0 blocks are copied as mote's\n"
    "q8_0 / q4_0 (a matrix of the less common of the two is widened to f32);\n"
    "other tensor types are refused by name. The hyperparameters come from the\n"
    "llama.* metadata and the tokenizer from tokenizer.ggml.* (SentencePiece or\n"
    "byte-level BPE). The output is written under a temporary name and renamed only on\n"
    "success.\n"
    "\n"
    "Options:\n"
    "  -h, --help   show this help\n";

int cli_convert_gguf(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, rc = CLI_OK;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", longopts, usage, &rc)) != -1)
        if (c == '?')
            return rc;
    if (argc - optind != 2)
        return cli_usage_error(argv[0], "expected MODEL.gguf and OUT.mote");
    const char *in = argv[optind], *out = argv[optind + 1];
    cli_progress pr;
    cli_progress_init(&pr, "convert");
    mote_graph *g;
    mote_gguf_info info;
    mote_status st = mote_gguf_import(in, cli_progress_of(&pr), &g, &info);
    if (st)
        return cli_fail_status(in, st);
    st = mote_llama_build_graph(g, &info.hp);
    if (!st)
        st = mote_graph_save(g, out);
    mote_graph_free(g);
    if (st)
        return cli_fail_status(out, st);
    const mote_llama_hparams *h = &info.hp;
    printf("%s -> %s: GGUF v%d llama, dim %d, %d layers, %d heads (%d kv), vocab %d, "
           "context %d, weights %s%s\n", in, out, info.version, h->dim, h->n_layers,
           h->n_heads, h->n_kv_heads, h->vocab_size, h->max_seq, h->weight_type,
           info.has_tokenizer ? ", with tokenizer" : "");
    if (info.n_dequantized)
        printf("  %d matrices of the other block type widened to f32\n", info.n_dequantized);
    if (!info.has_tokenizer)
        fprintf(stderr, "mote convert: warning: %s has no tokenizer metadata; "
                "`mote generate` will not be able to encode a prompt\n", in);
    return CLI_OK;
}
