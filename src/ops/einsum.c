/*
 * einsum.c — Einsum (opset 12), f32, one to four operands.
 *
 * The equation ("bij,bjk->bik", "...ii->...i", "i,i", "ij->ji", ...) is
 * parsed once: every letter gets a size and, per operand, a stride (the
 * sum of its strides where the letter repeats, which takes a diagonal; 0
 * where the operand lacks it or broadcasts a size-1 ellipsis dim). Then
 *   y[out letters] = sum over the other letters of prod_k x_k[...]
 * (kernels/einsum_ref.c), output elements split over the pool. Without
 * "->" the output is the ellipsis dims, then the letters that appear once,
 * in alphabetical order (ONNX's implicit mode). This covers matmul, batch
 * matmul, transpose, sums over axes, outer and inner products, traces and
 * diagonals; the cost is one multiply per operand per point of the whole
 * index space, which is what a reference is for. Equations with a syntax
 * error, a letter of inconsistent size or too many letters are refused
 * naming the equation.
 */
#include <ctype.h>
#include <string.h>
#include "op_util.h"

#define MAX_OPS 4
#define MAX_LETTERS 64
#define ELL0 52                    /* ellipsis dims are letters ELL0.. */

typedef struct einsum_params {
    int nops, nl, no;
    int64_t sz[MAX_LETTERS];              /* letter sizes, output letters first  */
    int64_t st[MAX_OPS][MAX_LETTERS];     /* per operand, element stride of each */
    int64_t count;                        /* output elements                     */
} einsum_params;

typedef struct einsum_job {
    const einsum_params *p;
    const mote_step *s;
} einsum_job;

static void einsum_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const einsum_job *j = ctx;
    const einsum_params *p = j->p;
    const float *x[MAX_OPS];
    const int64_t *st[MAX_OPS];
    for (int k = 0; k < p->nops; k++) {
        x[k] = j->s->in[k]->data;
        st[k] = p->st[k];
    }
    mote_einsum_f32_ref(p->nops, x, st, p->nl, p->no, p->sz, j->s->out[0]->data, b, e);
}

static void run_einsum(const mote_step *s)
{
    const einsum_params *p = s->params;
    einsum_job j = {p, s};
    mote_pool_for(s->pool, p->count, 16, einsum_chunk, &j);
}

static int letter_id(char ch)
{
    if (ch >= 'a' && ch <= 'z') return ch - 'a';
    if (ch >= 'A' && ch <= 'Z') return 26 + ch - 'A';
    return -1;
}

/* Parses one term into letter ids; "..." expands to n_ell ids, right-aligned
 * among max_ell. Returns the count, or -1 on a syntax error. has_ell set. */
static int parse_term(const char *s, const char *end, int *ids, int n_ell, int max_ell, int *has_ell)
{
    int n = 0;
    *has_ell = 0;
    while (s < end) {
        if (*s == '.') {
            if (end - s < 3 || s[1] != '.' || s[2] != '.' || *has_ell)
                return -1;
            *has_ell = 1;
            for (int i = 0; i < n_ell; i++) {
                if (n >= MOTE_MAX_DIMS + 2) return -1;
                ids[n++] = ELL0 + max_ell - n_ell + i;
            }
            s += 3;
            continue;
        }
        int id = letter_id(*s++);
        if (id < 0 || n >= MOTE_MAX_DIMS + 2)
            return -1;
        ids[n++] = id;
    }
    return n;
}

