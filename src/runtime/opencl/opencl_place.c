/*
 * opencl_place.c — running a session's nodes on an OpenCL device.
 *
 * mote_cl_session_place runs after the session's plan (session.c): it
 * opens the device, decides per step whether the device has a kernel for
 * the node (op, dtypes, shapes and attributes it understands; anything
 * else stays on the CPU), then walks the steps once to know where each
 * value's current copy lives and inserts the transfers that placement
 * needs: an upload before a device step whose input was last written on
 * the CPU, a download before a CPU step (or at the end, for outputs) whose
 * input was last written on the device. A chain of device nodes therefore
 * keeps its data on the device. Reshape-like steps (MOTE_OP_ALIAS) move
 * nothing: their output is their input's bytes on either side.
 *
 * Memory: one device buffer mirrors the session's arena with the same
 * offsets (the liveness plan holds on the device too). The weights device
 * steps read are the model's, on this device (opencl_weights.c): uploaded
 * by the first session that needs them, found by the next ones and by a
 * reshape. Constants a session made for itself (folded for its shapes)
 * go in a buffer of the session's own.
 *
 * Every device step's launches are made here: a kernel object per launch
 * with all its arguments set. mote_cl_session_run then enqueues kernels
 * and transfers only: it creates no buffer, kernel or program, sets no
 * argument and allocates nothing on the host.
 *
 * Not here: which nodes the device runs (opencl_place_ops.c), the kernels'
 * arguments (opencl_kernels.c), the CPU steps.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "opencl_place.h"

/* Operand addresses, once the buffers exist (BatchNormalization's folded
 * scale and shift, d->w and d->b, are set by the weights pass). */
static void bind(const mote_session *s, const mote_step *st, dev_step *d)
{
    const mote_node *n = st->node;
    mote_cl_mem none = {NULL, 0};
    mote_cl_mem in0 = mote_cl_dev_mem(s, n->in[0]), out = mote_cl_dev_mem(s, n->out[0]);
    d->x = in0;
    d->y = out;
    switch (d->kind) {
    case DK_GEMM:
        d->gemm.A = (mote_cl_mem){in0.mem, in0.off + d->a_row * d->gemm.K};
        d->gemm.B = mote_cl_dev_mem(s, n->in[1]);
        d->gemm.C = out;
        if (d->has_res) d->b = mote_cl_dev_mem(s, n->in[2]);   /* LlmLinear's residual */
        else d->gemm.bias = n->n_in > 2 && n->in[2] >= 0 && mote_attr_get_float(n, "beta", 1.0f) != 0.0f
                            ? mote_cl_dev_mem(s, n->in[2]) : none;
        break;
    case DK_ROPE:
        d->pos.at = mote_cl_dev_mem(s, n->in[1]);
        break;
    case DK_ATTN:
        d->w = mote_cl_dev_mem(s, n->in[1]);   /* K */
        d->b = mote_cl_dev_mem(s, n->in[2]);   /* V */
        d->pos.at = mote_cl_dev_mem(s, n->in[3]);
        break;
    case DK_SWIGLU:
        d->w = mote_cl_dev_mem(s, n->in[1]);
        break;
    case DK_CONV:
        d->w = mote_cl_dev_mem(s, n->in[1]);
        d->b = n->n_in > 2 && n->in[2] >= 0 ? mote_cl_dev_mem(s, n->in[2]) : none;
        break;
    case DK_LAYERNORM:
        d->w = mote_cl_dev_mem(s, n->in[1]);
        d->b = n->n_in > 2 && n->in[2] >= 0 ? mote_cl_dev_mem(s, n->in[2]) : none;
        break;
    case DK_BINARY:
    case DK_RMSNORM:
        d->w = mote_cl_dev_mem(s, n->in[1]);
        break;
    default:
        break;
    }
}

