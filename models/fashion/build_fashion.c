/*
 * build_fashion.c — writes models/fashion/fashion.mote, the bundled default
 * model, from the weights that train.py saved.
 *
 * What it is: the network of train.py spelled out with mote's graph-builder
 * API (mote.h), then saved with mote_graph_save. It is the last step of the
 * training pipeline and the worked example of building a model in C.
 *
 * What it is not: a trainer, or part of `make check` (the .mote it writes is
 * committed). It is not installed.
 *
 * Usage: build_fashion DIR OUT.mote
 *   DIR holds weights.bin (raw little-endian f32 tensors, in the order of
 *   weights.txt), weights.txt (its manifest: `name dims...` per line) and
 *   accuracy.txt (`key value` lines written by train.py).
 *
 * The graph (input "image" f32 [1,1,28,28] holding pixel/255, output
 * "logits" f32 [1,10]):
 *   Conv(8, 3x3, pads 1) -> BatchNormalization -> Relu -> MaxPool(2x2, stride 2)
 *   Conv(16, 3x3, pads 1) -> Relu -> MaxPool(2x2, stride 2)
 *   Flatten(axis 1) -> Gemm(784 -> 64, transB) -> Relu -> Gemm(64 -> 10, transB)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mote.h"

/* The tensors of weights.bin, in file order (train.py's weight_list). */
typedef struct weight_spec {
    const char *name;
    int ndim;
    int64_t dims[4];
} weight_spec;

enum {
    W_CONV1_W, W_CONV1_B, W_BN_SCALE, W_BN_BIAS, W_BN_MEAN, W_BN_VAR,
    W_CONV2_W, W_CONV2_B, W_FC1_W, W_FC1_B, W_FC2_W, W_FC2_B, W_COUNT
};

static const weight_spec SPECS[W_COUNT] = {
    {"conv1.weight", 4, {8, 1, 3, 3}},
    {"conv1.bias", 1, {8}},
    {"bn1.weight", 1, {8}},
    {"bn1.bias", 1, {8}},
    {"bn1.running_mean", 1, {8}},
    {"bn1.running_var", 1, {8}},
    {"conv2.weight", 4, {16, 8, 3, 3}},
    {"conv2.bias", 1, {16}},
    {"fc1.weight", 2, {64, 784}},
    {"fc1.bias", 1, {64}},
    {"fc2.weight", 2, {10, 64}},
    {"fc2.bias", 1, {10}},
};

/* PyTorch's BatchNorm2d default epsilon, which train.py keeps. */
#define BN_EPSILON 1e-5f

static const char LABELS[] =
    "T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot";

static int64_t spec_numel(const weight_spec *s)
{
    int64_t n = 1;
    for (int d = 0; d < s->ndim; d++)
        n *= s->dims[d];
    return n;
}

static int fail(const char *what, const char *path)
{
    fprintf(stderr, "build_fashion: %s: %s\n", path, what);
    return -1;
}

static void join(char *buf, size_t len, const char *dir, const char *file)
{
    snprintf(buf, len, "%s/%s", dir, file);
}

/* Checks weights.txt against SPECS: same names, same dims, same order, so a
 * change to train.py's network cannot silently misread weights.bin. */
static int check_manifest(const char *dir)
{
    char path[4096], line[512];
    join(path, sizeof path, dir, "weights.txt");
    FILE *f = fopen(path, "r");
    if (!f)
        return fail(strerror(errno), path);
    int k = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char name[128];
        int64_t dims[8];
        int nd = 0, used = 0;
        char *p = line;
        if (sscanf(p, "%127s%n", name, &used) != 1)
            continue;
        p += used;
        long long v;
        while (nd < 8 && sscanf(p, "%lld%n", &v, &used) == 1) {
            dims[nd++] = v;
            p += used;
        }
        if (k >= W_COUNT || strcmp(name, SPECS[k].name) != 0 || nd != SPECS[k].ndim) {
            fprintf(stderr, "build_fashion: %s: tensor %d is \"%s\" (%d dims), expected \"%s\" (%d dims)\n",
                    path, k, name, nd, k < W_COUNT ? SPECS[k].name : "(none)",
                    k < W_COUNT ? SPECS[k].ndim : 0);
            rc = -1;
            break;
        }
        for (int d = 0; d < nd; d++)
            if (dims[d] != SPECS[k].dims[d]) {
                fprintf(stderr, "build_fashion: %s: %s has dim %d = %lld, expected %lld\n",
                        path, name, d, (long long)dims[d], (long long)SPECS[k].dims[d]);
                rc = -1;
            }
        k++;
    }
    fclose(f);
    if (rc == 0 && k != W_COUNT)
        rc = fail("fewer tensors than the network needs", path);
    return rc;
}

