/*
 * cmd_check_kernels.c — `mote check-kernels MODEL -i ...`: runs the model on
 * every kernel table this CPU has (ref, avx2, avx512, neon) and reports,
 * per node, the largest absolute and relative difference of its outputs
 * from the reference table's, so a fast kernel's result can be held against
 * the readable code.
 *
 * By default each node is checked in isolation: before a step runs on a
 * fast table, its inputs are overwritten (in the before-step hook) with the
 * reference run's values, so a node's difference is its own kernel's and
 * not what earlier nodes passed on. --chained runs each table freely
 * instead (differences accumulate down the graph). It is not a test with a
 * verdict: floating-point kernels that sum in another order differ by
 * rounding.
 */
#include "instr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "runtime/cpu.h"
#include "runtime/instrument.h"

static const char usage[] =
    "Usage: mote check-kernels [options] MODEL.mote -i NAME=FILE.npy [-i ...]\n"
    "\n"
    "Runs the model on the reference kernels and on every other kernel table\n"
    "this CPU supports, and prints per node and table the largest absolute and\n"
    "relative difference (|fast - ref| / max(|ref|, 1e-30)) over its outputs.\n"
    "Each node is fed the reference run's inputs, so the difference is that\n"
    "node's own.\n"
    "\n"
    "Options:\n"
    "      --chained           let each table run on its own results instead\n"
    "                          (differences accumulate along the graph)\n"
    "  -i, --input NAME=FILE   the .npy file for the input called NAME (or give\n"
    "                          the files by position after MODEL)\n"
    "  -j, --threads N         worker threads (default 1)\n"
    "      --json              print the table as one JSON object on stdout\n"
    "  -h, --help              show this help\n";

static const char *const isas[] = { "ref", "avx2", "avx512", "neon" };
enum { N_ISAS = 4 };

/* Every output of every step of one run, copied out in the after hook. */
typedef struct capture {
    int ns;
    mote_tensor **outs;   /* (ns) per step: the node's n_out outputs, data malloc'd */
    bool oom;
    const struct capture *ref;  /* isolated runs: the reference run, else NULL */
    const int *ref_step;        /* (n_nodes) node -> its step in the reference run */
} capture;

/* Isolation: the step's non-weight inputs made by earlier steps take the
 * reference run's values (the same graph, so the same value ids). */
static void before_step(void *ctx, const mote_session *s, int step)
{
    capture *c = ctx;
    const mote_node *n = &s->g->nodes[s->step_node[step]];
    for (int k = 0; k < n->n_in; k++) {
        int v = n->in[k];
        if (v < 0 || s->g->values[v].kind != MOTE_VAL_ACT || s->g->values[v].producer < 0)
            continue;
        int prod = s->g->values[v].producer;
        const mote_node *pn = &s->g->nodes[prod];
        const mote_tensor *src = NULL;
        for (int j = 0; j < pn->n_out; j++)
            if (pn->out[j] == v && c->ref->outs[c->ref_step[prod]])
                src = &c->ref->outs[c->ref_step[prod]][j];
        size_t nb = mote_tensor_nbytes(&s->vals[v]);
        if (src && src->data && s->vals[v].data && nb == mote_tensor_nbytes(src))
            memcpy(s->vals[v].data, src->data, nb);
    }
}

static void after_step(void *ctx, const mote_session *s, int step)
{
    capture *c = ctx;
    const mote_node *n = &s->g->nodes[s->step_node[step]];
    if (c->outs[step]) {   /* a step in a loop: keep its last trip's outputs */
        for (int k = 0; k < n->n_out; k++)
            free(c->outs[step][k].data);
        free(c->outs[step]);
    }
    mote_tensor *o = calloc((size_t)n->n_out + 1, sizeof *o);
    c->outs[step] = o;
    if (!o) {
        c->oom = true;
        return;
    }
    for (int k = 0; k < n->n_out; k++) {
        o[k] = s->vals[n->out[k]];
        size_t nb = mote_tensor_nbytes(&o[k]);
        void *copy = malloc(nb ? nb : 1);
        if (!copy) {
            c->oom = true;
            o[k].data = NULL;
            continue;
        }
        if (nb && o[k].data)
            memcpy(copy, o[k].data, nb);
        o[k].data = copy;
    }
}

static void capture_free(capture *c, const mote_session *s)
{
    for (int t = 0; c->outs && t < c->ns; t++) {
        if (!c->outs[t])
            continue;
        int n_out = s->g->nodes[s->step_node[t]].n_out;
        for (int k = 0; k < n_out; k++)
            free(c->outs[t][k].data);
        free(c->outs[t]);
    }
    free(c->outs);
}

