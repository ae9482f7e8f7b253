/*
 * chain_fixture.h — long chains of elementwise nodes, as a graph and as
 * ONNX bytes, for the tests and the bench that check load, convert and
 * session creation stay near-linear in the number of nodes.
 */
#ifndef MOTE_CHAIN_FIXTURE_H
#define MOTE_CHAIN_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include "mote.h"

/* x f32[1,4] -> n nodes alternating Relu and Neg -> y; NULL on failure. */
mote_graph *mote_chain_graph(int n);
/* The same chain as an ONNX model (opset 13); malloc'd, *len bytes. */
uint8_t *mote_chain_onnx(int n, size_t *len);
/* Expected y for input x (4 floats) after n nodes. */
void mote_chain_expect(int n, const float *x, float *y);

#endif