/* Reads weights.bin into one buffer; ptrs[i] points at tensor i. The file
 * must be exactly the sum of the tensors' sizes. Assumes a little-endian
 * host, like the rest of mote. */
static float *read_weights(const char *dir, const float *ptrs[W_COUNT])
{
    char path[4096];
    join(path, sizeof path, dir, "weights.bin");
    size_t total = 0;
    for (int i = 0; i < W_COUNT; i++)
        total += (size_t)spec_numel(&SPECS[i]);
    float *buf = malloc(total * sizeof(float) + 1);
    if (!buf) {
        fail("out of memory", path);
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail(strerror(errno), path);
        free(buf);
        return NULL;
    }
    /* Read one byte more than expected to detect a file that is too long. */
    size_t got = fread(buf, 1, total * sizeof(float) + 1, f);
    fclose(f);
    if (got != total * sizeof(float)) {
        fprintf(stderr, "build_fashion: %s: %zu bytes, expected %zu\n",
                path, got, total * sizeof(float));
        free(buf);
        return NULL;
    }
    size_t off = 0;
    for (int i = 0; i < W_COUNT; i++) {
        ptrs[i] = buf + off;
        off += (size_t)spec_numel(&SPECS[i]);
    }
    return buf;
}

/* Reads `accuracy` and `correct` from accuracy.txt. */
static int read_accuracy(const char *dir, double *acc, long *correct, long *total)
{
    char path[4096], line[256], key[64];
    join(path, sizeof path, dir, "accuracy.txt");
    FILE *f = fopen(path, "r");
    if (!f)
        return fail(strerror(errno), path);
    int seen = 0;
    while (fgets(line, sizeof line, f)) {
        double v;
        if (line[0] == '#' || sscanf(line, "%63s %lf", key, &v) != 2)
            continue;
        if (strcmp(key, "accuracy") == 0) { *acc = v; seen |= 1; }
        if (strcmp(key, "correct") == 0) { *correct = (long)v; seen |= 2; }
        if (strcmp(key, "total") == 0) { *total = (long)v; seen |= 4; }
    }
    fclose(f);
    return seen == 7 ? 0 : fail("missing `accuracy`, `correct` or `total`", path);
}

/* Adds one node with one output and returns that output's value id (-1 on
 * failure, with mote_last_error set). */
static int node1(mote_graph *g, const char *op, const char *name, int n_in,
                 const int *in, const char *out_name, int *node_id)
{
    int out = -1;
    const char *names[1] = {out_name};
    int id = mote_graph_node(g, op, name, n_in, in, 1, out_name ? names : NULL, &out);
    if (node_id)
        *node_id = id;
    return id < 0 ? -1 : out;
}