/* Launches image i of a step that works image by image (batch > 1). */
static mote_status one_launch(const mote_cl_session *ds, dev_step *d, int64_t i)
{
    mote_cl *cl = ds->cl;
    mote_cl_mem x = {d->x.mem, d->x.off + i * d->x_stride}, y = {d->y.mem, d->y.off + i * d->y_stride};
    switch (d->kind) {
    case DK_GEMM:
        if (i == 1) {   /* then the residual: y += r */
            int64_t one = 1;
            return mote_cl_binary(cl, MOTE_BIN_ADD, 1, &d->n, d->y, &one, d->b, &one, d->y);
        }
        return mote_cl_gemm(cl, &d->gemm);
    case DK_ROPE:
        return mote_cl_rope_rows(cl, d->T, d->nh, d->hs, &d->pos, 0, d->theta, d->x, d->y);
    case DK_SWIGLU:
        return mote_cl_swiglu(cl, d->n, d->x, d->w, d->y);
    case DK_ATTN: {
        int64_t kvd = d->nkv * d->hs, cache = d->max_seq * kvd;
        mote_cl_mem kc = {ds->llm, d->llm_off}, vc = {ds->llm, d->llm_off + cache};
        mote_cl_mem sc = {ds->llm, d->llm_off + 2 * cache};
        if (i == 0) return mote_cl_kv_store(cl, d->T, kvd, d->max_seq, &d->pos, d->w, d->b, kc, vc);
        return mote_cl_attention(cl, d->T, d->nh, d->nh / d->nkv, d->hs, d->max_seq,
                                 1.0f / sqrtf((float)d->hs), &d->pos, d->x, kc, vc, sc, d->y);
    }
    case DK_CONV:
        return mote_cl_conv2d(cl, &d->conv, x, d->w, d->b, y);
    case DK_BATCHNORM:
        return mote_cl_channel_affine(cl, d->rows, d->n, x, d->w, d->b, y, (mote_act){0});
    case DK_POOL:
        return mote_cl_pool2d(cl, d->is_max, &d->pool, d->x, d->y);
    case DK_GPOOL:
        return mote_cl_global_pool(cl, d->is_max, d->rows, d->n, d->x, d->y);
    case DK_UNARY:
        return mote_cl_unary(cl, (mote_unary_op)d->op, d->n, d->x, d->y, d->alpha, d->beta);
    case DK_BINARY:
        return mote_cl_binary(cl, (mote_binary_op)d->op, d->ndim, d->dims, d->x, d->astr, d->w,
                              d->bstr, d->y);
    case DK_SOFTMAX:
        return mote_cl_softmax(cl, d->rows, d->n, d->x, d->y, d->log);
    case DK_RMSNORM:
        return mote_cl_rmsnorm(cl, d->rows, d->n, d->x, d->w, d->alpha, d->y);
    case DK_LAYERNORM:
        return mote_cl_layernorm(cl, d->rows, d->n, d->x, d->w, d->b, d->alpha, d->y);
    default:
        return MOTE_OK;
    }
}

/* Makes a device step's launches: kernel objects with their arguments set
 * (one per image for the steps that go image by image). */
static mote_status make_launches(const mote_cl_session *ds, dev_step *d)
{
    mote_cl *cl = ds->cl;
    int64_t n = d->kind == DK_CONV || d->kind == DK_BATCHNORM ? d->batch
              : d->kind == DK_ATTN || (d->kind == DK_GEMM && d->has_res) ? 2 : 1;
    if (n <= 0) return MOTE_OK;
    if (!(d->launch = calloc((size_t)n, sizeof *d->launch))) return mote_error(MOTE_ERR_NOMEM, "out of memory");
    d->n_launch = (int)n;
    mote_status st = MOTE_OK;
    for (int64_t i = 0; i < n && st == MOTE_OK; i++) {
        mote_cl_record(cl, &d->launch[i]);
        st = one_launch(ds, d, i);
        mote_cl_record(cl, NULL);
    }
    return st;
}

/* ---------------------------------------------- LlmAttention's cache */

/* The cache rows a run wrote on the device go to the host copy too (not
 * waiting: the run's last blocking transfer does), so that the host state
 * stays whole for reset, copy and reshape. */
