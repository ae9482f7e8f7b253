/*
 * cmd_info.c — `mote info MODEL`: what a model is and what running it
 * costs. Inputs and outputs, every node in execution order with its output
 * shapes and an estimate of its floating-point operations, the parameter
 * count, the memory plan (arena vs the sum of all intermediates) and the
 * metadata.
 *
 * It makes a one-thread session to learn the shapes and reads the
 * session's internals (src/session.h); it runs nothing. The FLOP counts
 * are estimates from shapes, not measurements.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "session.h"

static const char usage[] =
    "Usage: mote info [options] MODEL.mote\n"
    "\n"
    "Prints the model's inputs and outputs (name, dtype, shape), its nodes in\n"
    "execution order with their output shapes and estimated FLOPs, the number\n"
    "of parameters, the arena the memory planner needs against the sum of all\n"
    "intermediate tensors, and the model's metadata.\n"
    "\n"
    "Options:\n"
    "  -n, --no-nodes   leave out the per-node table\n"
    "  -h, --help       show this help\n";

static int64_t numel(const mote_tensor *t)
{
    int64_t n = mote_tensor_numel(t);
    return n < 0 ? 0 : n;
}

/* Product of dims[from..ndim). */
static double dims_product(const mote_tensor *t, int from)
{
    double p = 1;
    for (int i = from; i < t->ndim; i++)
        p *= (double)t->dims[i];
    return p;
}

static const mote_tensor *in_val(const mote_session *s, const mote_node *n, int k)
{
    return k < n->n_in && n->in[k] >= 0 ? &s->vals[n->in[k]] : NULL;
}

/*
 * Floating-point operations of one node, from shapes (a multiply-add is 2):
 *   MatMul  2 * numel(Y) * K         (K: A's last dimension)
 *   Gemm    2 * M * N * K (+ M*N for the bias)
 *   Conv    2 * numel(Y) * C/g * KH * KW   (= 2*OC*OH*OW*C/g*KH*KW per image)
 *   pools   numel(Y) * kernel area; global pool numel(X)
 *   shape-only ops (Reshape, Flatten, ...) 0; anything else numel(Y).
 */
static double node_flops(const mote_session *s, const mote_node *n)
{
    if (n->n_out < 1)
        return 0;
    const mote_tensor *y = &s->vals[n->out[0]];
    const mote_tensor *a = in_val(s, n, 0), *b = in_val(s, n, 1);
    double ny = (double)numel(y);
    const char *op = n->op;
    if (strcmp(op, "MatMul") == 0 && a && a->ndim >= 1)
        return 2 * ny * (double)a->dims[a->ndim - 1];
    if (strcmp(op, "Gemm") == 0 && a && a->ndim == 2) {
        int64_t k = mote_attr_get_int(n, "transA", 0) ? a->dims[0] : a->dims[1];
        return 2 * ny * (double)k + (in_val(s, n, 2) ? ny : 0);
    }
    if (strcmp(op, "Conv") == 0 && b && b->ndim >= 3)
        return 2 * ny * dims_product(b, 1) + (in_val(s, n, 2) ? ny : 0);
    if (strcmp(op, "MaxPool") == 0 || strcmp(op, "AveragePool") == 0) {
        const int64_t *k;
        int nk = mote_attr_get_ints(n, "kernel_shape", &k);
        double area = 1;
        for (int i = 0; i < nk; i++)
            area *= (double)k[i];
        return ny * area;
    }
    if (strncmp(op, "Global", 6) == 0 && a)
        return (double)numel(a);
    static const char *const free_ops[] = {
        "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Transpose", "Concat",
        "Shape", "Constant", "Gather", "Slice", "Split", "Expand", "Cast", NULL
    };
    for (int i = 0; free_ops[i]; i++)
        if (strcmp(op, free_ops[i]) == 0)
            return 0;
    return ny;
}

/*
 * Inputs or outputs with their shapes: the session's (every dimension
 * known) when there is one, else the model's (-1 where left open; outputs
 * may have no shape before shape inference).
 */
static void print_io(const char *title, const mote_model *m, const mote_session *s,
                     bool outputs)
{
    int count = outputs ? mote_model_num_outputs(m) : mote_model_num_inputs(m);
    printf("%s (%d):\n", title, count);
    for (int i = 0; i < count; i++) {
        mote_tensor t;
        const char *name = outputs ? mote_model_output(m, i, &t) : mote_model_input(m, i, &t);
        if (s) {
            const int *ids = outputs ? s->g->outputs : s->g->inputs;
            t = s->vals[ids[i]];
        }
        char d[160];
        printf("  %-24s %s\n", name ? name : "?", mote_tensor_describe(&t, d, sizeof d));
    }
}

