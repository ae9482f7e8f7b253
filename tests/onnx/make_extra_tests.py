#!/usr/bin/env python3
"""make_extra_tests.py — writes tests/onnx/data/: node tests in ONNX's
backend layout (model.onnx, test_data_set_0/input_K.pb, output_K.pb) for
cases the ONNX test data shipped by Debian lacks: ops it has no float32
test for (Mish, ReduceLogSumExp), Range on constant inputs, and the
opset < 13 Softmax / LogSoftmax axis convention. Expected outputs are
computed here with numpy from the formulas in the ONNX operator spec.

    python3 tests/onnx/make_extra_tests.py [OUTDIR]

Needs the onnx and numpy Python packages; the files it writes are
committed, so the conformance runner itself needs neither.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "data")
rng = np.random.default_rng(20261124)


def save(name, nodes, inputs, outputs, opset, feeds, expect, inits=(), check=True):
    d = os.path.join(OUT, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    code = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.int64): TensorProto.INT64}
    vi = lambda n, a: helper.make_tensor_value_info(n, code[a.dtype], a.shape)
    g = helper.make_graph(nodes, name, [vi(n, feeds[n]) for n in inputs],
                          [vi(n, a) for n, a in zip(outputs, expect)],
                          initializer=[numpy_helper.from_array(a, n) for n, a in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="mote-tests")
    m.ir_version = 8
    if check:   # (an older onnx package does not know opset 18's Mish)
        onnx.checker.check_model(m)
    onnx.save(m, os.path.join(d, "model.onnx"))
    for i, n in enumerate(inputs):
        t = numpy_helper.from_array(feeds[n], n)
        open(os.path.join(d, "test_data_set_0", "input_%d.pb" % i), "wb").write(t.SerializeToString())
    for i, (n, a) in enumerate(zip(outputs, expect)):
        t = numpy_helper.from_array(a, n)
        open(os.path.join(d, "test_data_set_0", "output_%d.pb" % i), "wb").write(t.SerializeToString())


def f32(*shape, lo=-4.0, hi=4.0):
    return rng.uniform(lo, hi, shape).astype(np.float32)


# Mish(x) = x tanh(ln(1 + e^x))
x = f32(3, 4, 5, lo=-10, hi=10)
x.flat[:4] = [0.0, -20.0, 20.0, 1.0]
y = (x.astype(np.float64) * np.tanh(np.log1p(np.exp(x.astype(np.float64))))).astype(np.float32)
save("test_mote_mish", [helper.make_node("Mish", ["x"], ["y"])], ["x"], ["y"], 18, {"x": x}, [y], check=False)

# ReduceLogSumExp(x) = ln(sum e^x) over axes, float32, with large values
for keep in (0, 1):
    x = f32(3, 4, 5, lo=-50, hi=50)
    xd = x.astype(np.float64)
    m = xd.max(axis=(0, 2), keepdims=True)
    y = (m + np.log(np.exp(xd - m).sum(axis=(0, 2), keepdims=True)))
    y = (y if keep else y.reshape(4)).astype(np.float32)
    save("test_mote_reduce_log_sum_exp_f32_keepdims_%d" % keep,
         [helper.make_node("ReduceLogSumExp", ["x"], ["y"], axes=[0, -1], keepdims=keep)],
         ["x"], ["y"], 13, {"x": x}, [y])

# Range with constant start / limit / delta (float): the output length is known
start, limit, delta = np.float32(1.5), np.float32(-3.0), np.float32(-0.75)
y = np.arange(start, limit, delta, dtype=np.float32)
save("test_mote_range_float_constant_inputs",
     [helper.make_node("Range", ["s", "l", "d"], ["r"]), helper.make_node("Add", ["r", "x"], ["y"])],
     ["x"], ["y"], 11, {"x": np.zeros(y.shape, np.float32) + 0.25}, [y + np.float32(0.25)],
     inits=[("s", np.array(start)), ("l", np.array(limit)), ("d", np.array(delta))])

# opset 11 Softmax / LogSoftmax: the input is coerced to 2-D at axis
x = f32(2, 3, 4, 5)
for op in ("Softmax", "LogSoftmax"):
    for axis in (1, 2):
        rows = x.reshape(int(np.prod(x.shape[:axis])), -1).astype(np.float64)
        e = np.exp(rows - rows.max(axis=1, keepdims=True))
        s = e / e.sum(axis=1, keepdims=True)
        y = (np.log(s) if op == "LogSoftmax" else s).reshape(x.shape).astype(np.float32)
        save("test_mote_%s_opset11_axis_%d" % (op.lower(), axis),
             [helper.make_node(op, ["x"], ["y"], axis=axis)], ["x"], ["y"], 11, {"x": x}, [y])
