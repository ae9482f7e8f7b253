/*
 * sample.c — greedy / temperature / top-k / top-p sampling (see sample.h).
 *
 * Top-k and top-p both need the tokens ordered by probability; a full sort
 * of the vocabulary per token costs O(V log V), negligible next to a
 * forward pass over V x dim classifier weights.
 */
#include <math.h>
#include <stdlib.h>
#include "sample.h"
#include "graph/internal.h"

uint32_t mote_rng_u32(uint64_t *state)
{
    /* xorshift64*: three shifts, then the multiplier 0x2545F4914F6CDD1D */
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return (uint32_t)((*state * 0x2545F4914F6CDD1DULL) >> 32);
}

float mote_rng_f32(uint64_t *state)
{
    return (float)(mote_rng_u32(state) >> 8) / 16777216.0f;   /* 24 bits: [0, 1) */
}

/*
 * Two passes, the same answer as "best = i whenever x[i] > x[best]": the
 * largest value (NaNs never win a comparison), then its first index. The
 * first pass keeps eight independent maxima and has no data-dependent
 * branch (a running argmax mispredicts and waits on x[best]): generation
 * calls this once per token over the whole vocabulary.
 */
int mote_argmax(int n, const float *x)
{
    if (n <= 1 || isnan(x[0])) return 0;   /* nothing compares greater than a NaN x[0] */
    float m[8];
    for (int j = 0; j < 8; j++) m[j] = x[0];
    int i = 1;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) m[j] = x[i + j] > m[j] ? x[i + j] : m[j];
    for (; i < n; i++) m[0] = x[i] > m[0] ? x[i] : m[0];
    float mx = m[0];
    for (int j = 1; j < 8; j++) mx = m[j] > mx ? m[j] : mx;
    for (i = 0; i < n; i++)
        if (x[i] == mx) break;
    return i;
}

mote_status mote_sampler_new(int n_vocab, float temperature, int top_k, float top_p,
                             uint64_t seed, mote_sampler **out)
{
    *out = NULL;
    if (n_vocab <= 0 || temperature < 0 || top_k < 0 || top_p < 0 || isnan(temperature) || isnan(top_p))
        return mote_error(MOTE_ERR_ARG, "sampler: bad settings (vocab %d, temperature %g, "
                          "top-k %d, top-p %g)", n_vocab, temperature, top_k, top_p);
    mote_sampler *s = calloc(1, sizeof *s);
    if (!s) return mote_error(MOTE_ERR_NOMEM, "sampler: out of memory");
    s->n_vocab = n_vocab;
    s->temperature = temperature;
    s->top_k = top_k;
    s->top_p = top_p;
    s->repeat_penalty = 1.0f;
    s->rng = seed ? seed : 0x9E3779B97F4A7C15ULL;   /* xorshift must not start at 0 */
    s->probs = malloc((size_t)n_vocab * sizeof *s->probs);
    s->work = malloc((size_t)n_vocab * sizeof *s->work);
    s->sorted = malloc((size_t)n_vocab * sizeof *s->sorted);
    if (!s->probs || !s->work || !s->sorted) {
        mote_sampler_free(s);
        return mote_error(MOTE_ERR_NOMEM, "sampler: out of memory");
    }
    *out = s;
    return MOTE_OK;
}

void mote_sampler_free(mote_sampler *s)
{
    if (!s) return;
    free(s->probs);
    free(s->work);
    free(s->sorted);
    free(s);
}

typedef struct prob_id prob_id;

static int cmp_desc(const void *a, const void *b)
{
    const prob_id *x = a, *y = b;
    if (x->p != y->p) return x->p < y->p ? 1 : -1;
    return (x->id > y->id) - (x->id < y->id);
}

int mote_sample(mote_sampler *s, const float *logits)
{
    int n = s->n_vocab;
    if (s->temperature == 0.0f) return mote_argmax(n, logits);
    /* p_i = exp((l_i - max) / T) / sum_j exp((l_j - max) / T) */
    float mx = logits[mote_argmax(n, logits)];
    double sum = 0;
    for (int i = 0; i < n; i++) {
        s->probs[i] = expf((logits[i] - mx) / s->temperature);
        sum += s->probs[i];
    }
    for (int i = 0; i < n; i++) s->probs[i] = (float)(s->probs[i] / sum);

    float coin = mote_rng_f32(&s->rng);
    int use_k = s->top_k > 0 && s->top_k < n;
    int use_p = s->top_p > 0 && s->top_p < 1;
    int use_min = s->min_p > 0;
    if (!use_k && !use_p && !use_min) {
        float cdf = 0;
        for (int i = 0; i < n; i++) {
            cdf += s->probs[i];
            if (coin < cdf) return i;
        }
        return n - 1;   /* rounding left the cdf just below 1 */
    }
    /* order by probability (ties by id, so the order is deterministic) */
    prob_id *tmp = s->sorted;
    for (int i = 0; i < n; i++) tmp[i] = (prob_id){ s->probs[i], i };
    qsort(tmp, (size_t)n, sizeof *tmp, cmp_desc);
    int keep = use_k ? s->top_k : n;
    if (use_min) {   /* p_i >= min_p * p_max; the top token always stays */
        int j = 1;
        while (j < keep && tmp[j].p >= s->min_p * tmp[0].p) j++;
        keep = j;
    }
    double mass = 0;
    for (int i = 0; i < keep; i++) mass += tmp[i].p;
    if (use_p) {
        /* the smallest prefix whose mass reaches p (of the top-k mass) */
        double target = s->top_p * mass, acc = 0;
        int j = 0;
        while (j < keep) {
            acc += tmp[j].p;
            j++;
            if (acc >= target) break;
        }
        keep = j;
        mass = acc;
    }
    double r = coin * mass, cdf = 0;
    int pick = tmp[keep - 1].id;
    for (int i = 0; i < keep; i++) {
        cdf += tmp[i].p;
        if (r < cdf) { pick = tmp[i].id; break; }
    }
    return pick;
}

mote_status mote_sampler_set_penalty(mote_sampler *s, float repeat_penalty, float min_p)
{
    if (!(repeat_penalty >= 1.0f) || isinf(repeat_penalty) || !(min_p >= 0.0f && min_p <= 1.0f))
        return mote_error(MOTE_ERR_ARG, "sampler: repeat penalty %g (wants >= 1) or min-p %g "
                          "(wants 0..1) out of range", repeat_penalty, min_p);
    s->repeat_penalty = repeat_penalty;
    s->min_p = min_p;
    return MOTE_OK;
}

int mote_sample_recent(mote_sampler *s, const float *logits, const int *recent, int n_recent)
{
    if (s->repeat_penalty == 1.0f || n_recent <= 0) return mote_sample(s, logits);
    float *w = s->work;
    int n = s->n_vocab;
    for (int i = 0; i < n; i++) w[i] = logits[i];
    /* the original logit decides the direction, so a repeat counts once */
    for (int k = 0; k < n_recent; k++) {
        int id = recent[k];
        if (id < 0 || id >= n) continue;
        float l = logits[id];
        w[id] = l > 0 ? l / s->repeat_penalty : l * s->repeat_penalty;
    }
    return mote_sample(s, w);
}