static mote_status attn_rows_home(mote_session *s, int t)
{
    mote_cl_session *d = s->dev;
    dev_step *ds = &d->steps[t];
    int64_t pos = mote_llm_read_pos(s->steps[t].in[3]);
    if (pos < 0 || pos + ds->T > ds->max_seq) return MOTE_OK;   /* zeros, nothing stored */
    float *kc, *vc;
    int64_t *filled;
    mote_llm_attention_cache(&s->steps[t], &kc, &vc, &filled);
    int64_t kvd = ds->nkv * ds->hs, cache = ds->max_seq * kvd;
    size_t bytes = (size_t)(ds->T * kvd) * sizeof(float);
    mote_status st = mote_cl_read_async(d->cl, (mote_cl_mem){d->llm, ds->llm_off + pos * kvd}, kc + pos * kvd, bytes);
    if (st == MOTE_OK)
        st = mote_cl_read_async(d->cl, (mote_cl_mem){d->llm, ds->llm_off + cache + pos * kvd}, vc + pos * kvd, bytes);
    if (pos + ds->T > *filled) *filled = pos + ds->T;
    if (pos + ds->T > ds->dev_rows) ds->dev_rows = pos + ds->T;
    return st;
}

/* The host copy of the cache rows to the device: those written, and any
 * the device holds beyond them (zeros after a reset). */
static mote_status attn_rows_out(mote_session *s, int t)
{
    mote_cl_session *d = s->dev;
    dev_step *ds = &d->steps[t];
    float *kc, *vc;
    int64_t *filled;
    mote_llm_attention_cache(&s->steps[t], &kc, &vc, &filled);
    int64_t rows = *filled > ds->dev_rows ? *filled : ds->dev_rows;
    if (rows > ds->max_seq) rows = ds->max_seq;
    int64_t kvd = ds->nkv * ds->hs, cache = ds->max_seq * kvd;
    size_t bytes = (size_t)(rows * kvd) * sizeof(float);
    mote_status st = mote_cl_write(d->cl, (mote_cl_mem){d->llm, ds->llm_off}, kc, bytes);
    if (st == MOTE_OK) st = mote_cl_write(d->cl, (mote_cl_mem){d->llm, ds->llm_off + cache}, vc, bytes);
    ds->dev_rows = *filled;
    return st;
}

mote_status mote_cl_session_state_changed(mote_session *s)
{
    mote_status st = MOTE_OK;
    for (int t = 0; t < s->n_steps && st == MOTE_OK; t++)
        if (s->dev->steps[t].kind == DK_ATTN) st = attn_rows_out(s, t);
    return st == MOTE_OK ? MOTE_OK : mote_error_wrap(st, "copying op state to the OpenCL device");
}

/* The caches and scratch of the LlmAttention steps: one buffer, filled
 * from the host copy (a reshape keeps the cache). */
static mote_status place_llm_state(mote_session *s)
{
    mote_cl_session *d = s->dev;
    size_t floats = 0;
    for (int t = 0; t < s->n_steps; t++) {
        dev_step *ds = &d->steps[t];
        if (ds->kind != DK_ATTN) continue;
        ds->llm_off = (int64_t)floats;
        size_t cache, scratch;
        if (!mote_mul_size((size_t)ds->max_seq, (size_t)(ds->nkv * ds->hs), &cache) ||
            !mote_mul_size((size_t)(ds->T * ds->nh), (size_t)ds->max_seq, &scratch) ||
            !mote_add_size(floats, 2 * cache + scratch + 15, &floats))
            return mote_error(MOTE_ERR_LIMIT, "the key/value cache on the OpenCL device overflows");
        floats = floats / 16 * 16;
    }
    if (!floats) return MOTE_OK;
    mote_status st = mote_cl_alloc(d->cl, floats * sizeof(float), &d->llm);
    for (int t = 0; t < s->n_steps && st == MOTE_OK; t++)
        if (d->steps[t].kind == DK_ATTN) st = attn_rows_out(s, t);
    return st;
}

