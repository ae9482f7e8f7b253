/*
 * op_util.c — helpers shared by the ops: fused-activation attributes and
 * sliding-window geometry (see op_util.h). No op is defined here.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "op_util.h"

typedef struct act_name {
    const char *name;
    mote_act_kind kind;
    float alpha, beta;      /* defaults */
} act_name;

mote_status mote_op_fused_act(const mote_op_ctx *c, mote_act *act)
{
    static const act_name names[] = {
        {"Relu", MOTE_ACT_RELU, 0.0f, 0.0f},
        {"LeakyRelu", MOTE_ACT_LEAKY_RELU, 0.01f, 0.0f},
        {"Clip", MOTE_ACT_CLIP, -INFINITY, INFINITY},
        {"Sigmoid", MOTE_ACT_SIGMOID, 0.0f, 0.0f},
        {"Tanh", MOTE_ACT_TANH, 0.0f, 0.0f},
        {"HardSigmoid", MOTE_ACT_HARD_SIGMOID, 0.2f, 0.5f},
        {"HardSwish", MOTE_ACT_HARD_SWISH, 0.0f, 0.0f},
        {"Gelu", MOTE_ACT_GELU, 0.0f, 0.0f},
    };
    act->kind = MOTE_ACT_NONE;
    act->alpha = act->beta = 0.0f;
    const char *s = mote_attr_get_string(c->node, "_act", NULL);
    if (!s || !*s)
        return MOTE_OK;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(s, names[i].name) == 0) {
            act->kind = names[i].kind;
            act->alpha = mote_attr_get_float(c->node, "_act_alpha", names[i].alpha);
            act->beta = mote_attr_get_float(c->node, "_act_beta", names[i].beta);
            return MOTE_OK;
        }
    }
    return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "unknown fused activation _act='%s'", s);
}

/* Reads an ints attribute of exactly n values (or absent: dflt for each). */
static mote_status get_ints(const mote_op_ctx *c, const char *name, int n, int64_t dflt,
                            int64_t min, int64_t *out)
{
    const int64_t *v;
    int cnt = mote_attr_get_ints(c->node, name, &v);
    if (cnt < 0) {
        for (int i = 0; i < n; i++) out[i] = dflt;
        return MOTE_OK;
    }
    if (cnt != n)
        return mote_op_error(c, MOTE_ERR_SHAPE, "attribute %s has %d values, expected %d",
                             name, cnt, n);
    for (int i = 0; i < n; i++) {
        if (v[i] < min)
            return mote_op_error(c, MOTE_ERR_SHAPE, "attribute %s[%d] = %lld, must be >= %lld",
                                 name, i, (long long)v[i], (long long)min);
        out[i] = v[i];
    }
    return MOTE_OK;
}

mote_status mote_op_window(const mote_op_ctx *c, int nsp, const int64_t *in,
                           const int64_t *k, int ceil_mode, mote_window *w)
{
    int64_t s[2], d[2], p[4], I[2], K[2], pb[2], pe[2], O[2];
    mote_status st;
    if ((st = get_ints(c, "strides", nsp, 1, 1, s)) ||
        (st = get_ints(c, "dilations", nsp, 1, 1, d)) ||
        (st = get_ints(c, "pads", 2 * nsp, 0, 0, p)))
        return st;
    const char *ap = mote_attr_get_string(c->node, "auto_pad", "NOTSET");
    int mode;   /* 0 NOTSET, 1 VALID, 2 SAME_UPPER, 3 SAME_LOWER */
    if (strcmp(ap, "NOTSET") == 0) mode = 0;
    else if (strcmp(ap, "VALID") == 0) mode = 1;
    else if (strcmp(ap, "SAME_UPPER") == 0) mode = 2;
    else if (strcmp(ap, "SAME_LOWER") == 0) mode = 3;
    else
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "unknown auto_pad '%s'", ap);

    for (int i = 0; i < nsp; i++) {
        I[i] = in[i];
        K[i] = k[i];
        if (K[i] < 1)
            return mote_op_error(c, MOTE_ERR_SHAPE, "kernel size %lld along spatial axis %d",
                                 (long long)K[i], i);
        int64_t ek = (K[i] - 1) * d[i] + 1;    /* extent of the dilated kernel */
        switch (mode) {
        case 0: {
            pb[i] = p[i];
            pe[i] = p[nsp + i];
            int64_t span = I[i] + pb[i] + pe[i] - ek;
            if (span < 0)
                return mote_op_error(c, MOTE_ERR_SHAPE,
                    "kernel extent %lld exceeds padded input %lld along spatial axis %d",
                    (long long)ek, (long long)(I[i] + pb[i] + pe[i]), i);
            O[i] = (ceil_mode ? (span + s[i] - 1) / s[i] : span / s[i]) + 1;
            /* a window must start inside the input or its begin pad */
            if (ceil_mode && (O[i] - 1) * s[i] >= I[i] + pb[i])
                O[i]--;
            break;
        }
        case 1:
            pb[i] = pe[i] = 0;
            if (I[i] < ek)
                return mote_op_error(c, MOTE_ERR_SHAPE,
                    "kernel extent %lld exceeds input %lld along spatial axis %d (auto_pad VALID)",
                    (long long)ek, (long long)I[i], i);
            O[i] = (I[i] - ek) / s[i] + 1;
            break;
        default: {
            O[i] = (I[i] + s[i] - 1) / s[i];
            int64_t total = (O[i] - 1) * s[i] + ek - I[i];
            if (total < 0) total = 0;
            if (mode == 2) { pb[i] = total / 2; pe[i] = total - pb[i]; }
            else           { pe[i] = total / 2; pb[i] = total - pe[i]; }
            break;
        }
        }
    }
    if (nsp == 1) {
        /* 1-D as 2-D with a unit height */
        w->KH = 1; w->sh = 1; w->dh = 1; w->pt = 0; w->pb = 0; w->OH = 1;
        w->KW = K[0]; w->sw = s[0]; w->dw = d[0]; w->pl = pb[0]; w->pr = pe[0]; w->OW = O[0];
    } else {
        w->KH = K[0]; w->sh = s[0]; w->dh = d[0]; w->pt = pb[0]; w->pb = pe[0]; w->OH = O[0];
        w->KW = K[1]; w->sw = s[1]; w->dw = d[1]; w->pl = pb[1]; w->pr = pe[1]; w->OW = O[1];
    }
    return MOTE_OK;
}

const char *mote_op_dims_str(int ndim, const int64_t *dims, char *buf, size_t len)
{
    size_t at = 0;
    if (len == 0)
        return buf;
    buf[0] = '\0';
    at += (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < ndim && at < len; i++)
        at += (size_t)snprintf(buf + at, len - at, "%s%lld", i ? "," : "", (long long)dims[i]);
    if (at < len)
        snprintf(buf + at, len - at, "]");
    return buf;
}