/* Runs the model on one table and keeps every step's outputs. */
static int run_capture(const instr_model *im, const char *isa, int threads, capture *c,
                       mote_session **sp)
{
    int rc = instr_session(im, isa, threads, sp);
    if (rc)
        return rc;
    c->ns = (*sp)->n_steps;
    c->outs = calloc((size_t)c->ns + 1, sizeof *c->outs);
    if (!c->outs)
        return cli_fail(NULL, "out of memory");
    mote_step_hooks h = { .before = c->ref ? before_step : NULL, .after = after_step, .ctx = c };
    mote_status st = mote_session_run_hooked(*sp, im->inputs, im->n_in, &h);
    if (st)
        return cli_fail_status(im->path, st);
    return c->oom ? cli_fail(NULL, "out of memory") : CLI_OK;
}

/* Largest |a - b| and |a - b| / max(|b|, 1e-30) over elements (NaN-aware). */
static void diff(const mote_tensor *a, const mote_tensor *b, double *abs_d, double *rel_d)
{
    int64_t n = mote_tensor_numel(b);
    if (mote_tensor_numel(a) != n) {
        *abs_d = *rel_d = INFINITY;
        return;
    }
    for (int64_t i = 0; i < n; i++) {
        double x = mote_tensor_elem(a, i), y = mote_tensor_elem(b, i);
        if (isnan(x) && isnan(y))
            continue;
        double d = x == y ? 0 : fabs(x - y);   /* equal infinities: 0 */
        if (isnan(d))
            d = INFINITY;
        double r = d / fmax(fabs(y), 1e-30);
        *abs_d = fmax(*abs_d, d);
        *rel_d = fmax(*rel_d, r);
    }
}

/* The table as JSON: per step and table the largest differences, then
 * each table's worst. */
static void json_report(const char *path, bool chained, const int *used, int n_used,
                        const capture *caps, const mote_session *ref)
{
    cli_json j;
    double worst_abs[N_ISAS] = { 0 }, worst_rel[N_ISAS] = { 0 };
    cli_json_init(&j, stdout);
    cli_json_object(&j, NULL);
    cli_json_str(&j, "model", path);
    cli_json_str(&j, "mode", chained ? "chained" : "isolated");
    cli_json_array(&j, "tables");
    for (int u = 0; u < n_used; u++)
        cli_json_str(&j, NULL, isas[used[u]]);
    cli_json_end(&j);
    cli_json_array(&j, "steps");
    for (int t = 0; t < ref->n_steps; t++) {
        const mote_node *n = &ref->g->nodes[ref->step_node[t]];
        char nb[64];
        cli_json_object(&j, NULL);
        cli_json_int(&j, "step", t);
        cli_json_str(&j, "op", n->op);
        cli_json_str(&j, "name", instr_node_name(n, t, nb, sizeof nb));
        cli_json_object(&j, "vs_ref");
        for (int u = 1; u < n_used; u++) {
            int i = used[u];
            double a = 0, r = 0;
            for (int k = 0; caps[i].outs[t] && caps[0].outs[t] && k < n->n_out; k++)
                diff(&caps[i].outs[t][k], &caps[0].outs[t][k], &a, &r);   /* not run: none */
            worst_abs[i] = fmax(worst_abs[i], a);
            worst_rel[i] = fmax(worst_rel[i], r);
            cli_json_object(&j, isas[i]);
            cli_json_num(&j, "max_abs", a);
            cli_json_num(&j, "max_rel", r);
            cli_json_end(&j);
        }
        cli_json_end(&j);
        cli_json_end(&j);
    }
    cli_json_end(&j);
    cli_json_object(&j, "largest");
    for (int u = 1; u < n_used; u++) {
        cli_json_object(&j, isas[used[u]]);
        cli_json_num(&j, "max_abs", worst_abs[used[u]]);
        cli_json_num(&j, "max_rel", worst_rel[used[u]]);
        cli_json_end(&j);
    }
    cli_json_end(&j);
    cli_json_end(&j);
}

