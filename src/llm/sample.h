/*
 * sample.h — choosing the next token from a row of logits: greedy,
 * temperature, a repetition penalty, min-p, top-k and top-p (nucleus), with
 * a small deterministic PRNG
 * so that `--seed S` reproduces a run exactly.
 *
 * The PRNG is xorshift64* (Marsaglia's xorshift, then a multiply), which is
 * what llama2.c uses: not for cryptography, only for reproducible sampling.
 * This file knows nothing of models or tokenizers.
 */
#ifndef MOTE_SAMPLE_H
#define MOTE_SAMPLE_H

#include <stdint.h>
#include "mote.h"

/* a token and its probability, for ordering */
struct prob_id { float p; int id; };

typedef struct mote_sampler {
    int n_vocab;
    float temperature;   /* 0: greedy (argmax)                          */
    int top_k;           /* 0: off; else keep the k most likely          */
    float top_p;         /* 0 or >= 1: off; else the nucleus of mass p   */
    float min_p;         /* 0: off; else drop p < min_p * max p          */
    float repeat_penalty; /* 1: off; else penalize recent tokens         */
    uint64_t rng;        /* xorshift64* state, never 0                   */
    float *probs;        /* (n_vocab) scratch: probabilities             */
    float *work;         /* (n_vocab) scratch: penalized logits          */
    struct prob_id *sorted; /* (n_vocab) scratch: (probability, id) sorted */
} mote_sampler;

mote_status mote_sampler_new(int n_vocab, float temperature, int top_k, float top_p,
                             uint64_t seed, mote_sampler **out);
void mote_sampler_free(mote_sampler *s);

/* Next pseudo-random 32 bits / float in [0, 1). */
uint32_t mote_rng_u32(uint64_t *state);
float mote_rng_f32(uint64_t *state);

/* The index of the largest logit (the lowest index on ties). */
int mote_argmax(int n, const float *x);

/*
 * Picks a token from logits[0..n_vocab). Greedy when temperature is 0;
 * otherwise softmax(logits / temperature), restricted to the top-k and then
 * to the smallest set of top tokens whose mass reaches top_p, renormalized,
 * and sampled with one draw of the PRNG. logits are not modified.
 */
int mote_sample(mote_sampler *s, const float *logits);

/*
 * Optional settings (mote_sampler_new leaves them off):
 * repeat_penalty >= 1 divides a positive logit of a recent token by it and
 * multiplies a negative one (the CTRL paper's penalty, as llama.cpp
 * applies it), also under greedy decoding; min_p in [0, 1] keeps only
 * tokens whose probability is at least min_p times the largest one
 * (applied before top-k and top-p). MOTE_ERR_ARG outside those ranges.
 */
mote_status mote_sampler_set_penalty(mote_sampler *s, float repeat_penalty, float min_p);
/* As mote_sample, with recent[0..n_recent) the tokens to penalize (any
 * order, repeats counted once). */
int mote_sample_recent(mote_sampler *s, const float *logits, const int *recent, int n_recent);

#endif
