/*
 * model_graphs.c — the benchmark models built with the C graph API (see
 * model_graphs.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "model_graphs.h"
float frand(unsigned *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (float)((*s >> 8) & 0xffff) / 65536.0f - 0.5f;
}

static int weight(net *m, int ndim, const int64_t *dims, float scale)
{
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) n *= dims[i];
    float *d = malloc(sizeof(float) * (size_t)n);
    if (!d) return -1;
    for (int64_t i = 0; i < n; i++) d[i] = frand(&m->seed) * scale;
    char name[32];
    snprintf(name, sizeof name, "w%d", m->n++);
    int id = mote_graph_weight(m->g, name, MOTE_F32, ndim, dims, d);
    free(d);
    return id;
}

static int node(net *m, const char *op, int n_in, const int *in)
{
    char name[32];
    int out;
    snprintf(name, sizeof name, "%s%d", op, m->n++);
    int id = mote_graph_node(m->g, op, name, n_in, in, 1, NULL, &out);
    (void)id;
    return out;
}
static int node_id(net *m, const char *op, int n_in, const int *in, int *out)
{
    char name[32];
    snprintf(name, sizeof name, "%s%d", op, m->n++);
    return mote_graph_node(m->g, op, name, n_in, in, 1, NULL, out);
}

int conv(net *m, int x, int64_t C, int64_t OC, int64_t k, int64_t s, int64_t group,
         int64_t *H, int64_t *W)
{
    int64_t wd[4] = {OC, C / group, k, k}, bd[1] = {OC};
    int in[3] = {x, weight(m, 4, wd, 2.0f / sqrtf((float)(C / group * k * k))), weight(m, 1, bd, 0.1f)};
    int out;
    int id = node_id(m, "Conv", 3, in, &out);
    int64_t p = k / 2, pads[4] = {p, p, p, p}, st[2] = {s, s}, ks[2] = {k, k};
    mote_graph_attr_ints(m->g, id, "pads", 4, pads);
    mote_graph_attr_ints(m->g, id, "strides", 2, st);
    mote_graph_attr_ints(m->g, id, "kernel_shape", 2, ks);
    mote_graph_attr_int(m->g, id, "group", group);
    *H = (*H + 2 * p - k) / s + 1;
    *W = (*W + 2 * p - k) / s + 1;
    m->flops += 2.0 * (double)OC * (double)(*H * *W) * (double)(C / group * k * k);
    return out;
}
int relu(net *m, int x) { return node(m, "Relu", 1, &x); }
static int add(net *m, int a, int b) { int in[2] = {a, b}; return node(m, "Add", 2, in); }

/* x (..., K) times a (K, N) weight, plus bias; rows = product of the leading dims */
static int linear(net *m, int x, int64_t rows, int64_t K, int64_t N)
{
    int64_t wd[2] = {K, N}, bd[1] = {N};
    int in[2] = {x, weight(m, 2, wd, 2.0f / sqrtf((float)K))};
    int y = node(m, "MatMul", 2, in);
    m->flops += 2.0 * (double)rows * (double)K * (double)N;
    return add(m, y, weight(m, 1, bd, 0.1f));
}

static int head(net *m, int x, int64_t C)
{
    x = node(m, "GlobalAveragePool", 1, &x);
    int out, id = node_id(m, "Flatten", 1, &x, &out);
    mote_graph_attr_int(m->g, id, "axis", 1);
    return linear(m, out, 1, C, 1000);
}

int image_input(net *m, int64_t C, int64_t H, int64_t W)
{
    int64_t d[4] = {1, C, H, W};
    return mote_graph_input(m->g, "x", MOTE_F32, 4, d);
}

void build_resnet18(net *m)
{
    int64_t H = 224, W = 224;
    int x = relu(m, conv(m, image_input(m, 3, H, W), 3, 64, 7, 2, 1, &H, &W));
    int out, id = node_id(m, "MaxPool", 1, &x, &out);
    int64_t ks[2] = {3, 3}, st[2] = {2, 2}, pads[4] = {1, 1, 1, 1};
    mote_graph_attr_ints(m->g, id, "kernel_shape", 2, ks);
    mote_graph_attr_ints(m->g, id, "strides", 2, st);
    mote_graph_attr_ints(m->g, id, "pads", 4, pads);
    x = out;
    H = (H + 2 - 3) / 2 + 1; W = (W + 2 - 3) / 2 + 1;
    int64_t C = 64;
    const int64_t widths[4] = {64, 128, 256, 512};
    for (int stage = 0; stage < 4; stage++)
        for (int b = 0; b < 2; b++) {
            int64_t OC = widths[stage], s = (stage > 0 && b == 0) ? 2 : 1;
            int64_t h = H, w = W, h2 = H, w2 = W;
            int y = relu(m, conv(m, x, C, OC, 3, s, 1, &h, &w));
            y = conv(m, y, OC, OC, 3, 1, 1, &h, &w);
            int sc = s != 1 || C != OC ? conv(m, x, C, OC, 1, s, 1, &h2, &w2) : x;
            x = relu(m, add(m, y, sc));
            H = h; W = w; C = OC;
        }
    mote_graph_output(m->g, head(m, x, C));
}

