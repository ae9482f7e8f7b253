/*
 * cli_fixture.c — writes the small models and files that tests/test_cli.sh
 * runs the `mote` tool on, built with the graph builder so the test needs
 * no Python and no bundled model:
 *
 *   tiny.mote          y = x @ W + b, x f32[1,4], W (4,3) and b (3) small
 *                      integers (exact in f32); labels "cat,dog,bird"
 *   x.npy              f32[1,4] = 1 2 3 4
 *   x_wrong_shape.npy  f32[2,5]
 *   x_i32.npy          i32[1,4]
 *   expect_y.npy       f32[1,3], y computed here in double
 *   img.mote           logits = Flatten(image) @ W + b, image f32[1,1,28,28]:
 *                      W[:,k] = a_k/784, a = (-20, 0, 20), b = (8, 0, -12), so the
 *                      mean brightness m gives logits (8-20m, 0, 20m-12):
 *                      black -> "dark", grey -> "medium", white -> "bright"
 *   samples/NN_x.pgm   28x28 images whose names carry their labels, one of
 *                      them deliberately mislabelled (04_dark.pgm is white);
 *                      05_brig.pgm names its class by a prefix
 *   conv.mote          Conv 4x2x3x3 (pads 1, bias) -> Relu -> MaxPool 2x2/2 on
 *                      x f32[1,2,5,5]
 *   data/              fashion.mote (img.mote with an open batch dimension)
 *                      and samples/, for MOTE_DATA
 *   img2.npy           f32[2,1,28,28] of zeros, a batch of two black images
 *   not_a_model.mote   text
 *
 * Not a test by itself: it only writes files. Usage: cli_fixture DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mote.h"
#include "format/npy.h"

static int fail(const char *what)
{
    fprintf(stderr, "cli_fixture: %s: %s\n", what, mote_last_error());
    return 1;
}

static char *join(const char *dir, const char *leaf)
{
    static char buf[8][1024];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, sizeof buf[0], "%s/%s", dir, leaf);
    return p;
}

static int write_npy(const char *path, mote_dtype dt, int ndim, const int64_t *dims,
                     const void *data)
{
    mote_tensor t = { .dtype = dt, .ndim = ndim, .data = (void *)data };
    for (int i = 0; i < ndim; i++)
        t.dims[i] = dims[i];
    return mote_npy_write(path, &t) ? fail(path) : 0;
}

static int write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "cli_fixture: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

static int tiny_model(const char *dir)
{
    static const float w[12] = { 1, 0, -1, 2, 1, 0, 0, 3, 1, -1, 0, 2 };  /* (4, 3) */
    static const float b[3] = { 1, -2, 0.5f };
    static const float x[4] = { 1, 2, 3, 4 };
    mote_graph *g = mote_graph_new();
    if (!g)
        return fail("mote_graph_new");
    const int64_t xd[2] = { 1, 4 }, wd[2] = { 4, 3 }, bd[1] = { 3 };
    int in[2], h, y;
    in[0] = mote_graph_input(g, "x", MOTE_F32, 2, xd);
    in[1] = mote_graph_weight(g, "W", MOTE_F32, 2, wd, w);
    mote_graph_node(g, "MatMul", "matmul", 2, in, 1, (const char *[]){ "h" }, &h);
    in[0] = h;
    in[1] = mote_graph_weight(g, "b", MOTE_F32, 1, bd, b);
    mote_graph_node(g, "Add", "add", 2, in, 1, (const char *[]){ "y" }, &y);
    mote_graph_output(g, y);
    mote_graph_meta_string(g, "labels", "cat,dog,bird");
    mote_graph_meta_string(g, "description", "cli test model: y = x @ W + b");
    mote_status st = mote_graph_save(g, join(dir, "tiny.mote"));
    mote_graph_free(g);
    if (st)
        return fail("tiny.mote");

    float ey[3];
    for (int j = 0; j < 3; j++) {
        double s = b[j];
        for (int k = 0; k < 4; k++)
            s += (double)x[k] * w[k * 3 + j];
        ey[j] = (float)s;
    }
    const int64_t yd[2] = { 1, 3 }, wrong[2] = { 2, 5 };
    float zeros[10] = { 0 };
    int32_t xi[4] = { 1, 2, 3, 4 };
    return write_npy(join(dir, "x.npy"), MOTE_F32, 2, xd, x) ||
           write_npy(join(dir, "expect_y.npy"), MOTE_F32, 2, yd, ey) ||
           write_npy(join(dir, "x_wrong_shape.npy"), MOTE_F32, 2, wrong, zeros) ||
           write_npy(join(dir, "x_i32.npy"), MOTE_I32, 2, xd, xi);
}

