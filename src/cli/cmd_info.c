/*
 * cmd_info.c — `mote info MODEL`: what a model is and what running it
 * costs. Inputs and outputs, every node in execution order with its output
 * shapes and an estimate of its floating-point operations, the parameter
 * count, the memory plan (arena vs the sum of all intermediates) and the
 * metadata, the subgraphs (a Loop's body), and the memory plan as a
 * timeline of arena buffers.
 *
 * It makes a one-thread inspection session (planned, but with neither
 * arena nor state allocated) to learn the shapes and reads the session's
 * internals (src/runtime/session.h); it runs nothing. The FLOP counts
 * are estimates from shapes, not measurements.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "runtime/instrument.h"
#include "runtime/session.h"

static const char usage[] =
    "Usage: mote info [options] MODEL.mote\n"
    "       mote info --devices\n"
    "\n"
    "Prints the model's inputs and outputs (name, dtype, shape), its nodes in\n"
    "execution order with their output shapes and estimated FLOPs, the number\n"
    "of parameters, the arena the memory planner needs against the sum of all\n"
    "intermediate tensors, the model's metadata, and the memory plan as a\n"
    "timeline: one line per arena buffer with its offset, size, the steps it\n"
    "lives for and the values in it (buffers whose bytes overlap share them at\n"
    "different times).\n"
    "\n"
    "Options:\n"
    "  -s, --shape NAME=D0xD1x...\n"
    "                   the shape of input NAME, for the dimensions the model\n"
    "                   leaves open (repeat per input; those not given are 1)\n"
    "  -n, --no-nodes   leave out the per-node table and the memory-plan timeline\n"
    "      --json       print the same as one JSON object on stdout\n"
    "  -d, --devices    list the CPU and the OpenCL platforms and devices (compute\n"
    "                   units, memory, FP32/FP16, a measured FP32 peak); no MODEL\n"
    "  -h, --help       show this help\n";

static int64_t numel(const mote_tensor *t)
{
    int64_t n = mote_tensor_numel(t);
    return n < 0 ? 0 : n;
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
/* Each node holding subgraphs (a Loop's body), nested ones indented: how
 * the node binds their inputs and what their nodes are. */
static void print_subgraphs(const mote_graph *g, int depth, int *shown)
{
    for (int i = 0; i < g->n_nodes; i++) {
        const mote_node *n = &g->nodes[i];
        for (int a = 0; a < n->n_attr; a++) {
            const mote_attr *at = &n->attrs[a];
            if (at->type != MOTE_ATTR_GRAPH || !at->g) continue;
            const mote_graph *b = at->g;
            if (!(*shown)++) printf("subgraphs:\n");
            int64_t cap = mote_attr_get_int(n, "_captures", 0);
            printf("%*s%s (%s), %s: %d inputs (%lld captured from outside), %d outputs, %d nodes:",
                   2 * depth + 2, "", n->name, n->op, at->name, b->n_inputs, (long long)cap,
                   b->n_outputs, b->n_nodes);
            for (int k = 0; k < b->n_nodes && k < 12; k++) printf(" %s", b->nodes[k].op);
            printf("%s\n", b->n_nodes > 12 ? " ..." : "");
            print_subgraphs(b, depth + 1, shown);
        }
    }
}

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
    /* with a device, a last column says where each node runs */
    bool placed = s->dev != NULL;
    printf("nodes (%d, in execution order):\n", s->n_steps);
    printf("  %4s  %-20s %-24s %-28s %10s%s\n", "#", "op", "name", "output", "FLOPs",
           placed ? "  runs on" : "");
    *total_flops = 0;
    for (int i = 0; i < s->n_steps; i++) {
        const mote_node *n = &g->nodes[s->step_node[i]];
        double fl = mote_node_flops(s, n);
        *total_flops += fl;
        char d[160], c[32];
        if (n->n_out > 0)
            mote_tensor_describe(&s->vals[n->out[0]], d, sizeof d);
        else
            snprintf(d, sizeof d, "-");   /* a control step (IfJump, Goto) */
        printf("  %4d  %-20s %-24s %-28s %10s%s%s\n", i, n->op, n->name ? n->name : "", d,
               cli_count(fl, c), placed ? "  " : "", placed ? mote_session_step_device(s, i) : "");
        for (int k = 1; k < n->n_out; k++)  /* further outputs, one per line */
            printf("  %4s  %-20s %-24s %-28s\n", "", "", "",
                   mote_tensor_describe(&s->vals[n->out[k]], d, sizeof d));
    }
}

