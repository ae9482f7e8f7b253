/*
 * pass_shape.c — makes the shape input of a Reshape a constant when it is
 * computed from the shapes of other tensors (Shape -> Cast -> Slice /
 * Gather -> Concat, arithmetic on dims...), even when the graph's inputs
 * have open dims such as the batch.
 *
 * The glue is evaluated twice, on the shapes a shape inference gives with
 * every open input dim set to A = 320 and then to B = 384 (only shapes,
 * nothing runs). An element of the Reshape's target that is the same in
 * both is a constant; one that differs follows the open dims: when it
 * equals the Reshape input's dim at the same index in both runs it becomes
 * 0 ("copy that dim"), otherwise -1 ("whatever the element count leaves"),
 * which is exact as long as there is only one such element (else the pass
 * leaves the node alone). The glue nodes die (pass_dead).
 * Evaluated ops: Shape, Size, Cast, Identity, Slice, Gather, Concat,
 * Unsqueeze, Squeeze, Add, Sub, Mul, Div on 0-D / 1-D integer tensors of
 * at most KMAX elements. Not a general constant folder (pass_fold.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "passes.h"

#define KMAX 16
#define FILL_A 320
#define FILL_B 384

/* An integer tensor known in both runs. */
typedef struct known {
    bool ok;
    int ndim;              /* 0 or 1             */
    int n;                 /* elements           */
    int64_t a[KMAX];       /* values in run A    */
    int64_t b[KMAX];       /* values in run B    */
} known;

static int64_t get_i(const void *d, mote_dtype t, int i)
{
    return t == MOTE_I32 ? ((const int32_t *)d)[i] : ((const int64_t *)d)[i];
}

/* A constant integer tensor as a known (same in both runs). */
static bool from_weight(const mote_value *v, known *k)
{
    if (v->kind != MOTE_VAL_WEIGHT || !v->data || (v->dtype != MOTE_I64 && v->dtype != MOTE_I32) ||
        v->ndim > 1)
        return false;
    int64_t n = v->ndim ? v->dims[0] : 1;
    if (n > KMAX)
        return false;
    k->ok = true;
    k->ndim = v->ndim;
    k->n = (int)n;
    for (int i = 0; i < k->n; i++)
        k->a[i] = k->b[i] = get_i(v->data, v->dtype, i);
    return true;
}

/* Elements [s, e) with step 1 after ONNX clamping. */
static bool slice1(const known *x, int64_t s, int64_t e, known *y)
{
    int64_t n = x->n;
    if (s < 0) s += n;
    if (e < 0) e += n;
    s = s < 0 ? 0 : s > n ? n : s;
    e = e < 0 ? 0 : e > n ? n : e;
    *y = (known){.ok = true, .ndim = 1};
    for (int64_t i = s; i < e; i++) {
        y->a[y->n] = x->a[i];
        y->b[y->n++] = x->b[i];
    }
    return true;
}

static bool same(const known *k)
{
    for (int i = 0; i < k->n; i++)
        if (k->a[i] != k->b[i])
            return false;
    return true;
}

