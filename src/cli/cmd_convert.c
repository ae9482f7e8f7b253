/*
 * cmd_convert.c — `mote convert IN.onnx OUT.mote [--no-optimize]`: imports
 * an ONNX model (src/onnx/), runs the convert-time passes unless told not
 * to, and writes the .mote file atomically. Prints a progress line on
 * stderr for large models and, at the end, what the passes changed.
 * The import itself lives in the library; this file only drives it.
 */
#include "config.h"

#include <string.h>
#include <time.h>
#include "cli.h"
#include "graph/graph.h"
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
    "\n"
    "Converts an ONNX model to a .mote file: initializers and Constant nodes\n"
    "become weights, and the graph is optimized (constant folding, dead-node\n"
    "and Identity/Dropout removal, Conv+BatchNormalization folding, activation\n"
    "fusion). An op mote lacks is reported with its node and opset, and no\n"
    "file is written. The output is written under a temporary name and\n"
    "renamed only on success.\n"
    "\n"
    "Options:\n"
    "  --no-optimize   write the graph as imported, without the passes\n"
    "  -q, --quiet     no progress line\n"
    "  -h, --help      show this help\n";

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

int cli_cmd_convert(int argc, char **argv)
{
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
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, rc = CLI_OK;
    mote_onnx_options opt;
    progress_state ps = {0};
    mote_onnx_options_init(&opt);
    ps.start = ps.last = time(NULL);
    while ((c = cli_getopt(argc, argv, "qh", longopts, usage, &rc)) != -1) {
        if (c == '?')
            return rc;
        if (c == 'n')
            opt.optimize = 0;
        else if (c == 'q')
            ps.quiet = true;
    }
    if (argc - optind != 2)
        return cli_usage_error(argv[0], "expected IN.onnx and OUT.mote");
    const char *in = argv[optind], *out = argv[optind + 1];
    opt.progress = on_progress;
    opt.progress_user = &ps;
    mote_graph *g;
    mote_status st = mote_onnx_import(in, &opt, &g);
    if (st)
        return cli_fail_status(in, st);
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
