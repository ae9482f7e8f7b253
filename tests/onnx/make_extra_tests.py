#!/usr/bin/env python3
"""make_extra_tests.py — writes tests/onnx/data/: node tests in ONNX's
backend layout (model.onnx, test_data_set_0/input_K.pb, output_K.pb) for
cases the ONNX test data shipped by Debian lacks: ops it has no float32
test for (Mish, ReduceLogSumExp, CumSum, Einsum, LpNormalization, Gelu: ONNX's
own CumSum and Einsum tests use float64, which mote does not have), Range
on constant inputs, and the
opset < 13 Softmax / LogSoftmax axis convention, and float16 models
(f16 initializers, Cast chains, f16 inputs and outputs; expected values
computed in f32 from f16-exact data and rounded to f16 at the declared
outputs, the arithmetic mote documents for f16 models). Expected outputs
are computed here with numpy from the formulas in the ONNX operator spec.

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
    code = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.int64): TensorProto.INT64,
            np.dtype(np.bool_): TensorProto.BOOL,
            np.dtype(np.float16): TensorProto.FLOAT16}
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

# CumSum(x, axis): running sums along axis; exclusive starts at 0; reverse from the end
x = f32(3, 4, 5)
for excl in (0, 1):
    for rev in (0, 1):
        xd = x.astype(np.float64)
        if rev:
            xd = np.flip(xd, axis=1)
        c = np.cumsum(xd, axis=1)
        if excl:
            c = np.concatenate([np.zeros_like(c[:, :1]), c[:, :-1]], axis=1)
        if rev:
            c = np.flip(c, axis=1)
        save("test_mote_cumsum_f32_exclusive_%d_reverse_%d" % (excl, rev),
             [helper.make_node("CumSum", ["x", "axis"], ["y"], exclusive=excl, reverse=rev)],
             ["x"], ["y"], 14, {"x": x}, [c.astype(np.float32)],
             inits=[("axis", np.array(1, dtype=np.int64))])

# Einsum, float32: matrix product, batched product, transpose, sum over an axis
a, b = f32(3, 4), f32(4, 5)
ba, bb = f32(2, 3, 4), f32(2, 4, 5)
for name, eq, ins in (("matmul", "ij,jk->ik", (a, b)), ("batch_matmul", "bij,bjk->bik", (ba, bb)),
                      ("transpose", "ij->ji", (a,)), ("sum_axis", "ij->i", (a,))):
    y = np.einsum(eq, *[t.astype(np.float64) for t in ins]).astype(np.float32)
    names = ["x%d" % i for i in range(len(ins))]
    save("test_mote_einsum_f32_" + name, [helper.make_node("Einsum", names, ["y"], equation=eq)],
         names, ["y"], 12, dict(zip(names, ins)), [y])

# LpNormalization(x) = x / ||x||_p along axis
x = f32(3, 4, 5)
for p_, axis in ((2, -1), (1, 1)):
    xd = x.astype(np.float64)
    nrm = (np.abs(xd) ** p_).sum(axis=axis, keepdims=True) ** (1.0 / p_)
    save("test_mote_lpnormalization_p%d_axis_%d" % (p_, axis),
         [helper.make_node("LpNormalization", ["x"], ["y"], p=p_, axis=axis)],
         ["x"], ["y"], 1, {"x": x}, [(xd / nrm).astype(np.float32)])

# Gelu (opset 20; newer than Debian's ONNX test data):
#   none: 0.5 x (1 + erf(x / sqrt 2));  tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
from math import erf as _erf
x = f32(3, 4, 5, lo=-6, hi=6)
xd = x.astype(np.float64)
exact = 0.5 * xd * (1 + np.vectorize(_erf)(xd / np.sqrt(2.0)))
approx = 0.5 * xd * (1 + np.tanh(np.sqrt(2.0 / np.pi) * (xd + 0.044715 * xd ** 3)))
for mode, y in (("none", exact), ("tanh", approx)):
    save("test_mote_gelu_approximate_" + mode, [helper.make_node("Gelu", ["x"], ["y"], approximate=mode)],
         ["x"], ["y"], 20, {"x": x}, [y.astype(np.float32)], check=False)

# float16 models. mote computes them in f32 (docs/ops.md); the data are
# f16-exact, so casting them to f16 loses nothing, and the expected values
# are the f32 results (rounded to f16 where the output is declared f16).
x = f32(2, 4).astype(np.float16).astype(np.float32)
w, b = f32(4, 3).astype(np.float16), f32(3).astype(np.float16)
y = np.maximum(x @ w.astype(np.float32) + b.astype(np.float32), 0).astype(np.float32)
save("test_mote_f16_weights_cast_chain",
     [helper.make_node("Cast", ["x"], ["xh"], to=TensorProto.FLOAT16),
      helper.make_node("MatMul", ["xh", "w"], ["m"]), helper.make_node("Add", ["m", "b"], ["a"]),
      helper.make_node("Relu", ["a"], ["r"]), helper.make_node("Cast", ["r"], ["y"], to=TensorProto.FLOAT)],
     ["x"], ["y"], 13, {"x": x}, [y], inits=[("w", w), ("b", b)])
x, w = f32(2, 3).astype(np.float16), f32(3).astype(np.float16)
z = x.astype(np.float32) * w.astype(np.float32)
y = (1 / (1 + np.exp(-z.astype(np.float64)))).astype(np.float32).astype(np.float16)
save("test_mote_f16_input_and_output",
     [helper.make_node("Mul", ["x", "w"], ["z"]), helper.make_node("Sigmoid", ["z"], ["y"])],
     ["x"], ["y"], 13, {"x": x}, [y], inits=[("w", w)])

# If whose condition depends on shapes only (rows == 2): the session resolves
# it and plans only the branch taken; the other cannot run at these shapes
# (a Reshape to 35 elements), so the test fails unless it is dropped.
x = f32(2, 3)
bad = helper.make_graph([helper.make_node("Reshape", ["x", "bad_shape"], ["b_out"])], "bad", [],
                        [helper.make_tensor_value_info("b_out", TensorProto.FLOAT, None)],
                        [numpy_helper.from_array(np.array([7, 5], np.int64), "bad_shape")])
good = helper.make_graph([helper.make_node("Relu", ["x"], ["g_out"])], "good", [],
                         [helper.make_tensor_value_info("g_out", TensorProto.FLOAT, None)])
for rows, name in ((2, "then"), (3, "else")):
    save("test_mote_if_shape_condition_takes_" + name,
         [helper.make_node("Shape", ["x"], ["s"]), helper.make_node("Gather", ["s", "zero"], ["rows"], axis=0),
          helper.make_node("Equal", ["rows", "two"], ["c"]),
          helper.make_node("If", ["c"], ["y"], then_branch=good if name == "then" else bad,
                           else_branch=bad if name == "then" else good)],
         ["x"], ["y"], 13, {"x": x}, [np.maximum(x, 0)],
         inits=[("zero", np.array(0, np.int64)), ("two", np.array(2 if name == "then" else 3, np.int64))],
         check=False)

# An If written before the node that makes the outer value its branches
# read (x2 = 2 x): the importer's order waits for it. cond is an input,
# so both branches run and the select picks.
x = f32(2, 3)
up = helper.make_graph([helper.make_node("Add", ["x2", "one"], ["u"])], "up", [],
                       [helper.make_tensor_value_info("u", TensorProto.FLOAT, None)])
down = helper.make_graph([helper.make_node("Sub", ["x2", "one"], ["d"])], "down", [],
                         [helper.make_tensor_value_info("d", TensorProto.FLOAT, None)])
save("test_mote_if_before_outer_producer",
     [helper.make_node("If", ["c"], ["y"], then_branch=up, else_branch=down),
      helper.make_node("Mul", ["x", "two"], ["x2"])],
     ["x", "c"], ["y"], 13, {"x": x, "c": np.array(False)}, [x * 2 - 1],
     inits=[("one", np.array(1, np.float32)), ("two", np.array(2, np.float32))], check=False)

# Inputs computed from shapes inside the graph (the exporters' Shape ->
# Gather / Slice -> Concat glue): Resize sizes, Slice ends, Reshape shape.
i64 = lambda *v: np.array(v, np.int64)
x = f32(1, 1, 2, 3)
save("test_mote_resize_sizes_from_shape",
     [helper.make_node("Shape", ["x"], ["s"]), helper.make_node("Slice", ["s", "z", "two"], ["nc"]),
      helper.make_node("Concat", ["nc", "hw"], ["sizes"], axis=0),
      helper.make_node("Resize", ["x", "", "", "sizes"], ["y"], mode="nearest",
                       coordinate_transformation_mode="asymmetric", nearest_mode="floor")],
     ["x"], ["y"], 13, {"x": x}, [x.repeat(2, axis=2).repeat(2, axis=3)],
     inits=[("z", i64(0)), ("two", i64(2)), ("hw", i64(4, 6))])
x = f32(3, 5)
save("test_mote_slice_ends_from_shape",
     [helper.make_node("Shape", ["x"], ["s"]), helper.make_node("Gather", ["s", "one"], ["w"], axis=0),
      helper.make_node("Sub", ["w", "one"], ["e"]),
      helper.make_node("Slice", ["x", "z", "e", "one"], ["y"])],
     ["x"], ["y"], 13, {"x": x}, [x[:, :4]], inits=[("z", i64(0)), ("one", i64(1))])
x = f32(2, 3, 4)
save("test_mote_reshape_shape_from_shape",
     [helper.make_node("Shape", ["x"], ["s"]), helper.make_node("Gather", ["s", "z0"], ["n"], axis=0),
      helper.make_node("Unsqueeze", ["n", "ax"], ["n1"]),
      helper.make_node("Concat", ["n1", "rest"], ["shape"], axis=0),
      helper.make_node("Reshape", ["x", "shape"], ["y"])],
     ["x"], ["y"], 13, {"x": x}, [x.reshape(2, 12)],
     inits=[("z0", np.array(0, np.int64)), ("ax", i64(0)), ("rest", i64(-1))])

# Loop with a constant trip count: acc += x * i for
# i = 0, 1, 2, reading x from the outer scope; the scan output stacks acc.
x = f32(2)
body = helper.make_graph(
    [helper.make_node("Cast", ["i"], ["fi"], to=TensorProto.FLOAT),
     helper.make_node("Mul", ["x", "fi"], ["xi"]), helper.make_node("Add", ["acc", "xi"], ["acc_out"]),
     helper.make_node("Identity", ["acc_out"], ["scan"])],
    "body", [helper.make_tensor_value_info("i", TensorProto.INT64, []),
             helper.make_tensor_value_info("c", TensorProto.BOOL, []),
             helper.make_tensor_value_info("acc", TensorProto.FLOAT, [2])],
    [helper.make_tensor_value_info("c", TensorProto.BOOL, []),
     helper.make_tensor_value_info("acc_out", TensorProto.FLOAT, [2]),
     helper.make_tensor_value_info("scan", TensorProto.FLOAT, [2])])
save("test_mote_loop_constant_trip_count",
     [helper.make_node("Loop", ["M", "", "acc0"], ["acc_final", "scans"], body=body)],
     ["x"], ["acc_final", "scans"], 13, {"x": x}, [3 * x, np.stack([0 * x, x, 3 * x])],
     inits=[("M", np.array(3, np.int64)), ("acc0", np.zeros(2, np.float32))], check=False)

# Loop whose body computes its condition (an early exit): acc += x while
# sum(acc) < 10, at most 6 trips; the body holds its own initializer.
x = np.array([1.5, -0.5, 1.0], np.float32)
body = helper.make_graph(
    [helper.make_node("Add", ["acc", "x"], ["acc_out"]),
     helper.make_node("ReduceSum", ["acc_out"], ["s"], keepdims=0),
     helper.make_node("Less", ["s", "ten"], ["go"])],
    "body", [helper.make_tensor_value_info("i", TensorProto.INT64, []),
             helper.make_tensor_value_info("c", TensorProto.BOOL, []),
             helper.make_tensor_value_info("acc", TensorProto.FLOAT, [3])],
    [helper.make_tensor_value_info("go", TensorProto.BOOL, []),
     helper.make_tensor_value_info("acc_out", TensorProto.FLOAT, [3])],
    [numpy_helper.from_array(np.array(10, np.float32), "ten")])
acc = np.zeros(3, np.float32)
for _ in range(6):
    acc = acc + x
    if not acc.sum() < 10:
        break
save("test_mote_loop_early_exit",
     [helper.make_node("Loop", ["M", "", "acc0"], ["acc_final"], body=body)],
     ["x"], ["acc_final"], 13, {"x": x}, [acc],
     inits=[("M", np.array(6, np.int64)), ("acc0", np.zeros(3, np.float32))], check=False)

# Loop over the rows of x: the trip count is x's first dimension (Shape ->
# Gather, known once the session fixes shapes), each trip reads row i
# (Gather on the iteration number), sums it into acc and scans 2 * row.
x = f32(4, 3)
body = helper.make_graph(
    [helper.make_node("Gather", ["x", "i"], ["row"], axis=0),
     helper.make_node("Add", ["acc", "row"], ["acc_out"]),
     helper.make_node("Add", ["row", "row"], ["twice"])],
    "body", [helper.make_tensor_value_info("i", TensorProto.INT64, []),
             helper.make_tensor_value_info("c", TensorProto.BOOL, []),
             helper.make_tensor_value_info("acc", TensorProto.FLOAT, [3])],
    [helper.make_tensor_value_info("c", TensorProto.BOOL, []),
     helper.make_tensor_value_info("acc_out", TensorProto.FLOAT, [3]),
     helper.make_tensor_value_info("twice", TensorProto.FLOAT, [3])])
save("test_mote_loop_shape_trip_count",
     [helper.make_node("Shape", ["x"], ["shape"]),
      helper.make_node("Gather", ["shape", "zero"], ["M"], axis=0),
      helper.make_node("Loop", ["M", "", "acc0"], ["acc_final", "rows"], body=body)],
     ["x"], ["acc_final", "rows"], 13, {"x": x}, [x.sum(axis=0), 2 * x],
     inits=[("zero", np.array(0, np.int64)), ("acc0", np.zeros(3, np.float32))], check=False)

# Nested Loops: the inner body reads the outer iteration number and x from
# two levels out: acc += x * (i_outer + 1) for 3 inner trips, 2 outer trips.
x = f32(2)
inner = helper.make_graph(
    [helper.make_node("Add", ["i", "one"], ["k"]),
     helper.make_node("Cast", ["k"], ["fk"], to=TensorProto.FLOAT),
     helper.make_node("Mul", ["x", "fk"], ["xk"]),
     helper.make_node("Add", ["a", "xk"], ["a_out"])],
    "inner", [helper.make_tensor_value_info("j", TensorProto.INT64, []),
              helper.make_tensor_value_info("cj", TensorProto.BOOL, []),
              helper.make_tensor_value_info("a", TensorProto.FLOAT, [2])],
    [helper.make_tensor_value_info("cj", TensorProto.BOOL, []),
     helper.make_tensor_value_info("a_out", TensorProto.FLOAT, [2])])
outer = helper.make_graph(
    [helper.make_node("Loop", ["three", "", "acc"], ["acc_out"], body=inner)],
    "outer", [helper.make_tensor_value_info("i", TensorProto.INT64, []),
              helper.make_tensor_value_info("c", TensorProto.BOOL, []),
              helper.make_tensor_value_info("acc", TensorProto.FLOAT, [2])],
    [helper.make_tensor_value_info("c", TensorProto.BOOL, []),
     helper.make_tensor_value_info("acc_out", TensorProto.FLOAT, [2])])
save("test_mote_loop_nested",
     [helper.make_node("Loop", ["two", "", "acc0"], ["acc_final"], body=outer)],
     ["x"], ["acc_final"], 13, {"x": x}, [x * 3 * (1 + 2)],
     inits=[("two", np.array(2, np.int64)), ("three", np.array(3, np.int64)),
            ("one", np.array(1, np.int64)), ("acc0", np.zeros(2, np.float32))], check=False)

# A data-dependent If: the condition is computed from x (sum(x) > 0), each
# branch computes from x and an outer weight; a session runs only the
# branch taken (src/runtime/control_flow.c).
x = np.array([[1.0, -2.0, 3.0], [0.5, -0.25, 2.0]], np.float32)
then_b = helper.make_graph(
    [helper.make_node("Relu", ["x"], ["r"]), helper.make_node("Mul", ["r", "k"], ["t_out"])],
    "then", [], [helper.make_tensor_value_info("t_out", TensorProto.FLOAT, [2, 3])])
else_b = helper.make_graph(
    [helper.make_node("Neg", ["x"], ["n"]), helper.make_node("Add", ["n", "k"], ["e_out"])],
    "else", [], [helper.make_tensor_value_info("e_out", TensorProto.FLOAT, [2, 3])])
save("test_mote_if_data_dependent",
     [helper.make_node("ReduceSum", ["x"], ["s"], keepdims=0),
      helper.make_node("Greater", ["s", "zero"], ["c"]),
      helper.make_node("If", ["c"], ["y"], then_branch=then_b, else_branch=else_b)],
     ["x"], ["y"], 13, {"x": x}, [np.maximum(x, 0) * np.float32(3)],
     inits=[("zero", np.array(0, np.float32)), ("k", np.array(3, np.float32))], check=False)

# An If inside a Loop body, on a condition that changes per trip: acc += x
# on even trips, acc -= 2 x on odd ones (5 trips); the branches read the
# body's carried value and x from outside. A run takes one side per trip.
x = f32(3)
then_b = helper.make_graph([helper.make_node("Add", ["acc", "x"], ["t_out"])], "then", [],
                           [helper.make_tensor_value_info("t_out", TensorProto.FLOAT, [3])])
else_b = helper.make_graph([helper.make_node("Mul", ["x", "two"], ["x2"]),
                            helper.make_node("Sub", ["acc", "x2"], ["e_out"])], "else", [],
                           [helper.make_tensor_value_info("e_out", TensorProto.FLOAT, [3])])
body = helper.make_graph(
    [helper.make_node("Div", ["i", "two_i"], ["h"]),
     helper.make_node("Mul", ["h", "two_i"], ["h2"]),
     helper.make_node("Equal", ["h2", "i"], ["even"]),
     helper.make_node("If", ["even"], ["acc_out"], then_branch=then_b, else_branch=else_b)],
    "body", [helper.make_tensor_value_info("i", TensorProto.INT64, []),
             helper.make_tensor_value_info("c", TensorProto.BOOL, []),
             helper.make_tensor_value_info("acc", TensorProto.FLOAT, [3])],
    [helper.make_tensor_value_info("c", TensorProto.BOOL, []),
     helper.make_tensor_value_info("acc_out", TensorProto.FLOAT, [3])])
acc = np.zeros(3, np.float32)
for i in range(5):
    acc = acc + x if i % 2 == 0 else acc - x * np.float32(2)
save("test_mote_loop_if_in_body",
     [helper.make_node("Loop", ["M", "", "acc0"], ["acc_final"], body=body)],
     ["x"], ["acc_final"], 13, {"x": x}, [acc],
     inits=[("M", np.array(5, np.int64)), ("acc0", np.zeros(3, np.float32)),
            ("two", np.array(2, np.float32)), ("two_i", np.array(2, np.int64))], check=False)