/* ------------------------------------------------------------ running */

static mote_status upload(const mote_session *s, int v)
{
    return mote_cl_write(s->dev->cl, mote_cl_dev_mem(s, v), s->vals[v].data, mote_tensor_nbytes(&s->vals[v]));
}

static mote_status download(const mote_session *s, int v)
{
    return mote_cl_read(s->dev->cl, mote_cl_dev_mem(s, v), s->vals[v].data, mote_tensor_nbytes(&s->vals[v]));
}

mote_status mote_cl_session_run(mote_session *s, const mote_step_hooks *h)
{
    mote_cl_session *d = s->dev;
    mote_status st = MOTE_OK;
    for (int t = 0; t < s->n_steps && st == MOTE_OK; t++) {
        dev_step *ds = &d->steps[t];
        for (int i = 0; i < ds->n_up && st == MOTE_OK; i++) st = upload(s, d->xfer[ds->up0 + i]);
        for (int i = 0; i < ds->n_down && st == MOTE_OK; i++) st = download(s, d->xfer[ds->down0 + i]);
        if (st != MOTE_OK) break;
        if (h && h->before) h->before(h->ctx, s, t);
        if (ds->kind == DK_CPU) {
            s->steps[t].run(&s->steps[t]);
        } else if (ds->kind != DK_ALIAS) {
            for (int i = 0; i < ds->n_launch && st == MOTE_OK; i++) st = mote_cl_enqueue(d->cl, &ds->launch[i]);
            if (ds->kind == DK_ATTN && st == MOTE_OK) st = attn_rows_home(s, t);
            /* the instruments read outputs on the host after each step */
            if (h && st == MOTE_OK) {
                const mote_node *n = s->steps[t].node;
                for (int j = 0; j < n->n_out && st == MOTE_OK; j++)
                    if (n->out[j] >= 0) st = download(s, n->out[j]);
            }
        }
        if (h && h->after && st == MOTE_OK) h->after(h->ctx, s, t);
    }
    /* the last download is blocking: in order, everything before it is done */
    for (int i = 0; i < d->n_final && st == MOTE_OK; i++) st = download(s, d->xfer[d->final0 + i]);
    if (st == MOTE_OK && d->n_final == 0) st = mote_cl_finish(d->cl);
    if (st != MOTE_OK) return mote_error_wrap(st, "running on the OpenCL device");
    return MOTE_OK;
}

/* ------------------------------------------------------------ the pass */

void mote_cl_session_free(mote_cl_session *d)
{
    if (!d) return;
    for (int t = 0; d->steps && t < d->n_steps; t++) {
        for (int i = 0; i < d->steps[t].n_launch; i++) mote_cl_launch_release(&d->steps[t].launch[i]);
        free(d->steps[t].launch);
    }
    mote_cl_release(d->arena);
    mote_cl_release(d->own);
    mote_cl_release(d->llm);
    free(d->steps);
    free(d->xfer);
    free(d->w_mem);
    free(d->bn);
    free(d);   /* the device and the weights are the model's (opencl_weights.c) */
}

/* Where the current copy of each value lives, step by step; records the
 * transfers (value ids into xfer) that placement needs. */
