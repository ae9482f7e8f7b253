#!/usr/bin/env python3
"""make_tflite.py — writes small TFLite models (schema v3) for the tests
and the fuzz corpus, with a flatbuffer writer of its own (no flatbuffers or
tensorflow package): tables with their vtables, scalars aligned to their
size, vectors and strings after the table that refers to them.

    make_tflite.py OUTDIR        the test models (tests/tflite/*.tflite)
    make_tflite.py --corpus DIR  the fuzz seeds (tests/fuzz/corpus/tflite)

Run by hand when the models need remaking; needs numpy. Not a test."""
import os, struct, sys
import numpy as np

# ---------------------------------------------------------------- writer

SIZES = {"u8": 1, "i8": 1, "bool": 1, "i32": 4, "u32": 4, "f32": 4}
FMT = {"u8": "<B", "i8": "<b", "bool": "<B", "i32": "<i", "u32": "<I", "f32": "<f"}


def align(buf, n, extra=0):
    while (len(buf) + extra) % n:
        buf.append(0)


def write_table(buf, fields):
    """fields: list indexed by field id of None or (kind, value)."""
    layout, off = [], 4
    for f in fields:
        if f is None:
            layout.append(0)
            continue
        size = SIZES.get(f[0], 4)
        off = (off + size - 1) // size * size
        layout.append(off)
        off += size
    tsize = (off + 3) // 4 * 4
    align(buf, 2)
    vt = len(buf)
    buf += struct.pack("<HH", 4 + 2 * len(fields), tsize)
    for o in layout:
        buf += struct.pack("<H", o)
    align(buf, 4)
    tp = len(buf)
    buf += bytes(tsize)
    struct.pack_into("<i", buf, tp, tp - vt)
    refs = []
    for i, f in enumerate(fields):
        if f is None:
            continue
        k, v = f
        if k in FMT:
            struct.pack_into(FMT[k], buf, tp + layout[i], v)
        else:
            refs.append((tp + layout[i], k, v))
    for p, k, v in refs:
        struct.pack_into("<I", buf, p, write_obj(buf, k, v) - p)
    return tp


def write_obj(buf, k, v):
    if k == "tab":
        return write_table(buf, v)
    if k == "str":
        b = v.encode()
        align(buf, 4)
        s = len(buf)
        buf += struct.pack("<I", len(b)) + b + b"\0"
        return s
    if k == "vec_u8":
        align(buf, 16, 4)
        s = len(buf)
        buf += struct.pack("<I", len(v)) + bytes(v)
        return s
    if k in ("vec_i32", "vec_f32"):
        align(buf, 4)
        s = len(buf)
        buf += struct.pack("<I%d%s" % (len(v), "i" if k == "vec_i32" else "f"), len(v), *v)
        return s
    if k == "vec_i64":
        align(buf, 8, 4)
        s = len(buf)
        buf += struct.pack("<I%dq" % len(v), len(v), *v)
        return s
    if k == "vec_tab":
        align(buf, 4)
        s = len(buf)
        buf += struct.pack("<I", len(v)) + bytes(4 * len(v))
        for i, t in enumerate(v):
            p = s + 4 + 4 * i
            struct.pack_into("<I", buf, p, write_table(buf, t) - p)
        return s
    raise ValueError(k)


def flatbuffer(root):
    buf = bytearray(8)
    buf[4:8] = b"TFL3"
    struct.pack_into("<I", buf, 0, write_table(buf, root))
    return bytes(buf)

# ----------------------------------------------------------- TFLite model

FLOAT32, INT32, UINT8, INT8 = 0, 2, 3, 9
OPS = {"ADD": 0, "AVERAGE_POOL_2D": 1, "CONCATENATION": 2, "CONV_2D": 3, "DEPTHWISE_CONV_2D": 4,
       "DEQUANTIZE": 6, "FULLY_CONNECTED": 9, "LOGISTIC": 14, "MAX_POOL_2D": 17, "MUL": 18,
       "RELU": 19, "RELU6": 21, "RESHAPE": 22, "RESIZE_BILINEAR": 23, "SOFTMAX": 25, "TANH": 28,
       "PAD": 34, "TRANSPOSE": 39, "MEAN": 40, "SUB": 41, "SQUEEZE": 43, "STRIDED_SLICE": 45,
       "TOPK_V2": 48, "ARG_MAX": 56, "RESIZE_NEAREST_NEIGHBOR": 97, "QUANTIZE": 114,
       "HARD_SWISH": 117, "CUSTOM": 32}