/* Evaluates node n when its inputs are known. */
static bool eval(const mote_graph *g, const mote_node *n, known *kv, const mote_tensor *sa,
                 const mote_tensor *sb, known *y)
{
    const char *op = n->op;
    const known *x = n->n_in > 0 && n->in[0] >= 0 ? &kv[n->in[0]] : NULL;
    memset(y, 0, sizeof *y);
    if (!strcmp(op, "Shape") || !strcmp(op, "Size")) {
        int v = n->in[0];
        if (sa[v].ndim < 0 || sb[v].ndim != sa[v].ndim)
            return false;
        int r = sa[v].ndim;
        if (!strcmp(op, "Size")) {
            *y = (known){.ok = true, .ndim = 0, .n = 1};
            y->a[0] = mote_tensor_numel(&sa[v]);
            y->b[0] = mote_tensor_numel(&sb[v]);
            return true;
        }
        known all = {.ok = true, .ndim = 1, .n = r};
        for (int d = 0; d < r; d++) {
            all.a[d] = sa[v].dims[d];
            all.b[d] = sb[v].dims[d];
        }
        return slice1(&all, mote_attr_get_int(n, "start", 0), mote_attr_get_int(n, "end", r), y);
    }
    if (!x || !x->ok)
        return false;
    if (!strcmp(op, "Cast") || !strcmp(op, "Identity")) {
        int64_t to = mote_attr_get_int(n, "to", 7);
        if (to != 6 && to != 7)   /* INT32, INT64 */
            return false;
        *y = *x;
        return true;
    }
    if (!strcmp(op, "Unsqueeze") || !strcmp(op, "Squeeze")) {
        bool un = !strcmp(op, "Unsqueeze");
        if ((un && x->ndim != 0) || (!un && (x->ndim != 1 || x->n != 1)))
            return false;
        *y = *x;
        y->ndim = un ? 1 : 0;
        return true;
    }
    if (!strcmp(op, "Slice")) {
        if (x->ndim != 1)
            return false;
        const int64_t *st, *en;
        if (n->n_in == 1) {   /* opset < 10: attributes */
            if (mote_attr_get_ints(n, "starts", &st) != 1 || mote_attr_get_ints(n, "ends", &en) != 1)
                return false;
            return slice1(x, st[0], en[0], y);
        }
        for (int i = 1; i < n->n_in; i++)   /* starts, ends, axes, steps: constants */
            if (n->in[i] >= 0 && (!kv[n->in[i]].ok || !same(&kv[n->in[i]]) || kv[n->in[i]].n != 1))
                return false;
        if (n->n_in < 3 || (n->n_in > 4 && n->in[4] >= 0 && kv[n->in[4]].a[0] != 1))
            return false;
        if (n->n_in > 3 && n->in[3] >= 0 && kv[n->in[3]].a[0] != 0 && kv[n->in[3]].a[0] != -1)
            return false;
        return slice1(x, kv[n->in[1]].a[0], kv[n->in[2]].a[0], y);
    }
    if (!strcmp(op, "Gather")) {
        const known *ix = n->n_in > 1 && n->in[1] >= 0 ? &kv[n->in[1]] : NULL;
        if (x->ndim != 1 || !ix || !ix->ok || !same(ix) || mote_attr_get_int(n, "axis", 0) != 0)
            return false;
        *y = (known){.ok = true, .ndim = ix->ndim, .n = ix->n};
        for (int i = 0; i < ix->n; i++) {
            int64_t j = ix->a[i] < 0 ? ix->a[i] + x->n : ix->a[i];
            if (j < 0 || j >= x->n)
                return false;
            y->a[i] = x->a[j];
            y->b[i] = x->b[j];
        }
        return true;
    }
    if (!strcmp(op, "Concat")) {
        *y = (known){.ok = true, .ndim = 1};
        for (int i = 0; i < n->n_in; i++) {
            const known *p = n->in[i] >= 0 ? &kv[n->in[i]] : NULL;
            if (!p || !p->ok || p->ndim != 1 || y->n + p->n > KMAX)
                return false;
            memcpy(y->a + y->n, p->a, sizeof(int64_t) * (size_t)p->n);
            memcpy(y->b + y->n, p->b, sizeof(int64_t) * (size_t)p->n);
            y->n += p->n;
        }
        return true;
    }
    int arith = !strcmp(op, "Add") ? 1 : !strcmp(op, "Sub") ? 2 : !strcmp(op, "Mul") ? 3 :
                !strcmp(op, "Div") ? 4 : 0;
    if (arith && n->n_in == 2 && n->in[1] >= 0 && kv[n->in[1]].ok) {
        const known *z = &kv[n->in[1]];
        if (x->n != z->n && x->n != 1 && z->n != 1)
            return false;
        *y = (known){.ok = true, .ndim = x->ndim > z->ndim ? x->ndim : z->ndim,
                     .n = x->n > z->n ? x->n : z->n};
        for (int i = 0; i < y->n; i++) {
            for (int run = 0; run < 2; run++) {
                int64_t p = run ? x->b[x->n == 1 ? 0 : i] : x->a[x->n == 1 ? 0 : i];
                int64_t q = run ? z->b[z->n == 1 ? 0 : i] : z->a[z->n == 1 ? 0 : i], r;
                if (arith == 4 && q == 0)
                    return false;
                r = arith == 1 ? p + q : arith == 2 ? p - q : arith == 3 ? p * q : p / q;
                if (run) y->b[i] = r; else y->a[i] = r;
            }
        }
        return true;
    }
    return false;
}