static int build(mote_graph *g, const float *const w[W_COUNT], double acc,
                 long correct, long total)
{
    int wid[W_COUNT];
    for (int i = 0; i < W_COUNT; i++) {
        wid[i] = mote_graph_weight(g, SPECS[i].name, MOTE_F32, SPECS[i].ndim,
                                   SPECS[i].dims, w[i]);
        if (wid[i] < 0)
            return -1;
    }
    const int64_t in_dims[4] = {1, 1, 28, 28};
    const int64_t k3[2] = {3, 3}, pads1[4] = {1, 1, 1, 1}, one2[2] = {1, 1};
    const int64_t k2[2] = {2, 2}, stride2[2] = {2, 2};
    int x = mote_graph_input(g, "image", MOTE_F32, 4, in_dims);
    int n, st = 0;

    /* Block 1: (1,1,28,28) -> conv (1,8,28,28) -> bn -> relu -> pool (1,8,14,14) */
    x = node1(g, "Conv", "conv1", 3, (int[]){x, wid[W_CONV1_W], wid[W_CONV1_B]}, "conv1", &n);
    st |= x < 0 || mote_graph_attr_ints(g, n, "kernel_shape", 2, k3) ||
          mote_graph_attr_ints(g, n, "pads", 4, pads1) ||
          mote_graph_attr_ints(g, n, "strides", 2, one2);
    x = node1(g, "BatchNormalization", "bn1", 5,
              (int[]){x, wid[W_BN_SCALE], wid[W_BN_BIAS], wid[W_BN_MEAN], wid[W_BN_VAR]}, "bn1", &n);
    st |= x < 0 || mote_graph_attr_float(g, n, "epsilon", BN_EPSILON);
    x = node1(g, "Relu", "relu1", 1, (int[]){x}, "relu1", NULL);
    x = node1(g, "MaxPool", "pool1", 1, (int[]){x}, "pool1", &n);
    st |= x < 0 || mote_graph_attr_ints(g, n, "kernel_shape", 2, k2) ||
          mote_graph_attr_ints(g, n, "strides", 2, stride2);

    /* Block 2: (1,8,14,14) -> conv (1,16,14,14) -> relu -> pool (1,16,7,7) */
    x = node1(g, "Conv", "conv2", 3, (int[]){x, wid[W_CONV2_W], wid[W_CONV2_B]}, "conv2", &n);
    st |= x < 0 || mote_graph_attr_ints(g, n, "kernel_shape", 2, k3) ||
          mote_graph_attr_ints(g, n, "pads", 4, pads1) ||
          mote_graph_attr_ints(g, n, "strides", 2, one2);
    x = node1(g, "Relu", "relu2", 1, (int[]){x}, "relu2", NULL);
    x = node1(g, "MaxPool", "pool2", 1, (int[]){x}, "pool2", &n);
    st |= x < 0 || mote_graph_attr_ints(g, n, "kernel_shape", 2, k2) ||
          mote_graph_attr_ints(g, n, "strides", 2, stride2);

    /* Classifier: (1,16,7,7) -> (1,784) -> (1,64) -> (1,10).
     * Gemm: Y = X * B^T + C (transB = 1: B is PyTorch's (out, in) weight). */
    x = node1(g, "Flatten", "flatten", 1, (int[]){x}, "flatten", &n);
    st |= x < 0 || mote_graph_attr_int(g, n, "axis", 1);
    x = node1(g, "Gemm", "fc1", 3, (int[]){x, wid[W_FC1_W], wid[W_FC1_B]}, "fc1", &n);
    st |= x < 0 || mote_graph_attr_int(g, n, "transB", 1);
    x = node1(g, "Relu", "relu3", 1, (int[]){x}, "relu3", NULL);
    x = node1(g, "Gemm", "fc2", 3, (int[]){x, wid[W_FC2_W], wid[W_FC2_B]}, "logits", &n);
    st |= x < 0 || mote_graph_attr_int(g, n, "transB", 1);
    if (st || x < 0 || mote_graph_output(g, x) != MOTE_OK)
        return -1;

    char desc[512];
    snprintf(desc, sizeof desc,
             "Fashion-MNIST classifier, mote's bundled default model: two 3x3 conv "
             "blocks (8 and 16 channels, BatchNormalization after the first) and a "
             "784-64-10 classifier. Input image f32[1,1,28,28] = pixel/255 (white "
             "garment on black, as in Fashion-MNIST); output logits f32[1,10]. "
             "Test accuracy %ld/%ld.", correct, total);
    if (mote_graph_meta_string(g, "name", "fashion") ||
        mote_graph_meta_string(g, "description", desc) ||
        mote_graph_meta_string(g, "labels", LABELS) ||
        mote_graph_meta_string(g, "input_scale", "1/255") ||
        mote_graph_meta_float(g, "accuracy", acc) ||
        mote_graph_meta_int(g, "test_correct", correct) ||
        mote_graph_meta_int(g, "test_total", total) ||
        mote_graph_meta_string(g, "dataset", "Fashion-MNIST (Zalando Research, MIT licence)") ||
        mote_graph_meta_string(g, "producer", "mote models/fashion (train.py + build_fashion)"))
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "--help") == 0) {
        fprintf(stderr, "usage: build_fashion DIR OUT.mote\n"
                        "  DIR: weights.bin, weights.txt and accuracy.txt from train.py\n");
        return argc == 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    const char *dir = argv[1], *out = argv[2];
    double acc = 0;
    long correct = 0, total = 0;
    const float *w[W_COUNT];
    if (check_manifest(dir) || read_accuracy(dir, &acc, &correct, &total))
        return 1;
    float *buf = read_weights(dir, w);
    if (!buf)
        return 1;
    int rc = 1;
    mote_graph *g = mote_graph_new();
    if (!g)
        fprintf(stderr, "build_fashion: out of memory\n");
    else if (build(g, w, acc, correct, total) != 0)
        fprintf(stderr, "build_fashion: building the graph: %s\n", mote_last_error());
    else if (mote_graph_check(g) != MOTE_OK)
        fprintf(stderr, "build_fashion: the graph is invalid: %s\n", mote_last_error());
    else if (mote_graph_save(g, out) != MOTE_OK)
        fprintf(stderr, "build_fashion: %s: %s\n", out, mote_last_error());
    else
        rc = 0;
    mote_graph_free(g);
    free(buf);
    return rc;
}