class Model:
    def __init__(self):
        self.tensors, self.buffers, self.ops, self.codes = [], [[]], [], []
        self.inputs, self.outputs = [], []

    def tensor(self, name, shape, type_, data=None, q=None):
        """q: (scales, zero_points[, quantized_dimension])"""
        buf = 0
        if data is not None:
            self.buffers.append(list(np.ascontiguousarray(data).tobytes()))
            buf = len(self.buffers) - 1
        quant = None
        if q is not None:
            sc, zp = list(q[0]), list(q[1])
            quant = [None, None, ("vec_f32", sc), ("vec_i64", zp), None, None,
                     ("i32", q[2] if len(q) > 2 else 0)]
        self.tensors.append([("vec_i32", list(shape)), ("u8", type_), ("u32", buf), ("str", name),
                             ("tab", quant) if quant else None])
        return len(self.tensors) - 1

    def op(self, name, ins, outs, opt_type=0, opts=None, custom=None):
        key = (OPS[name], custom)
        if key not in self.codes:
            self.codes.append(key)
        idx = self.codes.index(key)
        self.ops.append([("u32", idx), ("vec_i32", ins), ("vec_i32", outs),
                         ("u8", opt_type) if opts is not None else None,
                         ("tab", opts) if opts is not None else None])

    def bytes(self):
        codes = [[("i8", min(c, 127)), ("str", cu) if cu else None, ("i32", 1), ("i32", c)]
                 for c, cu in self.codes]
        sg = [("vec_tab", self.tensors), ("vec_i32", self.inputs), ("vec_i32", self.outputs),
              ("vec_tab", self.ops), ("str", "main")]
        bufs = [[("vec_u8", b)] if b else [] for b in self.buffers]
        return flatbuffer([("u32", 3), ("vec_tab", codes), ("vec_tab", [sg]),
                           ("str", "made by make_tflite.py"), ("vec_tab", bufs)])


def qconv_model(seed=0, dtype=UINT8, probe=False):
    """A quantized CNN touching the integer ops: CONV_2D (SAME, stride 2,
    RELU6), DEPTHWISE_CONV_2D (VALID), ADD, AVERAGE_POOL_2D, RESHAPE,
    FULLY_CONNECTED, SOFTMAX, plus a LOGISTIC and a MAX_POOL_2D branch."""
    rng = np.random.default_rng(seed)
    m = Model()
    u8 = dtype == UINT8
    npt = np.uint8 if u8 else np.int8
    lo, hi = (0, 256) if u8 else (-128, 128)
    zp = lambda: int(rng.integers(100, 156)) if u8 else int(rng.integers(-20, 20))
    x = m.tensor("image", [1, 9, 9, 3], dtype, q=([0.02], [zp()]))
    # conv 3x3 stride 2 SAME, 4 output channels, weights per tensor (u8) or per channel (i8)
    wq = ([0.01], [zp()]) if u8 else ([0.01, 0.02, 0.015, 0.03], [0, 0, 0, 0], 0)
    w = m.tensor("conv/w", [4, 3, 3, 3], dtype, rng.integers(lo, hi, (4, 3, 3, 3)).astype(npt), q=wq)
    bscale = [0.02 * s for s in wq[0]] if len(wq[0]) > 1 else [0.0002]
    b = m.tensor("conv/b", [4], INT32, rng.integers(-500, 500, 4).astype(np.int32), q=(bscale, [0] * len(bscale)))
    c1 = m.tensor("conv/out", [1, 5, 5, 4], dtype, q=([0.05], [zp() if u8 else -128]))
    m.op("CONV_2D", [x, w, b], [c1], 1, [("u8", 0), ("i32", 2), ("i32", 2), ("u8", 3)])
    # depthwise 3x3 multiplier 2 VALID
    dq = ([0.02], [zp()]) if u8 else ([0.02] * 8, [0] * 8, 3)
    dw = m.tensor("dw/w", [1, 3, 3, 8], dtype, rng.integers(lo, hi, (1, 3, 3, 8)).astype(npt), q=dq)
    dbs = [0.05 * s for s in dq[0]]
    db = m.tensor("dw/b", [8], INT32, rng.integers(-300, 300, 8).astype(np.int32), q=(dbs, [0] * len(dbs)))
    c2 = m.tensor("dw/out", [1, 3, 3, 8], dtype, q=([0.04], [zp()]))
    m.op("DEPTHWISE_CONV_2D", [c1, dw, db], [c2], 2,
         [("u8", 1), ("i32", 1), ("i32", 1), ("i32", 2), ("u8", 0)])
    # ADD with a constant of the same shape
    k = m.tensor("add/k", [1, 3, 3, 8], dtype, rng.integers(lo, hi, (1, 3, 3, 8)).astype(npt), q=([0.03], [zp()]))
    azp = zp()
    a = m.tensor("add/out", [1, 3, 3, 8], dtype, q=([0.06], [azp]))
    m.op("ADD", [c2, k], [a], 11, [("u8", 1)])
    # logistic, then max pool 2x2 stride 1 SAME
    lg = m.tensor("logistic/out", [1, 3, 3, 8], dtype, q=([1 / 256], [0 if u8 else -128]))
    m.op("LOGISTIC", [a], [lg])
    mp = m.tensor("maxpool/out", [1, 3, 3, 8], dtype, q=([1 / 256], [0 if u8 else -128]))
    m.op("MAX_POOL_2D", [lg], [mp], 5, [("u8", 0), ("i32", 1), ("i32", 1), ("i32", 2), ("i32", 2), ("u8", 0)])
    # average pool over the whole map
    ap = m.tensor("avgpool/out", [1, 1, 1, 8], dtype, q=([0.06], [azp]))
    m.op("AVERAGE_POOL_2D", [a], [ap], 5, [("u8", 1), ("i32", 1), ("i32", 1), ("i32", 3), ("i32", 3), ("u8", 0)])
    shp = m.tensor("reshape/shape", [2], INT32, np.array([1, 8], np.int32))
    r = m.tensor("reshape/out", [1, 8], dtype, q=([0.06], [azp]))
    m.op("RESHAPE", [ap, shp], [r], 17, [("vec_i32", [1, 8])])
    fw = m.tensor("fc/w", [5, 8], dtype, rng.integers(lo, hi, (5, 8)).astype(npt), q=([0.02], [zp() if u8 else 0]))
    fb = m.tensor("fc/b", [5], INT32, rng.integers(-200, 200, 5).astype(np.int32), q=([0.06 * 0.02], [0]))
    f = m.tensor("fc/out", [1, 5], dtype, q=([0.1], [zp()]))
    m.op("FULLY_CONNECTED", [r, fw, fb], [f], 8, [("u8", 0)])
    sm = m.tensor("probs", [1, 5], dtype, q=([1 / 256], [0 if u8 else -128]))
    m.op("SOFTMAX", [f], [sm], 9, [("f32", 1.0)])
    m.inputs, m.outputs = [x], [sm, mp]
    if probe:   # every intermediate as an output too (comparisons, debugging)
        m.outputs += [c1, c2, a, lg, ap, f]
    return m.bytes()


