/*
 * cmd_convert_tflite.c — `mote convert MODEL.tflite OUT.mote [--labels FILE]
 * [--mean a,b,c] [--std a,b,c] [--no-optimize]`: imports a TFLite model
 * (src/tflite/) and writes it as .mote, with the preprocessing metadata
 * `mote classify` reads (labels, mean and std of the input's channels on
 * pixels scaled to [0, 1]). cmd_convert.c sends .tflite files here.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "graph/graph.h"
#include "passes/passes.h"
#include "tflite/tflite.h"

static const char usage[] =
    "Usage: mote convert [options] IN.tflite OUT.mote\n"
    "\n"
    "Converts a TFLite model (schema v3, subgraph 0) to a .mote file. 8-bit\n"
    "quantized tensors stay quantized (integer convolution, fully connected,\n"
    "add and pooling with TFLite's fixed-point rounding). The model keeps\n"
    "TFLite's NHWC inputs and outputs; inside, weights are transposed once to\n"
    "NCHW. Unsupported operators are all named, and no file is written.\n"
    "\n"
    "Options:\n"
    "  --labels FILE   store class labels (one per line) for `mote classify`\n"
    "  --mean a,b,c    per-channel mean of the input, on pixels scaled to [0, 1]\n"
    "  --std a,b,c     per-channel standard deviation, likewise\n"
    "  --no-optimize   write the graph as imported, without the passes\n"
    "  -h, --help      show this help\n";

/* Reads a whole text file (at most 16 MiB) into a NUL-terminated string. */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    while (s) {
        if (n + 1 >= cap) {
            if (cap >= (16u << 20)) {
                free(s);
                s = NULL;
                break;
            }
            char *t = realloc(s, cap * 2);
            if (!t) {
                free(s);
                s = NULL;
                break;
            }
            s = t;
            cap *= 2;
        }
        size_t r = fread(s + n, 1, cap - 1 - n, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    if (s)
        s[n] = '\0';
    return s;
}

/* "a,b,c" of 1..4 finite numbers; std values must be positive. */
static bool valid_floats(const char *s, bool positive)
{
    int n = 0;
    const char *p = s;
    for (;;) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !(v == v) || (positive && !(v > 0)))
            return false;
        n++;
        if (*end == '\0')
            break;
        if (*end != ',')
            return false;
        p = end + 1;
    }
    return n >= 1 && n <= 4;
}

/* The --labels / --mean / --std metadata, shared by every converter. */
int cli_convert_store_preprocess(mote_graph *g, const char *labels, const char *mean,
                                 const char *std)
{
    if (mean && mote_graph_meta_string(g, "preprocess.mean", mean))
        return cli_fail_status("--mean", MOTE_ERR_NOMEM);
    if (std && mote_graph_meta_string(g, "preprocess.std", std))
        return cli_fail_status("--std", MOTE_ERR_NOMEM);
    if (labels) {
        char *text = read_text(labels);
        if (!text)
            return cli_fail(labels, "cannot read the labels file (or it is over 16 MiB)");
        mote_status st = mote_graph_meta_string(g, "labels", text);
        free(text);
        if (st)
            return cli_fail_status(labels, st);
    }
    return CLI_OK;
}

int cli_convert_tflite(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "labels", required_argument, NULL, 'l' },
        { "mean", required_argument, NULL, 'm' },
        { "std", required_argument, NULL, 's' },
        { "no-optimize", no_argument, NULL, 'n' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, rc = CLI_OK;
    const char *labels = NULL, *mean = NULL, *std = NULL;
    bool optimize = true;
    while ((c = cli_getopt(argc, argv, "qh", longopts, usage, &rc)) != -1) {
        if (c == '?')
            return rc;
        if (c == 'l')
            labels = optarg;
        else if (c == 'm')
            mean = optarg;
        else if (c == 's')
            std = optarg;
        else if (c == 'n')
            optimize = false;
    }
    if (argc - optind != 2)
        return cli_usage_error(argv[0], "expected IN.tflite and OUT.mote");
    if (mean && !valid_floats(mean, false))
        return cli_usage_error(argv[0], "--mean takes 1 to 4 numbers separated by commas");
    if (std && !valid_floats(std, true))
        return cli_usage_error(argv[0], "--std takes 1 to 4 positive numbers separated by commas");
    const char *in = argv[optind], *out = argv[optind + 1];
    mote_graph *g;
    mote_status st = mote_tflite_import(in, &g);
    if (st)
        return cli_fail_status(in, st);
    if (optimize && (st = mote_optimize(g))) {
        mote_graph_free(g);
        return cli_fail_status(in, st);
    }
    rc = cli_convert_store_preprocess(g, labels, mean, std);
    if (rc == CLI_OK && (st = mote_graph_save(g, out)))
        rc = cli_fail_status(out, st);
    if (rc == CLI_OK) {
        int weights = 0;
        for (int i = 0; i < g->n_values; i++)
            weights += g->values[i].kind == MOTE_VAL_WEIGHT;
        printf("%s -> %s: %d nodes, %d weights, %d values\n", in, out, g->n_nodes, weights,
               g->n_values);
    }
    mote_graph_free(g);
    return rc;
}