/*
 * The memory plan as a timeline: one line per arena buffer (a storage the
 * planner placed, or a step's scratch) with its byte range, its steps
 * [first, last] drawn as a bar over the run, and the values that live in
 * it (values joined by an alias or in-place op share one buffer). Two
 * buffers whose byte ranges overlap share those bytes at different times.
 */
static void print_plan(const mote_session *s)
{
    const mote_graph *g = s->g;
    const mote_plan *p = &s->plan;
    int ns = s->n_steps, width = ns < 48 ? ns + 1 : 48;
    int *step_of = calloc((size_t)g->n_nodes + 1, sizeof *step_of);
    if (!step_of)
        return;
    for (int t = 0; t < ns; t++)
        step_of[s->step_node[t]] = t;
    int used = 0;
    for (int b = 0; b < p->n_bufs; b++)
        used += p->bufs[b].bytes > 0;
    printf("memory plan (%d buffers in the arena; steps 0..%d, %d = after the run):\n",
           used, ns - 1, ns);
    printf("  %10s %10s  %-9s %-*s  %s\n", "offset", "bytes", "steps", width, "timeline",
           "values");
    for (int b = 0; b < p->n_bufs; b++) {
        const mote_buf *mb = &p->bufs[b];
        if (mb->bytes == 0)
            continue;
        char steps[32], bar[64];
        snprintf(steps, sizeof steps, "[%d,%d]", mb->first, mb->last);
        for (int c = 0; c < width; c++) {
            /* column c covers steps [c*(ns+1)/width, (c+1)*(ns+1)/width) */
            int lo = c * (ns + 1) / width, hi = (c + 1) * (ns + 1) / width - 1;
            bar[c] = hi >= mb->first && lo <= mb->last ? '#' : '.';
        }
        bar[width] = '\0';
        printf("  %10zu %10zu  %-9s %s  ", mb->offset, mb->bytes, steps, bar);
        int shown = 0;
        for (int v = 0; v < g->n_values; v++) {
            if (s->val_buf[v] != b)
                continue;
            int made = g->values[v].kind == MOTE_VAL_INPUT ? 0 : step_of[g->values[v].producer];
            if (made < mb->first || made > mb->last)
                continue;
            printf("%s%s", shown++ ? ", " : "", g->values[v].name);
        }
        if (!shown && mb->first == mb->last && mb->first < ns)
            printf("(scratch of step %d, %s)", mb->first, g->nodes[s->step_node[mb->first]].op);
        printf("\n");
    }
    free(step_of);
}

/* The same facts as one JSON object: model, metadata, inputs, outputs,
 * parameters, nodes, FLOPs, memory (and the plan's buffers), kernels. */
static void json_io(cli_json *j, const char *key, const mote_model *m, const mote_session *s,
                    bool outputs)
{
    int count = outputs ? mote_model_num_outputs(m) : mote_model_num_inputs(m);
    cli_json_array(j, key);
    for (int i = 0; i < count; i++) {
        mote_tensor t;
        const char *name = outputs ? mote_model_output(m, i, &t) : mote_model_input(m, i, &t);
        if (s)
            t = s->vals[(outputs ? s->g->outputs : s->g->inputs)[i]];
        cli_json_object(j, NULL);
        cli_json_str(j, "name", name);
        cli_json_str(j, "dtype", mote_dtype_name(t.dtype));
        cli_json_array(j, "shape");
        for (int k = 0; k < t.ndim; k++)
            cli_json_int(j, NULL, t.dims[k]);
        cli_json_end(j);
        cli_json_end(j);
    }
    cli_json_end(j);
}