def float_model():
    """A float model: CONV_2D + RELU, PAD, MEAN, CONCATENATION, TRANSPOSE,
    STRIDED_SLICE, RESIZE_NEAREST_NEIGHBOR, HARD_SWISH, SQUEEZE, ARG_MAX."""
    rng = np.random.default_rng(3)
    m = Model()
    x = m.tensor("x", [1, 4, 4, 2], FLOAT32)
    w = m.tensor("w", [3, 3, 3, 2], FLOAT32, rng.standard_normal((3, 3, 3, 2)).astype(np.float32))
    bias = m.tensor("b", [3], FLOAT32, np.array([0.5, -0.25, 0.125], np.float32))
    c = m.tensor("conv", [1, 4, 4, 3], FLOAT32)
    m.op("CONV_2D", [x, w, bias], [c], 1, [("u8", 0), ("i32", 1), ("i32", 1), ("u8", 1)])
    pads = m.tensor("pads", [4, 2], INT32, np.array([[0, 0], [1, 1], [0, 1], [0, 0]], np.int32))
    p = m.tensor("pad", [1, 6, 5, 3], FLOAT32)
    m.op("PAD", [c, pads], [p])
    rs = m.tensor("size", [2], INT32, np.array([12, 10], np.int32))
    rz = m.tensor("resize", [1, 12, 10, 3], FLOAT32)
    m.op("RESIZE_NEAREST_NEIGHBOR", [p, rs], [rz], 74, [("bool", 0), ("bool", 0)])
    hs = m.tensor("hswish", [1, 12, 10, 3], FLOAT32)
    m.op("HARD_SWISH", [rz], [hs])
    ax = m.tensor("axes", [2], INT32, np.array([1, 2], np.int32))
    mean = m.tensor("mean", [1, 1, 1, 3], FLOAT32)
    m.op("MEAN", [hs, ax], [mean], 27, [("bool", 1)])
    cat = m.tensor("concat", [1, 1, 1, 6], FLOAT32)
    m.op("CONCATENATION", [mean, mean], [cat], 10, [("i32", 3), ("u8", 0)])
    sq = m.tensor("squeeze", [1, 6], FLOAT32)
    m.op("SQUEEZE", [cat], [sq], 20, [("vec_i32", [1, 2])])
    b = m.tensor("begin", [2], INT32, np.array([0, 1], np.int32))
    e = m.tensor("end", [2], INT32, np.array([1, 5], np.int32))
    s = m.tensor("strides", [2], INT32, np.array([1, 1], np.int32))
    sl = m.tensor("slice", [1, 4], FLOAT32)
    m.op("STRIDED_SLICE", [sq, b, e, s], [sl], 32, [("i32", 0), ("i32", 0), ("i32", 0), ("i32", 0), ("i32", 0)])
    pm = m.tensor("perm", [4], INT32, np.array([0, 3, 1, 2], np.int32))
    tr = m.tensor("transpose", [1, 3, 12, 10], FLOAT32)
    m.op("TRANSPOSE", [hs, pm], [tr])
    axis = m.tensor("axis", [1], INT32, np.array([-1], np.int32))
    am = m.tensor("argmax", [1], INT32)
    m.op("ARG_MAX", [sl, axis], [am], 40, [("u8", INT32)])
    m.inputs, m.outputs = [x], [sl, am, tr]
    return m.bytes()