static void plan_transfers(mote_session *s, bool *host, bool *dev, int *xfer)
{
    mote_cl_session *d = s->dev;
    const mote_graph *g = s->g;
    int nx = 0;
    for (int v = 0; v < g->n_values; v++) {
        host[v] = true;     /* inputs and weights start on the host */
        dev[v] = d->w_mem[v].mem != NULL;
    }
    for (int t = 0; t < s->n_steps; t++) {
        dev_step *ds = &d->steps[t];
        const mote_node *n = s->steps[t].node;
        if (ds->kind == DK_ALIAS) {
            host[n->out[0]] = host[n->in[0]];
            dev[n->out[0]] = dev[n->in[0]];
            continue;
        }
        bool on_dev = ds->kind != DK_CPU;
        /* what the device reads: BatchNormalization its folded copy, Clip
         * its bounds as arguments */
        int n_read = ds->kind == DK_BATCHNORM || (ds->kind == DK_UNARY && n->n_in > 1) ? 1 : n->n_in;
        ds->up0 = nx;
        for (int i = 0; on_dev && i < n_read; i++) {
            int v = n->in[i];
            if (v < 0 || dev[v]) continue;
            xfer[nx++] = v;
            dev[v] = true;
            d->up_bytes += mote_tensor_nbytes(&s->vals[v]);
        }
        ds->n_up = nx - ds->up0;
        ds->down0 = nx;
        for (int i = 0; !on_dev && i < n->n_in; i++) {
            int v = n->in[i];
            if (v < 0 || host[v]) continue;
            xfer[nx++] = v;
            host[v] = true;
            d->down_bytes += mote_tensor_nbytes(&s->vals[v]);
        }
        ds->n_down = nx - ds->down0;
        for (int j = 0; j < n->n_out; j++)
            if (n->out[j] >= 0) {
                host[n->out[j]] = !on_dev;
                dev[n->out[j]] = on_dev;
            }
    }
    d->final0 = nx;
    for (int i = 0; i < g->n_outputs; i++) {
        int v = g->outputs[i];
        if (host[v]) continue;
        bool seen = false;
        for (int j = d->final0; j < nx; j++) seen |= xfer[j] == v;
        if (seen) continue;
        xfer[nx++] = v;
        host[v] = true;
        d->down_bytes += mote_tensor_nbytes(&s->vals[v]);
    }
    d->n_final = nx - d->final0;
    d->n_xfer = nx;
}

/* Whether bytes at p are part of one of the model's own constants (which
 * live as long as the model: the device copy can be shared by key). */
static bool model_constant(const mote_session *s, const void *p, size_t bytes)
{
    const mote_graph *mg = s->m->g;
    const uint8_t *q = p;
    for (int u = 0; u < mg->n_values; u++) {
        const mote_value *val = &mg->values[u];
        const uint8_t *b = val->data;
        if (val->kind == MOTE_VAL_WEIGHT && b && q >= b && q + bytes <= b + val->nbytes) return true;
    }
    return false;
}

/* The constants device steps read: the model's from the shared store
 * (what it lacks uploaded in one buffer), the session's own in its own
 * buffer, BatchNormalization's folded per channel. */