static mote_status einsum_setup(mote_op_ctx *c, einsum_params *p, int *ond, int64_t *odims)
{
    const char *eq0 = mote_attr_get_string(c->node, "equation", NULL);
    if (!eq0)
        return mote_op_error(c, MOTE_ERR_SHAPE, "attribute equation is required");
    char eq[256];
    size_t n = 0;
    for (const char *q = eq0; *q; q++) {
        if (isspace((unsigned char)*q))
            continue;
        if (n + 1 >= sizeof eq)
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "equation '%s' is too long", eq0);
        eq[n++] = *q;
    }
    eq[n] = '\0';
    if (c->n_in > MAX_OPS)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "equation '%s': %d operands, at most %d",
                             eq0, c->n_in, MAX_OPS);
    for (int k = 0; k < c->n_in; k++) {
        mote_status st = mote_expect_dtype(c, k, MOTE_F32);
        if (st)
            return st;
    }
    const char *arrow = strstr(eq, "->");
    const char *lhs_end = arrow ? arrow : eq + n;
    /* operand terms */
    const char *tb[MAX_OPS], *te[MAX_OPS];
    int nt = 0;
    for (const char *q = eq;;) {
        const char *comma = memchr(q, ',', (size_t)(lhs_end - q));
        const char *e = comma ? comma : lhs_end;
        if (nt == MAX_OPS)
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "equation '%s' has too many operands", eq0);
        tb[nt] = q;
        te[nt++] = e;
        if (!comma)
            break;
        q = comma + 1;
    }
    if (nt != c->n_in)
        return mote_op_error(c, MOTE_ERR_SHAPE, "equation '%s' names %d operands, the node has %d",
                             eq0, nt, c->n_in);
    /* ellipsis ranks: operand rank minus its letters */
    int ids[MAX_OPS][MOTE_MAX_DIMS + 2], cnt[MAX_OPS], nell[MAX_OPS], max_ell = 0;
    for (int k = 0; k < nt; k++) {
        int letters = 0, dots = 0;
        for (const char *q = tb[k]; q < te[k]; q++) {
            if (*q == '.') dots++;
            else letters++;
        }
        nell[k] = dots ? c->in[k]->ndim - letters : 0;
        if (nell[k] < 0 || (!dots && letters != c->in[k]->ndim))
            return mote_op_error(c, MOTE_ERR_SHAPE, "equation '%s': operand %d has rank %d, the term "
                                 "has %d letters", eq0, k, c->in[k]->ndim, letters);
        if (nell[k] > max_ell)
            max_ell = nell[k];
    }
    int64_t size[MAX_LETTERS];
    int seen[MAX_LETTERS] = {0};
    for (int l = 0; l < MAX_LETTERS; l++)
        size[l] = 1;
    for (int k = 0; k < nt; k++) {
        int he;
        cnt[k] = parse_term(tb[k], te[k], ids[k], nell[k], max_ell, &he);
        if (cnt[k] < 0 || cnt[k] != c->in[k]->ndim)
            return mote_op_error(c, MOTE_ERR_SHAPE, "equation '%s': cannot parse operand %d", eq0, k);
        for (int d = 0; d < cnt[k]; d++) {
            int l = ids[k][d];
            int64_t dim = c->in[k]->dims[d];
            if (seen[l] && size[l] != dim && !(l >= ELL0 && (dim == 1 || size[l] == 1)))
                return mote_op_error(c, MOTE_ERR_SHAPE, "equation '%s': index '%c' has sizes %lld "
                                     "and %lld", eq0, l < 26 ? 'a' + l : l < ELL0 ? 'A' + l - 26 : '.',
                                     (long long)size[l], (long long)dim);
            if (!seen[l] || size[l] == 1)
                size[l] = dim;
            seen[l]++;
        }
    }
    /* output letters */
    int out[MOTE_MAX_DIMS + 2], no = 0;
    if (arrow) {
        int he;
        no = parse_term(arrow + 2, eq + n, out, max_ell, max_ell, &he);
        if (no < 0)
            return mote_op_error(c, MOTE_ERR_SHAPE, "equation '%s': cannot parse the output", eq0);
        for (int i = 0; i < no; i++) {
            if (!seen[out[i]])
                return mote_op_error(c, MOTE_ERR_SHAPE, "equation '%s': output index not in any "
                                     "operand", eq0);
            for (int j = 0; j < i; j++)
                if (out[j] == out[i])
                    return mote_op_error(c, MOTE_ERR_SHAPE, "equation '%s': output repeats an "
                                         "index", eq0);
        }
    } else {
        for (int i = 0; i < max_ell; i++)
            out[no++] = ELL0 + i;
        for (int l = 0; l < ELL0; l++)
            if (seen[l] == 1)
                out[no++] = l;
    }
    if (no > MOTE_MAX_DIMS)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "equation '%s': output rank %d exceeds %d",
                             eq0, no, MOTE_MAX_DIMS);
    *ond = no;
    for (int i = 0; i < no; i++)
        odims[i] = size[out[i]];
    if (!p)
        return MOTE_OK;
    /* order: output letters, then the summed ones */
    int order[MAX_LETTERS], nl = 0, placed[MAX_LETTERS] = {0};
    for (int i = 0; i < no; i++) {
        order[nl++] = out[i];
        placed[out[i]] = 1;
    }
    for (int l = 0; l < MAX_LETTERS; l++)
        if (seen[l] && !placed[l])
            order[nl++] = l;
    p->nops = nt;
    p->nl = nl;
    p->no = no;
    p->count = mote_dims_prod(odims, no);
    for (int i = 0; i < nl; i++)
        p->sz[i] = size[order[i]];
    for (int k = 0; k < nt; k++) {
        int64_t stride = 1;
        for (int d = cnt[k] - 1; d >= 0; d--) {
            int64_t dim = c->in[k]->dims[d];
            for (int i = 0; i < nl; i++)
                if (order[i] == ids[k][d] && !(dim == 1 && p->sz[i] != 1))
                    p->st[k][i] += stride;
            stride *= dim;
        }
    }
    return MOTE_OK;
}

static mote_status infer_einsum(mote_op_ctx *c)
{
    int nd;
    int64_t od[MOTE_MAX_DIMS + 2];
    mote_status st = einsum_setup(c, NULL, &nd, od);
    if (st)
        return st;
    mote_set_out(c, 0, MOTE_F32, nd, od);
    return MOTE_OK;
}

static mote_status prepare_einsum(mote_op_ctx *c)
{
    einsum_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    int nd;
    int64_t od[MOTE_MAX_DIMS + 2];
    mote_status st = einsum_setup(c, p, &nd, od);
    if (st)
        return st;
    c->params = p;
    c->run = run_einsum;
    return MOTE_OK;
}

const mote_op mote_op_Einsum = {"Einsum", 1, MAX_OPS, 1, 1, 0, infer_einsum, prepare_einsum, NULL};