static void print_meta(const mote_graph *g)
{
    if (g->n_meta == 0)
        return;
    printf("metadata:\n");
    for (int i = 0; i < g->n_meta; i++) {
        const mote_meta *md = &g->meta[i];
        const char *v = md->s ? md->s : "";
        /* long values (label lists, descriptions) are cut for the table */
        if (strlen(v) > 100)
            printf("  %-16s %.97s...\n", md->key, v);
        else
            printf("  %-16s %s\n", md->key, v);
    }
}

/* Parameter count and bytes: every weight value of the graph. */
static void count_params(const mote_graph *g, double *count, double *bytes)
{
    *count = 0;
    *bytes = 0;
    for (int i = 0; i < g->n_values; i++) {
        const mote_value *v = &g->values[i];
        if (v->kind != MOTE_VAL_WEIGHT)
            continue;
        mote_tensor t = mote_value_tensor(v);
        *count += (double)numel(&t);
        *bytes += (double)v->nbytes;
    }
}

static void print_nodes(const mote_session *s, double *total_flops)
{
    const mote_graph *g = s->g;
    printf("nodes (%d, in execution order):\n", s->n_steps);
    printf("  %4s  %-20s %-24s %-28s %10s\n", "#", "op", "name", "output", "FLOPs");
    *total_flops = 0;
    for (int i = 0; i < s->n_steps; i++) {
        const mote_node *n = &g->nodes[s->step_node[i]];
        double fl = node_flops(s, n);
        *total_flops += fl;
        char d[160], c[32];
        mote_tensor_describe(n->n_out > 0 ? &s->vals[n->out[0]] : &(mote_tensor){ 0 }, d,
                             sizeof d);
        printf("  %4d  %-20s %-24s %-28s %10s\n", i, n->op, n->name ? n->name : "", d,
               cli_count(fl, c));
        for (int k = 1; k < n->n_out; k++)  /* further outputs, one per line */
            printf("  %4s  %-20s %-24s %-28s\n", "", "", "",
                   mote_tensor_describe(&s->vals[n->out[k]], d, sizeof d));
    }
}

static double sum_flops(const mote_session *s)
{
    double f = 0;
    for (int i = 0; i < s->n_steps; i++)
        f += node_flops(s, &s->g->nodes[s->step_node[i]]);
    return f;
}

int cli_cmd_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "no-nodes", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, rc = CLI_OK;
    bool nodes = true;
    while ((c = cli_getopt(argc, argv, "nh", longopts, usage, &rc)) != -1) {
        if (c == '?')
            return rc;
        if (c == 'n')
            nodes = false;
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
    /* Shapes, kernels and the memory plan come from a session. */
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    o.pin = 0;
    /* Dimensions the model leaves open are taken as 1 for the shapes. */
    int n_in = mote_model_num_inputs(m);
    bool open_dims = false;
    mote_tensor *shapes = calloc((size_t)n_in + 1, sizeof *shapes);
    if (!shapes) {
        mote_model_close(m);
        return cli_fail(NULL, "out of memory");
    }
    for (int i = 0; i < n_in; i++) {
        mote_model_input(m, i, &shapes[i]);
        for (int d = 0; d < shapes[i].ndim; d++)
            if (shapes[i].dims[d] < 0) {
                shapes[i].dims[d] = 1;
                open_dims = true;
            }
    }
    o.input_shapes = shapes;
    o.n_input_shapes = n_in;
    mote_session *s = NULL;
    mote_status sst = mote_session_new(m, &o, &s);
    free(shapes);

    printf("model: %s\n", path);
    print_meta(mote_model_graph(m));
    if (open_dims && !sst)
        printf("(dimensions the model leaves open are shown as 1)\n");
    print_io("inputs", m, sst ? NULL : s, false);
    print_io("outputs", m, sst ? NULL : s, true);
    double params, pbytes;
    char b1[32], b2[32];
    count_params(mote_model_graph(m), &params, &pbytes);
    printf("parameters: %.0f (%s)\n", params, cli_bytes(pbytes, b1));
    if (sst) {
        fflush(stdout);
        rc = cli_fail_status(path, sst);
        fprintf(stderr, "mote: %s: no session, so no shapes, FLOPs or memory plan\n", path);
        mote_model_close(m);
        return rc;
    }
    double flops;
    if (nodes)
        print_nodes(s, &flops);
    else
        flops = sum_flops(s);
    printf("FLOPs per run: %s (estimate from shapes)\n", cli_count(flops, b1));
    size_t arena = mote_session_arena_bytes(s), naive = mote_session_naive_bytes(s);
    printf("intermediates: arena %s (%zu bytes), sum of all %s (%zu bytes)", cli_bytes(
               (double)arena, b1), arena, cli_bytes((double)naive, b2), naive);
    if (naive > 0)
        printf(", %.1f%%", 100.0 * (double)arena / (double)naive);
    printf("\nkernels: %s\n", mote_session_isa(s));
    mote_session_free(s);
    mote_model_close(m);
    return CLI_OK;
}
