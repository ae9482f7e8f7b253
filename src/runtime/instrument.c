/*
 * instrument.c — per-node cost estimates and tensor summaries for the
 * instruments (see instrument.h). Pure functions of a session's shapes and
 * data; they run nothing, allocate nothing and print nothing.
 */
#include "instrument.h"

#include <math.h>
#include <string.h>

static double numel(const mote_tensor *t)
{
    int64_t n = mote_tensor_numel(t);
    return n < 0 ? 0 : (double)n;
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

/* The sizes an Einsum equation's labels run over: the product of every
 * distinct letter's size (from the operand that has it) and of the
 * broadcast "..." dims (the largest over the operands); 0 if the
 * equation does not match the operands (the op refuses those). */
static double einsum_space(const mote_session *s, const mote_node *n)
{
    const char *eq = mote_attr_get_string(n, "equation", NULL);
    if (!eq)
        return 0;
    int64_t size[52] = {0};
    double ell = 1;
    int k = 0;
    const char *p = eq;
    while (*p && *p != '-' && k < n->n_in) {
        const mote_tensor *t = in_val(s, n, k);
        if (!t)
            return 0;
        int letters = 0, dots = 0;
        const char *q = p;
        for (; *q && *q != ',' && *q != '-'; q++) {
            if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')) letters++;
            else if (*q == '.') dots++;
        }
        int nell = dots ? t->ndim - letters : 0;
        if (nell < 0 || (!dots && letters != t->ndim))
            return 0;
        double e = 1;
        for (int d = 0; p < q; p++) {
            if (*p == '.') {
                if (p[1] != '.' || p[2] != '.')
                    return 0;
                for (int i = 0; i < nell; i++) e *= (double)t->dims[d++];
                p += 2;
            } else if (*p != ' ') {
                int li = *p >= 'a' ? *p - 'a' : 26 + *p - 'A';
                if (li < 0 || li >= 52)
                    return 0;
                if (t->dims[d] > size[li]) size[li] = t->dims[d];
                d++;
            }
        }
        if (e > ell) ell = e;
        k++;
        if (*p == ',') p++;
    }
    double space = ell;
    for (int i = 0; i < 52; i++)
        if (size[i]) space *= (double)size[i];
    return space;
}

/*
 * Floating-point operations of one node, from shapes (a multiply-add is 2;
 * the 8-bit and integer products count their integer multiply-adds the
 * same way):
 *   MatMul, MatMulInteger, QLinearMatMul  2 * numel(Y) * K (K: A's last
 *           dimension); QFullyConnected 2 * numel(Y) * K (K: W's second)
 *   Gemm    2 * M * N * K (+ M*N for the bias)
 *   Conv, QConv, ConvInteger, QLinearConv  2 * numel(Y) * C/g * KH * KW
 *           (+ numel(Y) for the bias, + numel(Y) for a fused residual
 *           Add, input 3 of Conv)
 *   ConvTranspose 2 * numel(X) * OC/g * KH * KW (+ numel(Y) for the bias)
 *   pools   numel(Y) * kernel area (QAveragePool too); global pool numel(X)
 *   reductions (Reduce*, ArgMax, ArgMin, TopK)  numel(X): one step per
 *           input element
 *   LSTM, GRU  2 * T * B * D * G * (I + H): the gates' products, G = 4H or
 *           3H rows (W's second dimension), D directions; the gates'
 *           elementwise work is below the estimate's precision
 *   Einsum  numel(X) for one operand; for n >= 2, n * the product of the
 *           sizes of every label (n - 1 multiplies and an add per term)
 *   LRN     numel(Y) * size
 *   Resize, Upsample: nearest 0 (a copy); linear 2 * 2^r and cubic 2 * 4^r
 *           per output element, r = the number of axes whose size changes
 *   LlmLinear 2 * numel(Y) * K (K: X's last dimension)
 *   LlmAttention 4 * T(T+1)/2 * n_heads * head_size: the scores and the
 *           weighted sum of a pass of T rows from position 0 (a step at
 *           position p does 4 * (p+1) * n_heads * head_size per row,
 *           which the shapes alone do not tell)
 *   shape-only and copying ops (Reshape, Flatten, Gather, LlmEmbedding,
 *   ...) 0; anything else numel(Y).
 * A fused activation ("_act") adds nothing: it is one op per output
 * element at most, below the estimate's precision.
 */
double mote_node_flops(const mote_session *s, const mote_node *n)
{
    if (n->n_out < 1)
        return 0;
    const mote_tensor *y = &s->vals[n->out[0]];
    const mote_tensor *a = in_val(s, n, 0), *b = in_val(s, n, 1);
    double ny = numel(y);
    const char *op = n->op;
    if (strcmp(op, "MatMul") == 0 && a && a->ndim >= 1)
        return 2 * ny * (double)a->dims[a->ndim - 1];
    if (strcmp(op, "Gemm") == 0 && a && a->ndim == 2) {
        int64_t k = mote_attr_get_int(n, "transA", 0) ? a->dims[0] : a->dims[1];
        return 2 * ny * (double)k + (in_val(s, n, 2) ? ny : 0);
    }
    if (strcmp(op, "Conv") == 0 && b && b->ndim >= 3)
        return 2 * ny * dims_product(b, 1) + (in_val(s, n, 2) ? ny : 0) + (in_val(s, n, 3) ? ny : 0);
    if ((strcmp(op, "QConv") == 0 || strcmp(op, "ConvInteger") == 0) && b && b->ndim >= 3)
        return 2 * ny * dims_product(b, 1) + (strcmp(op, "QConv") == 0 && in_val(s, n, 2) ? ny : 0);
    if (strcmp(op, "QLinearConv") == 0) {
        const mote_tensor *w = in_val(s, n, 3);
        if (w && w->ndim >= 3)
            return 2 * ny * dims_product(w, 1) + (in_val(s, n, 8) ? ny : 0);
    }
    if ((strcmp(op, "MatMulInteger") == 0 || strcmp(op, "QLinearMatMul") == 0) && a && a->ndim >= 1)
        return 2 * ny * (double)a->dims[a->ndim - 1];
    if (strcmp(op, "QFullyConnected") == 0 && b && b->ndim == 2)
        return 2 * ny * (double)b->dims[1] + (in_val(s, n, 2) ? ny : 0);
    if (strncmp(op, "Reduce", 6) == 0 || strcmp(op, "ArgMax") == 0 || strcmp(op, "ArgMin") == 0 ||
        strcmp(op, "TopK") == 0)
        return a ? numel(a) : ny;
    if (strcmp(op, "LSTM") == 0 || strcmp(op, "GRU") == 0) {
        const mote_tensor *r = in_val(s, n, 2);
        if (a && a->ndim == 3 && b && b->ndim == 3 && r && r->ndim == 3)
            return 2 * (double)a->dims[0] * (double)a->dims[1] * (double)b->dims[0] * (double)b->dims[1] *
                   ((double)b->dims[2] + (double)r->dims[2]);
    }
    if (strcmp(op, "Einsum") == 0 && a) {
        if (n->n_in == 1)
            return numel(a);
        double space = einsum_space(s, n);
        return space > 0 ? (double)n->n_in * space : ny;
    }
    if (strcmp(op, "LRN") == 0)
        return ny * (double)mote_attr_get_int(n, "size", 1);
    if (strcmp(op, "ConvTranspose") == 0 && a && b && b->ndim >= 3)
        return 2 * numel(a) * dims_product(b, 1) + (in_val(s, n, 2) ? ny : 0);
    if ((strcmp(op, "Resize") == 0 || strcmp(op, "Upsample") == 0) && a && a->ndim == y->ndim) {
        const char *mode = mote_attr_get_string(n, "mode", "nearest");
        double taps = 1;
        for (int i = 0; i < y->ndim; i++)
            if (y->dims[i] != a->dims[i])
                taps *= strcmp(mode, "cubic") == 0 ? 4 : strcmp(mode, "nearest") == 0 ? 1 : 2;
        return strcmp(mode, "nearest") == 0 ? 0 : 2 * taps * ny;
    }
    if (strcmp(op, "LlmLinear") == 0 && a && a->ndim >= 1)
        return 2 * ny * (double)a->dims[a->ndim - 1];
    if (strcmp(op, "LlmAttention") == 0 && a && a->ndim == 2) {
        double T = (double)a->dims[0];
        return 4 * (T * (T + 1) / 2) * (double)a->dims[1];
    }
    if (strcmp(op, "MaxPool") == 0 || strcmp(op, "AveragePool") == 0 || strcmp(op, "QAveragePool") == 0) {
        const int64_t *k;
        int nk = mote_attr_get_ints(n, "kernel_shape", &k);
        double area = 1;
        for (int i = 0; i < nk; i++)
            area *= (double)k[i];
        return ny * area;
    }
    if (strncmp(op, "Global", 6) == 0 && a)
        return numel(a);
    static const char *const free_ops[] = {
        "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Transpose", "Concat",
        "Shape", "Constant", "Gather", "Slice", "Split", "Expand", "Cast", "LlmEmbedding",
        "Tile", "Pad", "DepthToSpace", "SpaceToDepth", "GatherElements", "GatherND", NULL
    };
    for (int i = 0; free_ops[i]; i++)
        if (strcmp(op, free_ops[i]) == 0)
            return 0;
    return ny;
}

double mote_node_bytes(const mote_session *s, const mote_node *n)
{
    double b = 0;
    for (int k = 0; k < n->n_in; k++)
        if (n->in[k] >= 0)
            b += (double)mote_tensor_nbytes(&s->vals[n->in[k]]);
    for (int k = 0; k < n->n_out; k++)
        b += (double)mote_tensor_nbytes(&s->vals[n->out[k]]);
    return b;
}

/* Two passes: the mean first, then the mean squared deviation (more
 * accurate than sum of squares minus squared sum for large offsets). */
void mote_tensor_stats(const mote_tensor *t, mote_tstats *o)
{
    memset(o, 0, sizeof *o);
    o->argmax = -1;
    int64_t n = mote_tensor_numel(t);
    o->n = n < 0 ? 0 : n;
    if (!t->data)
        return;
    double sum = 0, lo = INFINITY, hi = -INFINITY;
    int64_t finite = 0;
    for (int64_t i = 0; i < o->n; i++) {
        double v = mote_tensor_elem(t, i);
        if (isnan(v)) {
            o->nan++;
        } else if (isinf(v)) {
            o->inf++;
        } else {
            finite++;
            sum += v;
            lo = v < lo ? v : lo;
            if (v > hi) {
                hi = v;
                o->argmax = i;
            }
        }
    }
    if (finite == 0)
        return;
    o->min = lo;
    o->max = hi;
    o->mean = sum / (double)finite;
    double ss = 0;
    for (int64_t i = 0; i < o->n; i++) {
        double v = mote_tensor_elem(t, i);
        if (isfinite(v))
            ss += (v - o->mean) * (v - o->mean);
    }
    o->std = sqrt(ss / (double)finite);
}

/* FNV-1a: h = (h XOR byte) * 0x100000001b3, from 0xcbf29ce484222325. */
uint64_t mote_fnv1a64(const void *p, size_t len)
{
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}
