/*
 * quantize.h — quantizing a decoder's weight matrices to q8_0 / q4_0 blocks
 * (formats in kernels/llm.h): a new graph with the same metadata, the
 * matrices replaced by u8 tensors (N, row bytes) and everything else
 * copied. The nodes are not copied: the caller rebuilds them for the new
 * weight type (models/llama). Not a general-purpose quantizer: only 2-D
 * f32 weights whose names the caller selects are touched.
 */
#ifndef MOTE_QUANT_H
#define MOTE_QUANT_H

#include "mote.h"
#include "llm.h"
#include "progress.h"

/* "f32" / "q8_0" / "q4_0" -> mote_wtype, or -1. */
int mote_wtype_from_name(const char *name);
const char *mote_wtype_name(mote_wtype t);

/*
 * Copies src's weights and metadata into a new graph, quantizing each 2-D
 * f32 weight for which select(name) returns true and whose rows are whole
 * blocks of 32 (others stay f32); select NULL: every 2-D f32 weight but the
 * tokenizer's, with the token embedding and the classifier in f16 for q8_0.
 * Metadata key "llama.weight_type" is not copied (the
 * builder records the new one).
 */
mote_status mote_quantize_weights(const mote_graph *src, mote_wtype t,
                                  int (*select)(const char *name), mote_graph **out);
/* The same, telling progress (may be NULL) "weights", done of total. */
mote_status mote_quantize_weights_progress(const mote_graph *src, mote_wtype t,
                                           int (*select)(const char *name),
                                           const mote_llm_progress *progress, mote_graph **out);

#endif
