/*
 * cmd_convert.c — `mote convert IN.onnx OUT.mote [--no-optimize]`: imports
 * an ONNX model (src/onnx/), runs the convert-time passes unless told not
 * to, checks that a session builds (convert_check.c), and only then writes
 * the .mote file atomically. Prints a progress line on
 * stderr for large models and, at the end, what the passes changed.
 * The import itself lives in the library; this file only drives it.
 */
#include "config.h"

#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "cli_convert.h"
#include "graph/graph.h"
#include "llm/gguf.h"
#include "llm/llama2c.h"
#include "tflite/tflite.h"
/* [llama] --disable-onnx keeps this command for llama2.c checkpoints: the
 * ONNX path is compiled only with the importer (MOTE_HAVE_ONNX). */
#ifdef MOTE_HAVE_ONNX
#include "onnx/onnx.h"
#endif

#ifdef MOTE_HAVE_ONNX
static const char usage[] =
    "Usage: mote convert [options] IN.onnx OUT.mote\n"
    "       mote convert MODEL.gguf OUT.mote\n"
    "       mote convert CKPT.bin --tokenizer TOK.bin OUT.mote\n"
    "\n"
    "Input formats, recognized by their first bytes:\n"
    "  ONNX (.onnx)                 any model whose ops mote has\n"
    "  GGUF v2/v3 (.gguf)           llama-architecture models with F32, F16, Q8_0\n"
    "                               or Q4_0 tensors and their tokenizer\n"
    "  llama2.c checkpoints (.bin)  v0, v1 and the int8 v2; --tokenizer TOK.bin\n"
    "                               adds llama2.c's tokenizer, which `mote\n"
    "                               generate` needs\n"
    "\n"
    "Converts an ONNX model to a .mote file: initializers and Constant nodes\n"
    "become weights, and the graph is optimized (constant folding, dead-node\n"
    "and Identity/Dropout removal, Conv+BatchNormalization folding, Pad and\n"
    "residual Add fused into Conv, activation fusion). Every op, element type or subgraph mote lacks is reported at\n"
    "once, with its node and opset, and no file is written. A session is then\n"
    "built at the model's input shapes (open dimensions from --shape, else 1):\n"
    "a model that would not run is refused. TFLite, GGUF, PyTorch, .npy and\n"
    ".mote files are named as such. The output may not be the input; it is\n"
    "written under a temporary name and renamed only on success.\n"
    "\n"
    "Options:\n"
    "  --shape NAME=D0xD1... ONNX: check the session with these input dimensions\n"
    "  --no-optimize         ONNX: write the graph as imported, without the passes\n"
    "  --tokenizer TOK.bin   llama2.c: the tokenizer to store with the model\n"
    "  -q, --quiet           no progress line (there is none when stderr is not\n"
    "                        a terminal)\n"
    "  -h, --help            show this help\n";

typedef struct progress_state {
    bool quiet;
    time_t start;        /* when the conversion began              */
    time_t last;         /* last time a line was printed           */
    bool printed;        /* a progress line is on the terminal     */
} progress_state;

/* Prints at most once a second, and only once the work has taken more
 * than a second (large models); the last count of a stage ends the line. */
static void on_progress(void *user, const char *stage, size_t done, size_t total)
{
    progress_state *p = user;
    time_t now = time(NULL);
    if (p->quiet || now - p->start < 1 || (now == p->last && (done != total || !p->printed)))
        return;
    p->last = now;
    p->printed = true;
    fprintf(stderr, "\rconvert: %-8s %zu/%zu", stage, done, total);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

#endif /* MOTE_HAVE_ONNX */

int cli_convert_llama2c(int argc, char **argv);   /* cmd_llama.c */
int cli_convert_tflite(int argc, char **argv);    /* cmd_convert_tflite.c */
int cli_convert_gguf(int argc, char **argv);      /* cmd_convert_gguf.c */

/* The first argument that is not an option: the input file. */
static const char *first_operand(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (argv[i][0] != '-')
            return argv[i];
    return NULL;
}

int cli_cmd_convert(int argc, char **argv)
{
    /* [gguf] GGUF files (detected by their magic) go to cmd_convert_gguf.c */
    const char *input = first_operand(argc, argv);
    if (input && mote_gguf_probe(input))
        return cli_convert_gguf(argc, argv);

    /* llama2.c checkpoints (detected by their header) go to cmd_llama.c */
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--tokenizer") || (argv[i][0] != '-' && mote_llama2c_probe(argv[i])))
            return cli_convert_llama2c(argc, argv);
    /* TFLite flatbuffers (the "TFL3" identifier) go to cmd_convert_tflite.c */
    for (int i = 1; i < argc; i++)
        if (argv[i][0] != '-' && mote_tflite_probe(argv[i]))
            return cli_convert_tflite(argc, argv);
#ifndef MOTE_HAVE_ONNX
    /* [llama] without the ONNX importer only llama2.c checkpoints convert */
    return cli_convert_llama2c(argc, argv);
#else
    static const struct option longopts[] = {
        { "no-optimize", no_argument, NULL, 'n' },
        { "shape", required_argument, NULL, 's' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, rc = CLI_OK;
    mote_onnx_options opt;
    progress_state ps = {0};
    cli_shapes shapes = {0};
    mote_file_format fmt;
    mote_onnx_options_init(&opt);
    ps.start = ps.last = time(NULL);
    ps.quiet = !isatty(STDERR_FILENO);   /* progress is for a person watching */
    while ((c = cli_getopt(argc, argv, "qh", longopts, usage, &rc)) != -1) {
        if (c == '?')
            return rc;
        if (c == 'n')
            opt.optimize = 0;
        else if (c == 'q')
            ps.quiet = true;
        else if (c == 's' && (rc = cli_shapes_add(&shapes, optarg, argv[0])) != CLI_OK)
            return rc;
    }
    if (argc - optind != 2)
        return cli_usage_error(argv[0], "expected IN.onnx and OUT.mote");
    const char *in = argv[optind], *out = argv[optind + 1];
    if ((rc = cli_convert_preflight(in, out, &fmt)) != CLI_OK)
        return rc;
    opt.progress = on_progress;
    opt.progress_user = &ps;
    mote_graph *g;
    mote_status st = mote_onnx_import(in, &opt, &g);
    if (st)
        return cli_fail_status(in, st);
    if ((rc = cli_convert_check_session(g, &shapes, in, ps.quiet)) != CLI_OK) {
        mote_graph_free(g);
        return rc;
    }
    st = mote_graph_save(g, out);
    if (st) {
        mote_graph_free(g);
        return cli_fail_status(out, st);
    }
    int values = g->n_values, weights = 0;
    for (int i = 0; i < g->n_values; i++)
        weights += g->values[i].kind == MOTE_VAL_WEIGHT;
    printf("%s -> %s: %d nodes, %d weights, %d values\n", in, out, g->n_nodes, weights, values);
    for (int i = 0; i < g->n_meta; i++)
        if (!strncmp(g->meta[i].key, "pass.", 5) || !strcmp(g->meta[i].key, "optimize.nodes"))
            printf("  %-20s %s\n", g->meta[i].key, g->meta[i].s ? g->meta[i].s : "");
    mote_graph_free(g);
    return CLI_OK;
#endif /* MOTE_HAVE_ONNX */
}
