#!/usr/bin/env python3
"""make_quant_models.py — writes tests/onnx/quant/: small quantized ONNX
models in the forms ONNX Runtime's quantization tools produce, each with
an f32 input NAME.x.npy, for tests/onnx/quant_ort.sh (which runs them in
mote and in ONNX Runtime and compares):

  qdq_cnn         QuantizeLinear/DequantizeLinear around Conv (QDQ format):
                  per-channel i8 and per-tensor u8 weights, Relu, stride 2,
                  GlobalAveragePool
  qop_cnn         QLinearConv twice (QOperator format), u8 and i8 weights
  qlinear_matmul  QLinearMatMul on a (1, 4, 16) activation
  dyn_block       a transformer-style block quantized dynamically:
                  DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul ->
                  Add (as quantize_dynamic writes for MatMul), twice, with a
                  Relu and a residual Add
  dyn_conv        DynamicQuantizeLinear -> ConvInteger -> Cast -> Mul

    /usr/bin/python3 tests/onnx/make_quant_models.py [OUTDIR]

Needs numpy and onnx; the files are committed. Not a test."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "quant")
rng = np.random.default_rng(20261206)
F = TensorProto.FLOAT


def init(name, a):
    return numpy_helper.from_array(np.asarray(a), name)


def save(name, nodes, x_shape, y_shape, inits, x):
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", F, x_shape)],
                          [helper.make_tensor_value_info("y", F, y_shape)], initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="mote-tests")
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(OUT, name + ".onnx"))
    np.save(os.path.join(OUT, name + ".x.npy"), x.astype(np.float32))


def qdq_cnn():
    x = rng.uniform(-1, 1, (1, 3, 12, 12)).astype(np.float32)
    w1 = rng.integers(-127, 128, (8, 3, 3, 3)).astype(np.int8)
    w1s = rng.uniform(0.002, 0.01, 8).astype(np.float32)
    w2 = rng.integers(0, 256, (8, 8, 3, 3)).astype(np.uint8)
    inits = [init("xs", np.float32(0.008)), init("xz", np.uint8(128)),
             init("w1", w1), init("w1s", w1s), init("w1z", np.zeros(8, np.int8)),
             init("b1", rng.uniform(-0.1, 0.1, 8).astype(np.float32)),
             init("s1", np.float32(0.02)), init("z1", np.uint8(100)),
             init("s2", np.float32(0.015)), init("z2", np.uint8(0)),
             init("w2", w2), init("w2s", np.float32(0.004)), init("w2z", np.uint8(125)),
             init("s3", np.float32(0.05)), init("z3", np.uint8(120)),
             init("s4", np.float32(0.01)), init("z4", np.uint8(128))]
    n = [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
         helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
         helper.make_node("DequantizeLinear", ["w1", "w1s", "w1z"], ["w1d"], axis=0),
         helper.make_node("Conv", ["xd", "w1d", "b1"], ["c1"], pads=[1, 1, 1, 1]),
         helper.make_node("QuantizeLinear", ["c1", "s1", "z1"], ["c1q"]),
         helper.make_node("DequantizeLinear", ["c1q", "s1", "z1"], ["c1d"]),
         helper.make_node("Relu", ["c1d"], ["r1"]),
         helper.make_node("QuantizeLinear", ["r1", "s2", "z2"], ["r1q"]),
         helper.make_node("DequantizeLinear", ["r1q", "s2", "z2"], ["r1d"]),
         helper.make_node("DequantizeLinear", ["w2", "w2s", "w2z"], ["w2d"]),
         helper.make_node("Conv", ["r1d", "w2d"], ["c2"], pads=[1, 1, 1, 1], strides=[2, 2]),
         helper.make_node("QuantizeLinear", ["c2", "s3", "z3"], ["c2q"]),
         helper.make_node("DequantizeLinear", ["c2q", "s3", "z3"], ["c2d"]),
         helper.make_node("GlobalAveragePool", ["c2d"], ["gp"]),
         helper.make_node("QuantizeLinear", ["gp", "s4", "z4"], ["gpq"]),
         helper.make_node("DequantizeLinear", ["gpq", "s4", "z4"], ["y"])]
    save("qdq_cnn", n, [1, 3, 12, 12], [1, 8, 1, 1], inits, x)


def qop_cnn():
    x = rng.uniform(-1, 1, (1, 4, 10, 10)).astype(np.float32)
    w1 = rng.integers(0, 256, (6, 4, 3, 3)).astype(np.uint8)
    w2 = rng.integers(-127, 128, (5, 6, 3, 3)).astype(np.int8)
    w2s = rng.uniform(0.003, 0.008, 5).astype(np.float32)
    inits = [init("xs", np.float32(0.008)), init("xz", np.uint8(128)),
             init("w1", w1), init("w1s", np.float32(0.005)), init("w1z", np.uint8(131)),
             init("s1", np.float32(0.03)), init("z1", np.uint8(110)),
             init("b1", rng.integers(-2000, 2000, 6).astype(np.int32)),
             init("w2", w2), init("w2s", w2s), init("w2z", np.zeros(5, np.int8)),
             init("s2", np.float32(0.04)), init("z2", np.uint8(125))]
    n = [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
         helper.make_node("QLinearConv", ["xq", "xs", "xz", "w1", "w1s", "w1z", "s1", "z1", "b1"],
                          ["c1"], pads=[1, 1, 1, 1]),
         helper.make_node("QLinearConv", ["c1", "s1", "z1", "w2", "w2s", "w2z", "s2", "z2"],
                          ["c2"], strides=[2, 2]),
         helper.make_node("DequantizeLinear", ["c2", "s2", "z2"], ["y"])]
    save("qop_cnn", n, [1, 4, 10, 10], [1, 5, 4, 4], inits, x)


def qlinear_matmul():
    x = rng.uniform(-1, 1, (1, 4, 16)).astype(np.float32)
    inits = [init("xs", np.float32(0.008)), init("xz", np.uint8(128)),
             init("b", rng.integers(0, 256, (16, 8)).astype(np.uint8)),
             init("bs", np.float32(0.01)), init("bz", np.uint8(127)),
             init("ys", np.float32(0.02)), init("yz", np.uint8(128))]
    n = [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
         helper.make_node("QLinearMatMul", ["xq", "xs", "xz", "b", "bs", "bz", "ys", "yz"], ["mq"]),
         helper.make_node("DequantizeLinear", ["mq", "ys", "yz"], ["y"])]
    save("qlinear_matmul", n, [1, 4, 16], [1, 4, 8], inits, x)


def dyn_matmul(n, inits, src, name, k, m, act=None):
    """quantize_dynamic's MatMul: DynamicQuantizeLinear, MatMulInteger with
    i8 weights (zero point 0), Cast, Mul by the scale product, Add bias."""
    inits += [init(name + "_w", rng.integers(-127, 128, (k, m)).astype(np.int8)),
              init(name + "_ws", np.float32(rng.uniform(0.005, 0.02))),
              init(name + "_wz", np.int8(0)),
              init(name + "_b", rng.uniform(-0.2, 0.2, m).astype(np.float32))]
    n += [helper.make_node("DynamicQuantizeLinear", [src], [name + "_q", name + "_s", name + "_z"]),
          helper.make_node("MatMulInteger", [name + "_q", name + "_w", name + "_z", name + "_wz"],
                           [name + "_i"]),
          helper.make_node("Cast", [name + "_i"], [name + "_f"], to=F),
          helper.make_node("Mul", [name + "_s", name + "_ws"], [name + "_sc"]),
          helper.make_node("Mul", [name + "_f", name + "_sc"], [name + "_m"]),
          helper.make_node("Add", [name + "_m", name + "_b"], [name + "_o"])]
    return name + "_o"


def dyn_block():
    x = rng.uniform(-2, 2, (1, 6, 16)).astype(np.float32)
    n, inits = [], []
    h = dyn_matmul(n, inits, "x", "fc1", 16, 32)
    n.append(helper.make_node("Relu", [h], ["h_relu"]))
    o = dyn_matmul(n, inits, "h_relu", "fc2", 32, 16)
    n.append(helper.make_node("Add", [o, "x"], ["y"]))
    save("dyn_block", n, [1, 6, 16], [1, 6, 16], inits, x)


def dyn_conv():
    x = rng.uniform(-1, 2, (1, 3, 9, 9)).astype(np.float32)
    inits = [init("w", rng.integers(0, 256, (4, 3, 3, 3)).astype(np.uint8)),
             init("wz", np.uint8(128)), init("ws", np.float32(0.01))]
    n = [helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"]),
         helper.make_node("ConvInteger", ["xq", "w", "xz", "wz"], ["ci"], pads=[1, 1, 1, 1]),
         helper.make_node("Cast", ["ci"], ["cf"], to=F),
         helper.make_node("Mul", ["xs", "ws"], ["sc"]),
         helper.make_node("Mul", ["cf", "sc"], ["y"])]
    save("dyn_conv", n, [1, 3, 9, 9], [1, 4, 9, 9], inits, x)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    qdq_cnn()
    qop_cnn()
    qlinear_matmul()
    dyn_block()
    dyn_conv()