static mote_status place_weights(mote_session *s)
{
    mote_cl_session *d = s->dev;
    const mote_graph *g = s->g;
    int nv = g->n_values, ns = s->n_steps;
    int cap = nv + ns + 1, n_new = 0;
    mote_cl_wkey *keys = calloc((size_t)cap, sizeof *keys);
    const void **host = calloc((size_t)cap, sizeof *host);
    mote_cl_mem *got = calloc((size_t)cap, sizeof *got);
    int *dest = calloc((size_t)cap, sizeof *dest);   /* value id, or -1 - step */
    int *own = calloc((size_t)nv + 1, sizeof *own);
    mote_status st = MOTE_OK;
    if (!keys || !host || !got || !dest || !own) {
        st = mote_error(MOTE_ERR_NOMEM, "out of memory");
        goto done;
    }
    size_t n_bn = 0;
    for (int t = 0; t < ns; t++)
        if (d->steps[t].kind == DK_BATCHNORM) n_bn += 2 * (size_t)d->steps[t].rows;
    if (n_bn && !(d->bn = malloc(n_bn * sizeof(float)))) {
        st = mote_error(MOTE_ERR_NOMEM, "out of memory");
        goto done;
    }
    int n_own = 0;
    size_t own_floats = 0, bn_at = 0;
    for (int t = 0; t < ns; t++) {
        dev_step *ds = &d->steps[t];
        if (ds->kind == DK_CPU || ds->kind == DK_ALIAS) continue;
        const mote_node *n = s->steps[t].node;
        if (ds->kind == DK_BATCHNORM) {
            const mote_tensor *const *in = (const mote_tensor *const *)s->steps[t].in;
            uint32_t eps_bits;
            memcpy(&eps_bits, &ds->alpha, sizeof eps_bits);
            int64_t C = ds->rows;
            mote_cl_wkey k = {.src = in[1]->data, .tag = MOTE_CL_W_BN_FOLD, .bytes = 2 * (size_t)C * sizeof(float),
                              .p = {eps_bits, (int64_t)(uintptr_t)in[2]->data, (int64_t)(uintptr_t)in[3]->data,
                                    (int64_t)(uintptr_t)in[4]->data}};
            bool shared = true;
            for (int i = 1; i < 5; i++) shared &= model_constant(s, in[i]->data, (size_t)C * sizeof(float));
            mote_cl_mem m = shared ? mote_cl_weights_find(d->store, &k) : (mote_cl_mem){NULL, 0};
            d->weight_bytes += k.bytes;
            if (m.mem) {
                ds->w = m;
                ds->b = (mote_cl_mem){m.mem, m.off + C};
                continue;
            }
            float *sc = d->bn + bn_at, *sh = sc + C;
            const float *gm = in[1]->data, *bt = in[2]->data, *mu = in[3]->data, *var = in[4]->data;
            for (int64_t c = 0; c < C; c++) {   /* as norm.c folds it */
                sc[c] = gm[c] / sqrtf(var[c] + ds->alpha);
                sh[c] = bt[c] - mu[c] * sc[c];
            }
            bn_at += 2 * (size_t)C;
            if (!shared) k.src = sc;   /* never found again: a key of its own */
            keys[n_new] = k;
            host[n_new] = sc;
            dest[n_new++] = -1 - t;
            continue;
        }
        int n_read = ds->kind == DK_UNARY ? 1 : n->n_in;
        for (int i = 0; i < n_read; i++) {
            int v = n->in[i];
            if (v < 0 || d->w_mem[v].mem || own[v] || mote_cl_in_arena(s, s->vals[v].data)) continue;
            size_t bytes = mote_tensor_nbytes(&s->vals[v]);
            bool seen = false;
            for (int j = 0; j < n_new && !seen; j++) seen = dest[j] == v;
            if (seen) continue;
            d->weight_bytes += bytes;
            if (!model_constant(s, s->vals[v].data, bytes)) {
                own[v] = 1 + n_own++;
                own_floats += (bytes / sizeof(float) + 15) / 16 * 16;
                continue;
            }
            mote_cl_wkey k = {.src = s->vals[v].data, .tag = MOTE_CL_W_COPY, .bytes = bytes};
            mote_cl_mem m = mote_cl_weights_find(d->store, &k);
            if (m.mem) {
                d->w_mem[v] = m;
                continue;
            }
            keys[n_new] = k;
            host[n_new] = s->vals[v].data;
            dest[n_new++] = v;
        }
    }
    if ((st = mote_cl_weights_add(d->store, n_new, keys, host, got)) != MOTE_OK) goto done;
    for (int j = 0; j < n_new; j++) {
        if (dest[j] >= 0) {
            d->w_mem[dest[j]] = got[j];
        } else {
            dev_step *ds = &d->steps[-1 - dest[j]];
            ds->w = got[j];
            ds->b = (mote_cl_mem){got[j].mem, got[j].off + ds->rows};
        }
    }
    /* constants folded for this session's shapes: its own buffer */
    if (n_own) {
        if ((st = mote_cl_alloc(d->cl, own_floats * sizeof(float), &d->own)) != MOTE_OK) goto done;
        size_t at = 0;
        for (int v = 0; v < nv && st == MOTE_OK; v++) {
            if (!own[v]) continue;
            size_t bytes = mote_tensor_nbytes(&s->vals[v]);
            d->w_mem[v] = (mote_cl_mem){d->own, (int64_t)at};
            st = upload(s, v);
            at += (bytes / sizeof(float) + 15) / 16 * 16;
        }
    }
done:
    free(keys);
    free(host);
    free(got);
    free(dest);
    free(own);
    free(d->bn);
    d->bn = NULL;
    return st;
}