void build_mobilenetv2(net *m)
{
    int64_t H = 224, W = 224;
    int x = relu(m, conv(m, image_input(m, 3, H, W), 3, 32, 3, 2, 1, &H, &W));
    int64_t C = 32;
    const int64_t cfg[7][4] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                               {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    for (int i = 0; i < 7; i++)
        for (int r = 0; r < cfg[i][2]; r++) {
            int64_t t = cfg[i][0], OC = cfg[i][1], s = r == 0 ? cfg[i][3] : 1, hid = C * t;
            int y = x;
            if (t != 1) y = relu(m, conv(m, y, C, hid, 1, 1, 1, &H, &W));
            y = relu(m, conv(m, y, hid, hid, 3, s, hid, &H, &W));
            y = conv(m, y, hid, OC, 1, 1, 1, &H, &W);
            x = s == 1 && C == OC ? add(m, y, x) : y;
            C = OC;
        }
    x = relu(m, conv(m, x, C, 1280, 1, 1, 1, &H, &W));
    mote_graph_output(m->g, head(m, x, 1280));
}

static int shape_const(net *m, int n, const int64_t *v)
{
    char name[32];
    int64_t d[1] = {n};
    snprintf(name, sizeof name, "shape%d", m->n++);
    return mote_graph_weight(m->g, name, MOTE_I64, 1, d, v);
}
static int reshape(net *m, int x, int n, const int64_t *v)
{
    int in[2] = {x, shape_const(m, n, v)};
    return node(m, "Reshape", 2, in);
}
static int transpose(net *m, int x, const int64_t *perm)
{
    int out, id = node_id(m, "Transpose", 1, &x, &out);
    mote_graph_attr_ints(m->g, id, "perm", 4, perm);
    return out;
}
static int layernorm(net *m, int x, int64_t n)
{
    int64_t d[1] = {n};
    int in[3] = {x, weight(m, 1, d, 0.2f), weight(m, 1, d, 0.2f)};
    int out, id = node_id(m, "LayerNormalization", 3, in, &out);
    mote_graph_attr_int(m->g, id, "axis", -1);
    return out;
}

void build_bert_layer(net *m)
{
    const int64_t S = 128, D = 768, Hh = 12, Dh = 64, F = 3072;
    int64_t xd[3] = {1, S, D};
    int x = mote_graph_input(m->g, "x", MOTE_F32, 3, xd);
    const int64_t split[4] = {1, S, Hh, Dh}, merged[3] = {1, S, D};
    const int64_t bhsd[4] = {0, 2, 1, 3}, bhds[4] = {0, 2, 3, 1};
    int q = transpose(m, reshape(m, linear(m, x, S, D, D), 4, split), bhsd);
    int k = transpose(m, reshape(m, linear(m, x, S, D, D), 4, split), bhds);
    int v = transpose(m, reshape(m, linear(m, x, S, D, D), 4, split), bhsd);
    int in[2] = {q, k};
    int sc = node(m, "MatMul", 2, in);           /* (1, H, S, S) */
    m->flops += 2.0 * Hh * S * S * Dh;
    int64_t one[1] = {1};
    float inv = 0.125f;
    char name[32];
    snprintf(name, sizeof name, "scale%d", m->n++);
    int scale = mote_graph_weight(m->g, name, MOTE_F32, 1, one, &inv);
    int in2[2] = {sc, scale};
    sc = node(m, "Mul", 2, in2);
    int out, id = node_id(m, "Softmax", 1, &sc, &out);
    mote_graph_attr_int(m->g, id, "axis", -1);
    int in3[2] = {out, v};
    int ctx = node(m, "MatMul", 2, in3);          /* (1, H, S, Dh) */
    m->flops += 2.0 * Hh * S * S * Dh;
    ctx = reshape(m, transpose(m, ctx, bhsd), 3, merged);
    int h = layernorm(m, add(m, linear(m, ctx, S, D, D), x), D);
    int f = node(m, "Gelu", 1, (int[]){linear(m, h, S, D, F)});
    int y = layernorm(m, add(m, linear(m, f, S, F, D), h), D);
    mote_graph_output(m->g, y);
}