int cli_cmd_check_kernels(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "input", required_argument, NULL, 'i' },
        { "threads", required_argument, NULL, 'j' },
        { "chained", no_argument, NULL, 'C' },
        { "json", no_argument, NULL, 'J' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = argv[0];
    int c, rc = CLI_OK;
    long threads = 1;
    bool chained = false, json = false;
    int *ref_step = NULL;
    instr_model im;
    capture caps[N_ISAS] = { { 0 } };
    mote_session *ss[N_ISAS] = { NULL };
    if (!instr_init(&im, argc)) {
        instr_free(&im);
        return cli_fail(NULL, "out of memory");
    }
    while ((c = cli_getopt(argc, argv, "i:j:Ch", longopts, usage, &rc)) != -1) {
        if (c == '?')
            goto out;
        if (c == 'i' && (rc = instr_add_input(&im, cmd, optarg)))
            goto out;
        if (c == 'C')
            chained = true;
        if (c == 'J')
            json = true;
        if (c == 'j' && !cli_parse_int(optarg, 1, 4096, &threads)) {
            rc = cli_usage_error(cmd, "--threads wants a number from 1 to 4096, not '%s'", optarg);
            goto out;
        }
    }
    if (optind >= argc) {
        rc = cli_usage_error(cmd, "missing MODEL");
        goto out;
    }
    const char *path = argv[optind++];
    for (; optind < argc; optind++)
        instr_add_file(&im, argv[optind]);
    if ((rc = instr_load(&im, cmd, path)))
        goto out;
    int used[N_ISAS], n_used = 0;
    for (int i = 0; i < N_ISAS; i++) {
        if (!mote_cpu_isa_available(isas[i]))
            continue;
        if (i > 0 && !chained) {
            caps[i].ref = &caps[0];
            caps[i].ref_step = ref_step;
        }
        if ((rc = run_capture(&im, isas[i], (int)threads, &caps[i], &ss[i])))
            goto out;
        used[n_used++] = i;
        /* control flow (a Loop's trips, an If's sides): a step may run more
         * than once or not at all, so feeding it the reference run's values
         * would mix trips; each table then runs on its own results */
        bool control = false;
        for (int t = 0; i == 0 && t < ss[0]->n_steps; t++)
            control |= ss[0]->steps[t].jump != NULL;
        if (control && !chained) {
            fprintf(stderr, "mote check-kernels: %s has control flow (Loop or If steps): each "
                    "table runs on its own results, as with --chained\n", path);
            chained = true;
        }
        if (i == 0) {  /* node -> step of the reference run, for isolation */
            const mote_session *r0 = ss[0];
            if (!(ref_step = calloc((size_t)r0->g->n_nodes + 1, sizeof *ref_step))) {
                rc = cli_fail(NULL, "out of memory");
                goto out;
            }
            for (int t = 0; t < r0->n_steps; t++)
                ref_step[r0->step_node[t]] = t;
        }
    }
    if (json) {
        json_report(path, chained, used, n_used, caps, ss[0]);
        goto out;
    }
    printf("model %s: kernel tables on this CPU:", path);
    for (int u = 0; u < n_used; u++)
        printf(" %s", isas[used[u]]);
    printf(" (%s)\n", chained ? "chained: each table on its own results"
                               : "each node fed the reference run's inputs");
    if (n_used < 2)
        printf("only the reference table is available: nothing to compare\n");
    printf("  %4s  %-18s %-16s", "#", "op", "name");
    for (int u = 1; u < n_used; u++)
        printf("  %8s max|d| %8s rel", isas[used[u]], isas[used[u]]);
    printf("\n");
    const mote_session *ref = ss[0];
    double worst_abs[N_ISAS] = { 0 }, worst_rel[N_ISAS] = { 0 };
    for (int t = 0; t < ref->n_steps; t++) {
        const mote_node *n = &ref->g->nodes[ref->step_node[t]];
        char nb[64];
        printf("  %4d  %-18s %-16s", t, n->op, instr_node_name(n, t, nb, sizeof nb));
        for (int u = 1; u < n_used; u++) {
            int i = used[u];
            double a = 0, r = 0;
            for (int k = 0; caps[i].outs[t] && caps[0].outs[t] && k < n->n_out; k++)
                diff(&caps[i].outs[t][k], &caps[0].outs[t][k], &a, &r);   /* not run: none */
            worst_abs[i] = fmax(worst_abs[i], a);
            worst_rel[i] = fmax(worst_rel[i], r);
            printf("  %15.3g %12.3g", a, r);
        }
        printf("\n");
    }
    for (int u = 1; u < n_used; u++)
        printf("%s vs ref: largest difference %.3g absolute, %.3g relative\n", isas[used[u]],
               worst_abs[used[u]], worst_rel[used[u]]);
out:
    for (int i = 0; i < N_ISAS; i++) {
        if (ss[i]) {
            capture_free(&caps[i], ss[i]);
            mote_session_free(ss[i]);
        }
    }
    free(ref_step);
    instr_free(&im);
    return rc;
}
