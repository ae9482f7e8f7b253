#!/usr/bin/env python3
"""make_extra_tests_3d.py — writes the 3-D (NCDHW) Conv, ConvTranspose,
MaxPool and AveragePool cases of tests/onnx/data/ (test_mote_*3d*), in
ONNX's backend layout, for the attributes ONNX's shipped 3-D tests leave
out: strides, pads, dilations, groups, auto_pad, output_padding,
output_shape, ceil_mode, count_include_pad and MaxPool's Indices.
Expected outputs are computed here in float64 with numpy, straight from
the operator spec's definitions (a loop over output positions), and
rounded to float32.

    python3 tests/onnx/make_extra_tests_3d.py [OUTDIR]

Needs onnx and numpy; the files it writes are committed.
"""
import itertools
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "data")
rng = np.random.default_rng(20261206)


def save(name, node, feeds, inits, expect, opset=11):
    d = os.path.join(OUT, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    code = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.int64): TensorProto.INT64}
    vi = lambda n, a: helper.make_tensor_value_info(n, code[a.dtype], a.shape)
    g = helper.make_graph([node], name, [vi(n, a) for n, a in feeds],
                          [vi(n, a) for n, a in expect],
                          initializer=[numpy_helper.from_array(a, n) for n, a in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="mote-tests")
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(d, "model.onnx"))
    for i, (n, a) in enumerate(feeds):
        open(os.path.join(d, "test_data_set_0", "input_%d.pb" % i), "wb").write(
            numpy_helper.from_array(a, n).SerializeToString())
    for i, (n, a) in enumerate(expect):
        open(os.path.join(d, "test_data_set_0", "output_%d.pb" % i), "wb").write(
            numpy_helper.from_array(a, n).SerializeToString())


def f32(*shape):
    return rng.uniform(-2.0, 2.0, shape).astype(np.float32)


