/*
 * instr_fixture.c — writes what tests/test_instruments.sh runs the
 * instruments on, from the bundled model (models/fashion/fashion.mote):
 *
 *   x.npy            f32[1,1,28,28]: samples/07_sneaker.pgm, pixels / 255
 *   perturbed.mote   a copy of the model, built through the graph API
 *                    (clone, change one number, mote_graph_save), with
 *                    conv2.weight[0,0,1,1] increased by 0.5; nothing else
 *                    differs, so a trace compared with the original's
 *                    must first diverge at conv2
 *   big.mote         x f32[1,16,48,48] -> Conv 32x16x3x3 -> Relu -> Conv
 *   big_x.npy        32x32x3x3 with a fused Relu ("_act") -> MaxPool 2x2/2
 *                    named "stage 1/pool" (not a file-safe name): about
 *                    64 MFLOP, enough work per node that timer overhead is
 *                    small against each node's time
 *
 * Not a test by itself. Usage: instr_fixture FASHION_DIR OUT_DIR
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph.h"
#include "format/npy.h"
#include "cli/pgm.h"

static int fail(const char *what)
{
    fprintf(stderr, "instr_fixture: %s: %s\n", what, mote_last_error());
    return 1;
}

static char *join(const char *a, const char *b)
{
    char *p = malloc(strlen(a) + strlen(b) + 2);
    if (p)
        sprintf(p, "%s/%s", a, b);
    return p;
}

/* Deterministic small weights: a fixed linear congruential sequence. */
static void fill(float *p, size_t n, float scale)
{
    uint32_t r = 12345;
    for (size_t i = 0; i < n; i++) {
        r = r * 1664525u + 1013904223u;
        p[i] = scale * ((float)(r >> 8) / 16777216.0f - 0.5f);
    }
}

static int big_model(const char *model, const char *xpath)
{
    static float x[16 * 48 * 48], wa[32 * 16 * 9], ba[32], wb[32 * 32 * 9], bb[32];
    fill(x, sizeof x / sizeof *x, 2);
    fill(wa, sizeof wa / sizeof *wa, 0.2f);
    fill(ba, 32, 0.1f);
    fill(wb, sizeof wb / sizeof *wb, 0.1f);
    fill(bb, 32, 0.1f);
    const int64_t xd[4] = { 1, 16, 48, 48 }, wad[4] = { 32, 16, 3, 3 }, wbd[4] = { 32, 32, 3, 3 };
    const int64_t bd[1] = { 32 }, pads[4] = { 1, 1, 1, 1 }, k2[2] = { 2, 2 };
    mote_tensor t = { .dtype = MOTE_F32, .ndim = 4, .dims = { 1, 16, 48, 48 }, .data = x };
    if (mote_npy_write(xpath, &t))
        return fail(xpath);
    mote_graph *g = mote_graph_new();
    if (!g)
        return fail("mote_graph_new");
    int in[3], a, r, b, y;
    in[0] = mote_graph_input(g, "x", MOTE_F32, 4, xd);
    in[1] = mote_graph_weight(g, "conv_a.weight", MOTE_F32, 4, wad, wa);
    in[2] = mote_graph_weight(g, "conv_a.bias", MOTE_F32, 1, bd, ba);
    int n = mote_graph_node(g, "Conv", "conv_a", 3, in, 1, NULL, &a);
    mote_graph_attr_ints(g, n, "pads", 4, pads);
    mote_graph_node(g, "Relu", "relu_a", 1, &a, 1, NULL, &r);
    in[0] = r;
    in[1] = mote_graph_weight(g, "conv_b.weight", MOTE_F32, 4, wbd, wb);
    in[2] = mote_graph_weight(g, "conv_b.bias", MOTE_F32, 1, bd, bb);
    n = mote_graph_node(g, "Conv", "conv_b", 3, in, 1, NULL, &b);
    mote_graph_attr_ints(g, n, "pads", 4, pads);
    mote_graph_attr_string(g, n, "_act", "Relu");
    n = mote_graph_node(g, "MaxPool", "stage 1/pool", 1, &b, 1, (const char *[]){ "y" }, &y);
    mote_graph_attr_ints(g, n, "kernel_shape", 2, k2);
    mote_graph_attr_ints(g, n, "strides", 2, k2);
    mote_graph_output(g, y);
    mote_status st = mote_graph_save(g, model);
    mote_graph_free(g);
    return st ? fail(model) : 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: instr_fixture FASHION_DIR OUT_DIR\n");
        return 2;
    }
    char *model = join(argv[1], "fashion.mote"), *img_path = join(argv[1], "samples/07_sneaker.pgm");
    char *x_path = join(argv[2], "x.npy"), *pert = join(argv[2], "perturbed.mote");
    if (!model || !img_path || !x_path || !pert)
        return 1;
    cli_image img;
    if (cli_pgm_read(img_path, &img))
        return fail(img_path);
    if (img.width != 28 || img.height != 28) {
        fprintf(stderr, "instr_fixture: %s is not 28x28\n", img_path);
        return 1;
    }
    float x[784];
    for (int i = 0; i < 784; i++)
        x[i] = (float)img.pixels[i] / 255.0f;  /* the model's input_scale */
    free(img.pixels);
    mote_tensor t = { .dtype = MOTE_F32, .ndim = 4, .dims = { 1, 1, 28, 28 }, .data = x };
    if (mote_npy_write(x_path, &t))
        return fail(x_path);

    mote_model *m;
    if (mote_model_open(model, &m))
        return fail(model);
    mote_graph *g = mote_graph_clone(mote_model_graph(m), false);  /* owns copies */
    if (!g)
        return fail("mote_graph_clone");
    int v = mote_graph_find_value(g, "conv2.weight");
    if (v < 0 || g->values[v].dtype != MOTE_F32 || g->values[v].ndim != 4) {
        fprintf(stderr, "instr_fixture: %s has no f32 4-d conv2.weight\n", model);
        return 1;
    }
    /* element [0,0,1,1] of (16, 8, 3, 3): the centre tap of filter 0, channel 0 */
    float *w = (float *)g->values[v].data;
    w[1 * 3 + 1] += 0.5f;
    if (mote_graph_save(g, pert))
        return fail(pert);
    mote_graph_free(g);
    mote_model_close(m);
    char *big = join(argv[2], "big.mote"), *big_x = join(argv[2], "big_x.npy");
    if (!big || !big_x || big_model(big, big_x))
        return 1;
    free(big);
    free(big_x);
    free(model);
    free(img_path);
    free(x_path);
    free(pert);
    return 0;
}
