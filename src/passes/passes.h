/*
 * passes.h — convert-time graph optimizations. Each pass rewrites a
 * mote_graph in place and returns how many nodes it removed or fused; the
 * driver (optimize.c) runs them to a fixed point and records, per pass,
 * the node counts before and after in the graph's metadata
 * ("pass.<name>" = "nodes 57 -> 41") so `mote info` can show them.
 * The passes never change what the graph computes beyond float rounding.
 */
#ifndef MOTE_PASSES_H
#define MOTE_PASSES_H

#include "graph/graph.h"

/* Runs every pass; the graph stays valid on failure. */
mote_status mote_optimize(mote_graph *g);

/* The individual passes (each returns MOTE_OK and sets *changed). */
mote_status mote_pass_identity(mote_graph *g, int *changed);    /* Identity, Dropout      */
mote_status mote_pass_dead(mote_graph *g, int *changed);        /* unused nodes           */
mote_status mote_pass_fold(mote_graph *g, int *changed);        /* constant folding       */
mote_status mote_pass_conv_bn(mote_graph *g, int *changed);     /* Conv + BatchNorm       */
mote_status mote_pass_conv_affine(mote_graph *g, int *changed); /* Conv + Mul/Add by const */
mote_status mote_pass_fuse_act(mote_graph *g, int *changed);    /* bias + activation      */
mote_status mote_pass_shape_glue(mote_graph *g, int *changed);  /* computed Reshape shapes */
mote_status mote_pass_gemm(mote_graph *g, int *changed);        /* MatMul + bias -> Gemm  */
mote_status mote_pass_layernorm(mote_graph *g, int *changed);   /* LayerNorm pattern      */
mote_status mote_pass_gelu(mote_graph *g, int *changed);        /* GELU patterns          */
mote_status mote_pass_hardswish(mote_graph *g, int *changed);   /* x*Clip(x+3,0,6)/6      */
mote_status mote_pass_pow(mote_graph *g, int *changed);         /* Pow(x, 2) -> x*x       */
mote_status mote_pass_pad_conv(mote_graph *g, int *changed);    /* zero Pad -> Conv pads  */
mote_status mote_pass_residual(mote_graph *g, int *changed);    /* Conv + residual Add  */
mote_status mote_pass_qdq(mote_graph *g, int *changed);         /* DQ-Conv/MatMul-Q fused */

/* Post-training int8 quantization (quantize_int8.c): whether node ni can
 * be quantized (Conv or Gemm with constant f32 weights, no fused
 * activation but Relu), and the rewrite of the target nodes given every
 * value's calibrated range lo[v]..hi[v]; *count nodes were quantized. */
bool mote_int8_target(const mote_graph *g, int ni);
mote_status mote_quantize_int8(mote_graph *g, const bool *target, const float *lo, const float *hi,
                               int *count);

/* Shared by passes (pass_util.c). */
/* One step of a rewriting pass: looks at node i and, where its pattern
 * matches, rewrites the graph, marks in dead[] the nodes that no longer
 * compute anything and returns how many it marked (0 otherwise); an error
 * goes in *st. */
typedef int (*mote_pass_visit)(mote_graph *g, int i, bool *dead, void *ctx, mote_status *st);
/* Runs visits[0] over every node in order, then visits[1], ... over the
 * same dead marks (each sees the rewrites before it), stopping at the
 * first error; then compacts the dead nodes away. *changed: how many. */
mote_status mote_pass_sweep(mote_graph *g, int *changed, const mote_pass_visit *visits, int n_visits,
                            void *ctx);
/* Number of nodes reading value v, plus 1 if v is a graph output. */
int mote_pass_uses(const mote_graph *g, int v);
/* The node producing v, or -1. */
int mote_pass_producer(const mote_graph *g, int v);
/* Node n carries a fused activation ("_act", pass_fuse_act.c) or a fused
 * residual ("_residual", pass_residual.c): its output is not the plain
 * op's, so patterns that read it as one must skip it. */
bool mote_pass_has_act(const mote_node *n);
/* Replaces every use of value `from` (node inputs, graph outputs) by `to`. */
void mote_pass_replace_uses(mote_graph *g, int from, int to);
/* Every value's dtype and shape, from a shape inference in which each
 * open dim of the graph inputs is `fill`; values it could not reach have
 * ndim -1. calloc'd (n_values), or NULL. No kernels run. */
mote_tensor *mote_pass_shapes(const mote_graph *g, int64_t fill);
/* Turns node ni into `op` with inputs in[0..n_in), dropping its attributes
 * (outputs stay). */
mote_status mote_pass_rewrite(mote_graph *g, int ni, const char *op, int n_in, const int *in);
/* Conv node ci's weight and bias inputs become values w and b (a third
 * input added if it had two): 1, or 0 with *st set when out of memory. */
int mote_pass_conv_params(mote_graph *g, int ci, int w, int b, mote_status *st);
/* v is an f32 weight of exactly n elements: its data, or NULL. */
const float *mote_pass_f32_weight(const mote_graph *g, int v, int64_t n);
/* v is an f32 scalar (one element) weight; its value in *out. */
bool mote_pass_scalar(const mote_graph *g, int v, float *out);
/* |v - want| within float rounding of a constant an exporter wrote. */
bool mote_pass_near(float v, double want);

#endif