def pixels_model():
    """The input image itself as output: (1, 4, 4, 3) u8 reshaped to (1, 48),
    so `mote classify`'s top class is the brightest pixel channel (image
    decoding tests)."""
    m = Model()
    x = m.tensor("pixels", [1, 4, 4, 3], UINT8, q=([1.0], [0]))
    shp = m.tensor("shape", [2], INT32, np.array([1, 48], np.int32))
    y = m.tensor("flat", [1, 48], UINT8, q=([1.0], [0]))
    m.op("RESHAPE", [x, shp], [y], 17, [("vec_i32", [1, 48])])
    m.inputs, m.outputs = [x], [y]
    return m.bytes()


def unsupported_model():
    """TOPK_V2 twice and a CUSTOM op: convert must name both kinds."""
    m = Model()
    x = m.tensor("x", [1, 8], FLOAT32)
    k = m.tensor("k", [], INT32, np.array(2, np.int32))
    v = m.tensor("v", [1, 2], FLOAT32)
    i = m.tensor("i", [1, 2], INT32)
    m.op("TOPK_V2", [x, k], [v, i])
    v2 = m.tensor("v2", [1, 2], FLOAT32)
    i2 = m.tensor("i2", [1, 2], INT32)
    m.op("TOPK_V2", [x, k], [v2, i2])
    y = m.tensor("y", [1, 2], FLOAT32)
    m.op("CUSTOM", [v, v2], [y], custom="MyOwnOp")
    m.inputs, m.outputs = [x], [y]
    return m.bytes()


def absent_models():
    """Tensor index -1 (an absent optional input) where a tensor is needed:
    a CONV_2D filter, a FULLY_CONNECTED weight, ADD's second input, an
    operator output, a model input. The import must refuse each with a
    message, not read before the tensor table (fuzz_tflite found the first)."""
    files = {}
    for kind in ("conv_filter", "fc_weights", "add_input", "op_output", "model_input"):
        m = Model()
        x = m.tensor("x", [1, 4, 4, 2], FLOAT32)
        y = m.tensor("y", [1, 4, 4, 2], FLOAT32)
        if kind == "conv_filter":
            m.op("CONV_2D", [x, -1], [y], 1, [("u8", 0), ("i32", 1), ("i32", 1), ("u8", 0)])
        elif kind == "fc_weights":
            m.op("FULLY_CONNECTED", [x, -1], [y], 8, [("u8", 0)])
        elif kind == "add_input":
            m.op("ADD", [x, -1], [y], 11, [("u8", 0)])
        elif kind == "op_output":
            m.op("RELU", [x], [-1])
        else:
            m.op("RELU", [x], [y])
        m.inputs, m.outputs = ([-1] if kind == "model_input" else [x]), [y]
        files["absent_%s.tflite" % kind] = m.bytes()
    return files


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--corpus":
        out = sys.argv[2]
        os.makedirs(out, exist_ok=True)
        files = {"qconv_u8.tflite": qconv_model(0, UINT8, True), "qconv_i8.tflite": qconv_model(1, INT8, True),
                 "float_ops.tflite": float_model(), "unsupported.tflite": unsupported_model()}
    elif len(sys.argv) == 2:
        out = sys.argv[1]
        os.makedirs(out, exist_ok=True)
        files = {"qconv_u8.tflite": qconv_model(0, UINT8, True), "qconv_i8.tflite": qconv_model(1, INT8, True),
                 "float_ops.tflite": float_model(), "unsupported.tflite": unsupported_model(),
                 "pixels.tflite": pixels_model(), **absent_models()}
    else:
        sys.exit(__doc__)
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
