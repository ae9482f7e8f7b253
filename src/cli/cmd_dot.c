/*
 * cmd_dot.c — `mote dot MODEL > graph.dot`: the model as a Graphviz graph.
 * One box per node (name, op, fused activation, output shape), inputs and
 * outputs as ovals, weights as small grey notes with their shapes, edges
 * labelled with the shape of the tensor they carry. Render with
 * `dot -Tsvg graph.dot > graph.svg`.
 *
 * Shapes come from a one-thread session (dimensions the model leaves open
 * taken as 1), or from the file alone if no session can be made. It does
 * not lay anything out itself.
 */
#include "instr.h"

#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: mote dot [options] MODEL.mote > graph.dot\n"
    "\n"
    "Writes the model's graph in Graphviz's dot language on stdout: nodes with\n"
    "their op, fused activation (+Relu, ...) and output shape, weights as small\n"
    "notes, edges labelled with tensor shapes. Render it with\n"
    "    dot -Tsvg graph.dot > graph.svg\n"
    "\n"
    "Options:\n"
    "  -s, --shape NAME=D0xD1x...\n"
    "                     the shape of input NAME, for the dimensions the model\n"
    "                     leaves open (repeat per input; those not given are 1)\n"
    "  -w, --no-weights   leave the weights out\n"
    "  -h, --help         show this help\n";

/* A dot string literal: quotes and backslashes escaped. */
static void dot_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        putchar(*s);
    }
    putchar('"');
}

/* The value's shape: the session's if there is one, else the file's. */
static const char *shape_of(const mote_graph *g, const mote_session *s, int v, char *buf,
                            size_t len)
{
    mote_tensor t = s ? s->vals[v] : mote_value_tensor(&g->values[v]);
    return instr_shape(&t, buf, len);
}

/* Where an edge carrying value v starts: its producer node or its own node. */
static void print_source(const mote_graph *g, int v)
{
    if (g->values[v].kind == MOTE_VAL_ACT && g->values[v].producer >= 0)
        printf("  n%d", g->values[v].producer);
    else
        printf("  v%d", v);
}

static void print_graph(const char *path, const mote_graph *g, const mote_session *s,
                        bool weights)
{
    char d[160], label[512];
    printf("// %s: written by `mote dot`\ndigraph mote {\n", path);
    printf("  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=11];\n"
           "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n");
    for (int i = 0; i < g->n_inputs; i++) {
        int v = g->inputs[i];
        snprintf(label, sizeof label, "%s\n%s", g->values[v].name, shape_of(g, s, v, d, sizeof d));
        printf("  v%d [shape=oval, style=filled, fillcolor=\"#d8ecff\", label=", v);
        dot_string(label);
        printf("];\n");
    }
    for (int i = 0; i < g->n_nodes; i++) {
        const mote_node *n = &g->nodes[i];
        const char *act = mote_attr_get_string(n, "_act", NULL);
        char nb[64];
        snprintf(label, sizeof label, "%s\n%s%s%s\n%s", instr_node_name(n, i, nb, sizeof nb),
                 n->op, act ? " + " : "", act ? act : "",
                 n->n_out ? shape_of(g, s, n->out[0], d, sizeof d) : "");
        printf("  n%d [shape=box, style=\"rounded,filled\", fillcolor=\"%s\", label=", i,
               act ? "#ffe6c8" : "#f2f2f2");
        dot_string(label);
        printf("];\n");
        for (int k = 0; k < n->n_in; k++) {
            int v = n->in[k];
            if (v < 0)
                continue;
            if (g->values[v].kind == MOTE_VAL_WEIGHT) {
                if (!weights)
                    continue;
                snprintf(label, sizeof label, "%s %s", g->values[v].name,
                         shape_of(g, s, v, d, sizeof d));
                printf("  v%d [shape=note, fontsize=8, height=0.2, style=filled, "
                       "fillcolor=\"#eeeeee\", color=\"#999999\", label=", v);
                dot_string(label);
                printf("];\n  v%d -> n%d [color=\"#aaaaaa\", arrowsize=0.5];\n", v, i);
                continue;
            }
            print_source(g, v);
            printf(" -> n%d [label=", i);
            dot_string(shape_of(g, s, v, d, sizeof d));
            printf("];\n");
        }
    }
    for (int i = 0; i < g->n_outputs; i++) {
        int v = g->outputs[i];
        printf("  out%d [shape=oval, style=filled, fillcolor=\"#d8f5d0\", label=", i);
        dot_string(g->values[v].name);
        printf("];\n");
        print_source(g, v);
        printf(" -> out%d [label=", i);
        dot_string(shape_of(g, s, v, d, sizeof d));
        printf("];\n");
    }
    printf("}\n");
}

int cli_cmd_dot(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "no-weights", no_argument, NULL, 'w' },
        { "shape", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, rc = CLI_OK;
    bool weights = true;
    cli_shapes shapes = { .n = 0 };
    while ((c = cli_getopt(argc, argv, "ws:h", longopts, usage, &rc)) != -1) {
        if (c == '?')
            return rc;
        if (c == 'w')
            weights = false;
        if (c == 's' && (rc = cli_shapes_add(&shapes, optarg, argv[0])) != CLI_OK)
            return rc;
    }
    if (optind >= argc)
        return cli_usage_error(argv[0], "missing MODEL");
    if (argc - optind > 1)
        return cli_usage_error(argv[0], "one MODEL at a time");
    const char *path = argv[optind];
    mote_model *m;
    mote_status st = mote_model_open(path, &m);
    if (st)
        return cli_fail_status(path, st);
    mote_session *s = NULL;
    bool open_dims;
    /* on failure: shapes from the file alone (a bad --shape is an error) */
    if (cli_inspect_session(m, &shapes, &s, &open_dims) == MOTE_ERR_ARG) {
        mote_model_close(m);
        return CLI_USAGE;
    }
    /* the session's graph: specialized to the shapes when it folded any */
    print_graph(path, s ? s->g : mote_model_graph(m), s, weights);
    if (s)
        mote_session_free(s);
    mote_model_close(m);
    return fflush(stdout) == 0 ? CLI_OK : cli_fail(NULL, "cannot write the graph");
}