static int image_model(const char *path, int64_t batch)
{
    enum { P = 28 * 28 };
    static float w[P * 3];  /* (784, 3) */
    const float a[3] = { -20, 0, 20 }, b[3] = { 8, 0, -12 };
    for (int i = 0; i < P; i++)
        for (int k = 0; k < 3; k++)
            w[i * 3 + k] = a[k] / P;
    mote_graph *g = mote_graph_new();
    if (!g)
        return fail("mote_graph_new");
    const int64_t xd[4] = { batch, 1, 28, 28 }, wd[2] = { P, 3 }, bd[1] = { 3 };
    int in[2], flat, h, y;
    in[0] = mote_graph_input(g, "image", MOTE_F32, 4, xd);
    int n = mote_graph_node(g, "Flatten", "flatten", 1, in, 1, NULL, &flat);
    mote_graph_attr_int(g, n, "axis", 1);
    in[0] = flat;
    in[1] = mote_graph_weight(g, "W", MOTE_F32, 2, wd, w);
    mote_graph_node(g, "MatMul", "matmul", 2, in, 1, NULL, &h);
    in[0] = h;
    in[1] = mote_graph_weight(g, "b", MOTE_F32, 1, bd, b);
    mote_graph_node(g, "Add", "add", 2, in, 1, (const char *[]){ "logits" }, &y);
    mote_graph_output(g, y);
    mote_graph_meta_string(g, "labels", "dark, medium ,bright");
    mote_status st = mote_graph_save(g, path);
    mote_graph_free(g);
    return st ? fail(path) : 0;
}

/* Conv (bias, pads 1) -> Relu -> MaxPool 2x2/2: FLOPs known by hand. */
static int conv_model(const char *path)
{
    static float w[4 * 2 * 3 * 3], b[4];  /* (OC, C, KH, KW), (OC) */
    mote_graph *g = mote_graph_new();
    if (!g)
        return fail("mote_graph_new");
    const int64_t xd[4] = { 1, 2, 5, 5 }, wd[4] = { 4, 2, 3, 3 }, bd[1] = { 4 };
    const int64_t pads[4] = { 1, 1, 1, 1 }, k2[2] = { 2, 2 };
    int in[3], c, r, y;
    in[0] = mote_graph_input(g, "x", MOTE_F32, 4, xd);
    in[1] = mote_graph_weight(g, "w", MOTE_F32, 4, wd, w);
    in[2] = mote_graph_weight(g, "b", MOTE_F32, 1, bd, b);
    int n = mote_graph_node(g, "Conv", "conv", 3, in, 1, NULL, &c);
    mote_graph_attr_ints(g, n, "pads", 4, pads);
    mote_graph_node(g, "Relu", "relu", 1, &c, 1, NULL, &r);
    n = mote_graph_node(g, "MaxPool", "pool", 1, &r, 1, (const char *[]){ "y" }, &y);
    mote_graph_attr_ints(g, n, "kernel_shape", 2, k2);
    mote_graph_attr_ints(g, n, "strides", 2, k2);
    mote_graph_output(g, y);
    mote_status st = mote_graph_save(g, path);
    mote_graph_free(g);
    return st ? fail(path) : 0;
}

static int pgm(const char *path, int value)
{
    unsigned char buf[64 + 28 * 28];
    int n = snprintf((char *)buf, 64, "P5\n# cli test image\n28 28\n255\n");
    memset(buf + n, value, 28 * 28);
    return write_file(path, buf, (size_t)n + 28 * 28);
}

static int samples(const char *where)
{
    char dir[1024];  /* join's buffers are reused: keep a copy */
    snprintf(dir, sizeof dir, "%s", where);
    mkdir(dir, 0777);
    return pgm(join(dir, "00_dark.pgm"), 0) || pgm(join(dir, "01_bright.pgm"), 255) ||
           pgm(join(dir, "02_medium.pgm"), 128) || pgm(join(dir, "03_2.pgm"), 250) ||
           pgm(join(dir, "04_dark.pgm"), 255) || pgm(join(dir, "05_brig.pgm"), 255) ||
           write_file(join(dir, "README"), "not an image\n", 13);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: cli_fixture DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    char data[1024];
    snprintf(data, sizeof data, "%s/data", dir);
    mkdir(dir, 0777);
    mkdir(data, 0777);
    static float zeros[2 * 28 * 28];
    const int64_t two[4] = { 2, 1, 28, 28 };
    if (tiny_model(dir) || image_model(join(dir, "img.mote"), 1) ||
        image_model(join(data, "fashion.mote"), -1) || conv_model(join(dir, "conv.mote")) || samples(join(dir, "samples")) ||
        write_npy(join(dir, "img2.npy"), MOTE_F32, 4, two, zeros) ||
        samples(join(data, "samples")) ||
        write_file(join(dir, "not_a_model.mote"), "hello, not a model\n", 19))
        return 1;
    return 0;
}