mote_status mote_cl_session_place(mote_session *s, int platform, int device)
{
    const mote_graph *g = s->g;
    mote_cl_session *d = calloc(1, sizeof *d);
    if (!d) return mote_error(MOTE_ERR_NOMEM, "out of memory");
    s->dev = d;
    mote_status st = mote_cl_weights_open(s->prep, platform, device, &d->store);
    if (st != MOTE_OK) return st;
    d->cl = mote_cl_weights_device(d->store);
    int nv = g->n_values, ns = s->n_steps;
    d->steps = calloc((size_t)ns + 1, sizeof *d->steps);
    d->n_steps = ns;
    d->w_mem = calloc((size_t)nv + 1, sizeof *d->w_mem);
    size_t n_io = 0;
    for (int t = 0; t < ns; t++) n_io += (size_t)(s->steps[t].n_in + s->steps[t].n_out);
    d->xfer = malloc(sizeof(int) * (n_io + (size_t)g->n_outputs + 1));
    bool *host = malloc((size_t)nv + 1), *dev = malloc((size_t)nv + 1);
    if (!d->steps || !d->w_mem || !d->xfer || !host || !dev) {
        free(host);
        free(dev);
        return mote_error(MOTE_ERR_NOMEM, "out of memory");
    }
    /* 1. which steps the device runs */
    for (int t = 0; t < ns; t++) {
        const mote_step *stp = &s->steps[t];
        bool inputs_ok = true;
        for (int i = 0; i < stp->n_in; i++)
            if (stp->in[i] && !mote_cl_in_arena(s, stp->in[i]->data) && g->values[stp->node->in[i]].kind != MOTE_VAL_WEIGHT)
                inputs_ok = false;   /* e.g. state an op keeps in its own memory */
        for (int i = 0; i < stp->n_out; i++)
            if (stp->out[i] && !mote_cl_in_arena(s, stp->out[i]->data)) inputs_ok = false;
        if (!inputs_ok || !mote_cl_place_step(s, stp, s->step_op[t], &d->steps[t])) d->steps[t].kind = DK_CPU;
        if (d->steps[t].kind != DK_CPU && d->steps[t].kind != DK_ALIAS) d->n_device++;
    }
    /* 2. the weights (shared by the model's sessions: the store's lock is
     * held while this placement finds and adds them, and makes launches on
     * the shared device) and the arena's mirror */
    mote_cl_weights_lock(d->store);
    st = place_weights(s);
    if (st == MOTE_OK) st = mote_cl_alloc(d->cl, s->arena_bytes, &d->arena);
    if (st == MOTE_OK) st = place_llm_state(s);
    /* 3. operands, launches and transfers */
    for (int t = 0; t < ns && st == MOTE_OK; t++)
        if (d->steps[t].kind != DK_CPU && d->steps[t].kind != DK_ALIAS) {
            bind(s, &s->steps[t], &d->steps[t]);
            st = make_launches(d, &d->steps[t]);
        }
    mote_cl_weights_unlock(d->store);
    if (st == MOTE_OK) plan_transfers(s, host, dev, d->xfer);
    free(host);
    free(dev);
    return st;
}

const char *mote_cl_session_step_device(const mote_session *s, int t)
{
    if (!s->dev || t < 0 || t >= s->n_steps) return "cpu";
    dev_kind k = s->dev->steps[t].kind;
    return k == DK_CPU ? "cpu" : k == DK_ALIAS ? "alias" : "opencl";
}

void mote_cl_session_stats(const mote_session *s, int *n_device, size_t *up_bytes, size_t *down_bytes,
                           size_t *weight_bytes, const char **device_name)
{
    const mote_cl_session *d = s->dev;
    *n_device = d ? d->n_device : 0;
    *up_bytes = d ? d->up_bytes : 0;
    *down_bytes = d ? d->down_bytes : 0;
    *weight_bytes = d ? d->weight_bytes : 0;
    *device_name = d ? mote_cl_describe(d->cl)->name : "cpu";
}