/* The constant target of Reshape node n, or false. */
static bool resolve(const mote_node *n, const known *t, const mote_tensor *xa,
                    const mote_tensor *xb, int64_t *out)
{
    int open = 0;
    bool allowzero = mote_attr_get_int(n, "allowzero", 0) != 0;
    if (t->ndim != 1 || xa->ndim < 0 || xb->ndim != xa->ndim)
        return false;
    for (int i = 0; i < t->n; i++) {
        if (t->a[i] == t->b[i]) {
            out[i] = t->a[i];
            if (out[i] == -1)
                open++;
        } else if (!allowzero && i < xa->ndim && xa->dims[i] == t->a[i] && xb->dims[i] == t->b[i]) {
            out[i] = 0;
        } else {
            out[i] = -1;
            open++;
        }
    }
    return open <= 1;
}

mote_status mote_pass_shape_glue(mote_graph *g, int *changed)
{
    *changed = 0;
    bool want = false;
    for (int i = 0; i < g->n_nodes && !want; i++) {
        const mote_node *n = &g->nodes[i];
        want = !strcmp(n->op, "Reshape") && n->n_in == 2 && n->in[1] >= 0 &&
               g->values[n->in[1]].kind != MOTE_VAL_WEIGHT;
    }
    if (!want)
        return MOTE_OK;
    mote_tensor *sa = mote_pass_shapes(g, FILL_A), *sb = mote_pass_shapes(g, FILL_B);
    known *kv = calloc((size_t)g->n_values + 1, sizeof *kv);
    int *order = malloc(sizeof *order * ((size_t)g->n_nodes + 1));
    mote_status st = MOTE_OK;
    if (!sa || !sb || !kv || !order || mote_graph_topo_order(g, order) != MOTE_OK) {
        mote_error_clear();
        goto done;
    }
    for (int v = 0; v < g->n_values; v++)
        from_weight(&g->values[v], &kv[v]);
    for (int k = 0; k < g->n_nodes && !st; k++) {
        int ni = order[k];
        const mote_node *n = &g->nodes[ni];
        known y;
        if (n->n_out == 1 && strcmp(n->op, "Reshape") && eval(g, n, kv, sa, sb, &y))
            kv[n->out[0]] = y;
        if (strcmp(n->op, "Reshape") || n->n_in != 2 || n->in[1] < 0 ||
            g->values[n->in[1]].kind == MOTE_VAL_WEIGHT || !kv[n->in[1]].ok)
            continue;
        int64_t target[KMAX];
        int x = n->in[0];
        if (x < 0 || !resolve(n, &kv[n->in[1]], &sa[x], &sb[x], target))
            continue;
        char name[512];
        int64_t len = kv[n->in[1]].n;
        snprintf(name, sizeof name, "%s/shape_const", n->name);
        int w = mote_graph_weight(g, name, MOTE_I64, 1, &len, target);
        if (w < 0) {
            st = mote_error(MOTE_ERR_GRAPH, "node '%s': %s", name, mote_last_error());
            break;
        }
        g->nodes[ni].in[1] = w;
        (*changed)++;
    }
done:
    free(sa);
    free(sb);
    free(kv);
    free(order);
    return st;
}