static void json_info(const char *path, const mote_model *m, const mote_session *s,
                      bool nodes, bool open_dims)
{
    const mote_graph *g = mote_model_graph(m);
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_object(&j, NULL);
    cli_json_str(&j, "model", path);
    cli_json_object(&j, "metadata");
    for (int i = 0; i < g->n_meta; i++)
        cli_json_str(&j, g->meta[i].key, g->meta[i].s ? g->meta[i].s : "");
    cli_json_end(&j);
    cli_json_bool(&j, "open_dims_set_to_1", open_dims && s);
    json_io(&j, "inputs", m, s, false);
    json_io(&j, "outputs", m, s, true);
    double params, pbytes;
    count_params(g, &params, &pbytes);
    cli_json_num(&j, "parameters", params);
    cli_json_num(&j, "parameter_bytes", pbytes);
    if (s) {
        double total = 0;
        if (nodes)
            cli_json_array(&j, "nodes");
        for (int i = 0; i < s->n_steps; i++) {
            const mote_node *n = &s->g->nodes[s->step_node[i]];
            double fl = mote_node_flops(s, n);
            total += fl;
            if (!nodes)
                continue;
            cli_json_object(&j, NULL);
            cli_json_int(&j, "step", i);
            cli_json_str(&j, "op", n->op);
            cli_json_str(&j, "name", n->name ? n->name : "");
            cli_json_array(&j, "outputs");
            for (int k = 0; k < n->n_out; k++) {
                cli_json_tensor_type(&j, NULL, &s->vals[n->out[k]]);
            }
            cli_json_end(&j);
            cli_json_num(&j, "flops", fl);
            cli_json_end(&j);
        }
        if (nodes)
            cli_json_end(&j);
        cli_json_num(&j, "flops", total);
        cli_json_uint(&j, "arena_bytes", mote_session_arena_bytes(s));
        cli_json_uint(&j, "naive_bytes", mote_session_naive_bytes(s));
        cli_json_str(&j, "kernels", mote_session_isa(s));
        if (nodes) {
            cli_json_array(&j, "memory_plan");
            for (int b = 0; b < s->plan.n_bufs; b++) {
                const mote_buf *mb = &s->plan.bufs[b];
                if (mb->bytes == 0)
                    continue;
                cli_json_object(&j, NULL);
                cli_json_uint(&j, "offset", mb->offset);
                cli_json_uint(&j, "bytes", mb->bytes);
                cli_json_int(&j, "first_step", mb->first);
                cli_json_int(&j, "last_step", mb->last);
                cli_json_end(&j);
            }
            cli_json_end(&j);
        }
    }
    cli_json_end(&j);
}

static double sum_flops(const mote_session *s)
{
    double f = 0;
    for (int i = 0; i < s->n_steps; i++)
        f += mote_node_flops(s, &s->g->nodes[s->step_node[i]]);
    return f;
}

int cli_cmd_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "no-nodes", no_argument, NULL, 'n' },
        { "devices", no_argument, NULL, 'd' },
        { "shape", required_argument, NULL, 's' },
        { "json", no_argument, NULL, 'J' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, rc = CLI_OK;
    bool nodes = true, json = false, devices = false;
    cli_shapes shapes = { .n = 0 };
    while ((c = cli_getopt(argc, argv, "nds:h", longopts, usage, &rc)) != -1) {
        if (c == '?')
            return rc;
        if (c == 'n')
            nodes = false;
        if (c == 'J')
            json = true;
        if (c == 'd')
            devices = true;
        if (c == 's' && (rc = cli_shapes_add(&shapes, optarg, argv[0])) != CLI_OK)
            return rc;
    }
    if (devices) {
        if (optind < argc)
            return cli_usage_error(argv[0], "--devices takes no MODEL");
        return cli_print_devices();
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
    /* Shapes, kernels and the memory plan come from a session: open
     * dimensions from --shape, else 1. */
    mote_session *s = NULL;
    bool open_dims;
    mote_status sst = cli_inspect_session(m, &shapes, &s, &open_dims);
    if (sst == MOTE_ERR_ARG) {
        mote_model_close(m);
        return CLI_USAGE;
    }

    if (json) {
        /* the object on stdout; a failed session is still an error */
        json_info(path, m, sst ? NULL : s, nodes, open_dims);
        if (sst) {
            fflush(stdout);
            rc = cli_fail_status(path, sst);
        }
        mote_session_free(s);
        mote_model_close(m);
        return rc;
    }
    printf("model: %s\n", path);
    print_meta(mote_model_graph(m));
    int shown = 0;
    print_subgraphs(mote_model_graph(m), 0, &shown);
    if (open_dims && !sst)
        printf("(dimensions the model leaves open are shown as 1; --shape sets them)\n");
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
    mote_memory mem;
    if (mote_session_memory(s, &mem) == MOTE_OK) {
        char b3[32], b4[32], b5[32], b6[32];
        printf("session memory: %s in all (arena %s, plan %s, state %s, prepared weights %s), "
               "budget %s\n", cli_bytes((double)mem.total, b1), cli_bytes((double)mem.arena, b2),
               cli_bytes((double)mem.plan, b3), cli_bytes((double)mem.state, b4),
               cli_bytes((double)mem.prepared, b5), cli_bytes((double)mem.budget, b6));
    }
    mote_device_stats ds = mote_session_device_stats(s);
    if (ds.n_device_steps || strcmp(ds.device, "cpu") != 0) {
        char b3[32];
        printf("device: %s, %d of %d nodes on it; per run %s to it, %s back; weights on it %s\n",
               ds.device, ds.n_device_steps, s->n_steps, cli_bytes((double)ds.up_bytes, b1),
               cli_bytes((double)ds.down_bytes, b2), cli_bytes((double)ds.weight_bytes, b3));
    }
    if (nodes)
        print_plan(s);
    mote_session_free(s);
    mote_model_close(m);
    return CLI_OK;
}