def window(ins, k, s, d, pads, auto_pad="NOTSET", ceil_mode=0):
    """Output sizes and begin pads per axis (the spec's formulas)."""
    n = len(ins)
    out, pb, pe = [], [], []
    for i in range(n):
        ek = (k[i] - 1) * d[i] + 1
        if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            o = -(-ins[i] // s[i])
            total = max(0, (o - 1) * s[i] + ek - ins[i])
            b = total // 2 if auto_pad == "SAME_UPPER" else total - total // 2
            out.append(o); pb.append(b); pe.append(total - b)
        else:
            span = ins[i] + pads[i] + pads[n + i] - ek
            o = (-(-span // s[i]) if ceil_mode else span // s[i]) + 1
            if ceil_mode and (o - 1) * s[i] >= ins[i] + pads[i]:
                o -= 1
            out.append(o); pb.append(pads[i]); pe.append(pads[n + i])
    return out, pb, pe


def taps(pos, k, s, d, pb):
    """Input coordinates of output position pos, per kernel offset."""
    for off in itertools.product(*[range(v) for v in k]):
        yield off, tuple(pos[i] * s[i] - pb[i] + off[i] * d[i] for i in range(len(k)))


def inside(c, ins):
    return all(0 <= c[i] < ins[i] for i in range(len(ins)))


def conv(x, w, b, s, d, pads, group, auto_pad="NOTSET"):
    x, w = x.astype(np.float64), w.astype(np.float64)
    N, C = x.shape[:2]
    OC, Cg = w.shape[:2]
    ins, k = x.shape[2:], w.shape[2:]
    out, pb, _ = window(ins, k, s, d, pads, auto_pad)
    y = np.zeros((N, OC) + tuple(out))
    OCg = OC // group
    for pos in itertools.product(*[range(o) for o in out]):
        acc = np.zeros((N, OC))
        for off, c in taps(pos, k, s, d, pb):
            if not inside(c, ins):
                continue
            for g in range(group):
                xs = x[(slice(None), slice(g * Cg, (g + 1) * Cg)) + c]          # (N, Cg)
                ws = w[(slice(g * OCg, (g + 1) * OCg), slice(None)) + off]     # (OCg, Cg)
                acc[:, g * OCg:(g + 1) * OCg] += xs @ ws.T
        y[(slice(None), slice(None)) + pos] = acc + (b if b is not None else 0)
    return y.astype(np.float32)


def conv_transpose(x, w, b, s, d, pads, op, group, output_shape=None, auto_pad="NOTSET"):
    x, w = x.astype(np.float64), w.astype(np.float64)
    N, C = x.shape[:2]
    OCg = w.shape[1]
    OC, Cg, n = OCg * group, C // group, x.ndim - 2
    ins, k = x.shape[2:], w.shape[2:]
    full = [s[i] * (ins[i] - 1) + op[i] + (k[i] - 1) * d[i] + 1 for i in range(n)]
    if output_shape is not None or auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        out = list(output_shape) if output_shape is not None else [ins[i] * s[i] for i in range(n)]
        tot = [full[i] - out[i] for i in range(n)]
        pb = [t - t // 2 if auto_pad == "SAME_LOWER" else t // 2 for t in tot]
    else:
        pb = pads[:n]
        out = [full[i] - pads[i] - pads[n + i] for i in range(n)]
    y = np.zeros((N, OC) + tuple(out))
    for pos in itertools.product(*[range(v) for v in ins]):
        for off in itertools.product(*[range(v) for v in k]):
            o = tuple(pos[i] * s[i] - pb[i] + off[i] * d[i] for i in range(n))
            if not inside(o, out):
                continue
            for g in range(group):
                xs = x[(slice(None), slice(g * Cg, (g + 1) * Cg)) + pos]       # (N, Cg)
                ws = w[(slice(g * Cg, (g + 1) * Cg), slice(None)) + off]      # (Cg, OCg)
                y[(slice(None), slice(g * OCg, (g + 1) * OCg)) + o] += xs @ ws
    if b is not None:
        y += b.reshape((1, OC) + (1,) * n)
    return y.astype(np.float32)


def pool(x, k, s, d, pads, kind, ceil_mode=0, include_pad=0, auto_pad="NOTSET"):
    xd = x.astype(np.float64)
    N, C = x.shape[:2]
    ins = x.shape[2:]
    out, pb, pe = window(ins, k, s, d, pads, auto_pad, ceil_mode)
    y = np.zeros((N, C) + tuple(out))
    idx = np.zeros((N, C) + tuple(out), np.int64)
    flat = np.arange(x.size).reshape(x.shape)
    for pos in itertools.product(*[range(o) for o in out]):
        vals, where, count = [], [], 0
        for off, c in taps(pos, k, s, d, pb):
            if inside(c, ins):
                vals.append(xd[(slice(None), slice(None)) + c])
                where.append(flat[(slice(None), slice(None)) + c])
            if include_pad and all(-pb[i] <= c[i] < ins[i] + pe[i] for i in range(len(ins))):
                count += 1
        v = np.stack(vals)                                                # (taps, N, C)
        at = (slice(None), slice(None)) + pos
        if kind == "max":
            a = v.argmax(axis=0)
            y[at] = v.max(axis=0)
            idx[at] = np.take_along_axis(np.stack(where), a[None], 0)[0]
        else:
            y[at] = v.sum(axis=0) / (count if include_pad else len(vals))
    return y.astype(np.float32), idx


# Conv: strides, pads, dilations, group 2, bias
x, w, b = f32(2, 4, 5, 6, 7), f32(6, 2, 3, 2, 3), f32(6)
kw = dict(strides=[2, 1, 2], pads=[1, 0, 1, 1, 1, 0], dilations=[1, 2, 1], group=2)
save("test_mote_conv3d_strides_pads_dilations_group",
     helper.make_node("Conv", ["x", "w", "b"], ["y"], **kw), [("x", x)], [("w", w), ("b", b)],
     [("y", conv(x, w, b, kw["strides"], kw["dilations"], kw["pads"], 2))])
# Conv: auto_pad SAME_UPPER, stride 2, many input channels (the GEMM path)
x, w = f32(1, 8, 5, 6, 7), f32(8, 8, 3, 3, 3)
save("test_mote_conv3d_same_upper_stride2",
     helper.make_node("Conv", ["x", "w"], ["y"], strides=[2, 2, 2], auto_pad="SAME_UPPER"),
     [("x", x)], [("w", w)], [("y", conv(x, w, None, [2, 2, 2], [1, 1, 1], [0] * 6, 1, "SAME_UPPER"))])
# ConvTranspose: strides, pads, output_padding, dilations, group 2, bias
x, w, b = f32(2, 4, 3, 2, 3), f32(4, 3, 3, 2, 3), f32(6)
save("test_mote_convtranspose3d_strides_pads_output_padding_group",
     helper.make_node("ConvTranspose", ["x", "w", "b"], ["y"], strides=[2, 1, 2], pads=[1, 0, 1, 0, 1, 1],
                      output_padding=[1, 0, 1], dilations=[1, 2, 1], group=2),
     [("x", x)], [("w", w), ("b", b)],
     [("y", conv_transpose(x, w, b, [2, 1, 2], [1, 2, 1], [1, 0, 1, 0, 1, 1], [1, 0, 1], 2))])
# ConvTranspose: output_shape, the weights an input (the reference path)
x, w = f32(1, 2, 2, 3, 3), f32(2, 3, 2, 2, 2)
save("test_mote_convtranspose3d_output_shape_weights_input",
     helper.make_node("ConvTranspose", ["x", "w"], ["y"], strides=[2, 2, 2], output_shape=[3, 5, 6]),
     [("x", x), ("w", w)], [],
     [("y", conv_transpose(x, w, None, [2, 2, 2], [1, 1, 1], None, [0, 0, 0], 1, output_shape=[3, 5, 6]))])
# MaxPool: pads, strides, dilations, ceil_mode, Indices
x = f32(2, 3, 6, 7, 5)
y, idx = pool(x, [2, 3, 2], [2, 2, 1], [2, 1, 1], [1, 1, 0, 0, 1, 1], "max", ceil_mode=1)
save("test_mote_maxpool3d_dilations_ceil_mode_indices",
     helper.make_node("MaxPool", ["x"], ["y", "i"], kernel_shape=[2, 3, 2], strides=[2, 2, 1],
                      dilations=[2, 1, 1], pads=[1, 1, 0, 0, 1, 1], ceil_mode=1),
     [("x", x)], [], [("y", y), ("i", idx)], opset=12)
# MaxPool: auto_pad SAME_LOWER
x = f32(1, 2, 5, 4, 6)
y, _ = pool(x, [3, 2, 3], [2, 2, 2], [1, 1, 1], [0] * 6, "max", auto_pad="SAME_LOWER")
save("test_mote_maxpool3d_same_lower",
     helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 2, 3], strides=[2, 2, 2],
                      auto_pad="SAME_LOWER"), [("x", x)], [], [("y", y)], opset=12)
# AveragePool: pads, strides, count_include_pad = 1
x = f32(2, 3, 5, 6, 4)
y, _ = pool(x, [3, 3, 2], [2, 2, 1], [1, 1, 1], [1, 1, 0, 1, 0, 1], "avg", include_pad=1)
save("test_mote_averagepool3d_count_include_pad",
     helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[3, 3, 2], strides=[2, 2, 1],
                      pads=[1, 1, 0, 1, 0, 1], count_include_pad=1), [("x", x)], [], [("y", y)])
# AveragePool: ceil_mode, pads not counted
x = f32(1, 2, 6, 5, 7)
y, _ = pool(x, [2, 3, 3], [2, 2, 2], [1, 1, 1], [0, 1, 1, 0, 1, 1], "avg", ceil_mode=1)
save("test_mote_averagepool3d_ceil_mode",
     helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[2, 3, 3], strides=[2, 2, 2],
                      pads=[0, 1, 1, 0, 1, 1], ceil_mode=1), [("x", x)], [], [("y", y)])
