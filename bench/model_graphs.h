/*
 * model_graphs.h — the models the benchmarks build with the C graph API
 * (random weights, batch 1): ResNet-18, MobileNetV2 and one BERT-base
 * encoder layer, and the pieces bench/models uses for single layers.
 * Shared by bench/models (CPU latency) and bench/opencl (device vs CPU).
 */
#ifndef MOTE_BENCH_MODEL_GRAPHS_H
#define MOTE_BENCH_MODEL_GRAPHS_H

#include <stdint.h>
#include "graph/graph.h"

typedef struct net {
    mote_graph *g;
    double flops;        /* per run: 2 * multiply-adds of Conv / MatMul */
    unsigned seed;
    int n;               /* node counter, for unique names */
} net;

/* a pseudo-random value in [-0.5, 0.5) */
float frand(unsigned *s);
/* Conv (+ bias) on an input of C x H x W; *H, *W become the output size. */
int conv(net *m, int x, int64_t C, int64_t OC, int64_t k, int64_t s, int64_t group,
         int64_t *H, int64_t *W);
int relu(net *m, int x);
int image_input(net *m, int64_t C, int64_t H, int64_t W);
void build_resnet18(net *m);
/* MobileNetV2 (width 1.0); ReLU stands in for ReLU6 (same cost). */
void build_mobilenetv2(net *m);
/* One BERT-base encoder layer: seq 128, hidden 768, 12 heads, FFN 3072. */
void build_bert_layer(net *m);

#endif
