/*
 * fuzz_mote.c — libFuzzer target for the .mote reader: opens the bytes
 * with mote_model_open_memory, reads every input/output description and a
 * metadata key, makes a one-thread session under a small memory budget,
 * runs it once on zero inputs when they and the estimated work are
 * small (FUZZ_MAX_WORK), and checks every
 * checksum with mote_format_verify. Any crash, leak or sanitizer report is
 * a finding; error statuses are expected. Not a test of results. The
 * libFuzzer build adds a structure-aware mutator (mutate_mote.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mote.h"
#include "format/format.h"
#include "runtime/instrument.h"
#include "fuzz_common.h"

/* A session is run only when its estimated work (instrument.c's FLOPs
 * from shapes, every step once, times 64 when the model loops: the trip
 * limit fuzz_common.h sets) is at most this: the target looks for memory
 * errors and undefined behaviour, and an absurd but valid model (a 2^27 x
 * 2^27 pooling window over a 5x5 input: 10^20 taps) would only make the
 * run time out. */
#define FUZZ_MAX_WORK 2e7

static double session_work(const mote_session *s)
{
    double work = 0;
    int loops = 0;
    for (int t = 0; t < s->n_steps; t++) {
        const mote_node *n = &s->g->nodes[s->step_node[t]];
        work += mote_node_flops(s, n);
        loops |= strcmp(n->op, "LoopBegin") == 0;
        /* and each output's rows as if its zero-sized dimensions were 1:
         * an op walks the outer rows of an empty tensor (2^40 rows of
         * width 0 took minutes in LpNormalization), work the FLOPs miss */
        const mote_step *st = &s->steps[t];
        for (int k = 0; k < st->n_out; k++) {
            if (!st->out[k]) continue;
            double rows = 1;
            for (int d = 0; d < st->out[k]->ndim; d++)
                rows *= st->out[k]->dims[d] > 1 ? (double)st->out[k]->dims[d] : 1.0;
            work += rows;
        }
    }
    return loops ? 64 * work : work;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mote_fuzz_setup();
    (void)mote_format_verify(data, size, "fuzz input");
    mote_model *m = NULL;
    if (mote_model_open_memory(data, size, &m) != MOTE_OK)
        return 0;
    int ni = mote_model_num_inputs(m), no = mote_model_num_outputs(m);
    mote_tensor info;
    for (int i = 0; i < no; i++)
        (void)mote_model_output(m, i, &info);
    (void)mote_model_meta(m, "producer");
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    o.pin = 0;
    mote_session *s = NULL;
    if (mote_session_new(m, &o, &s) == MOTE_OK) {
        /* Zero inputs of the model's shapes, when every one is small. */
        mote_tensor *in = calloc((size_t)ni + 1, sizeof *in);
        int ok = in != NULL && ni <= 16 && session_work(s) <= FUZZ_MAX_WORK;
        for (int i = 0; ok && i < ni; i++) {
            (void)mote_model_input(m, i, &in[i]);
            size_t nb = mote_tensor_nbytes(&in[i]);
            if (nb == 0 && mote_tensor_numel(&in[i]) != 0) { ok = 0; break; }
            if (nb > (1u << 20)) { ok = 0; break; }
            in[i].data = calloc(1, nb ? nb : 1);
            if (!in[i].data) ok = 0;
        }
        if (ok && mote_session_run(s, in, ni) == MOTE_OK) {
            for (int i = 0; i < no; i++) {
                mote_tensor t;
                if (mote_session_output(s, i, &t) == MOTE_OK && t.data) {
                    size_t nb = mote_tensor_nbytes(&t);
                    volatile uint8_t sink = 0;
                    for (size_t k = 0; k < nb; k += 64) sink ^= ((const uint8_t *)t.data)[k];
                    (void)sink;
                }
            }
        }
        for (int i = 0; in && i < ni; i++) free(in[i].data);
        free(in);
        mote_session_free(s);
    }
    mote_model_close(m);
    return 0;
}

#ifdef MOTE_FUZZ_MUTATOR
#include "mutate_mote.c"
#endif
