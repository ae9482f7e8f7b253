#!/usr/bin/python3
"""bench/quantize_qdq.py - helper of bench/int8.sh: quantizes a float CNN
(as bench/export_onnx.py writes them) into an ONNX QDQ model, the format
ONNX Runtime's static quantization produces and its QDQ optimizer fuses
into QLinearConv / QGemm / QLinearAdd kernels.

    /usr/bin/python3 bench/quantize_qdq.py IN.onnx X.npy OUT.onnx

- activations: u8, asymmetric, per tensor, the range (widened to hold 0)
  taken from one run of IN.onnx on X.npy (interpreted here with torch's
  functional ops: Conv, Relu, Clip, Add, MaxPool, GlobalAveragePool,
  Flatten, Gemm, Constant);
  every input and output of Conv, Gemm, Add and the model's input and
  output get one QuantizeLinear -> DequantizeLinear pair;
- a Relu or a Clip(0, 6) right after a Conv is folded into the Conv's
  output quantization (its range starts at 0), as ONNX Runtime's tool does;
- weights: i8, symmetric, per output channel (axis 0); biases: i32 with
  scale x_scale * w_scale, zero point 0.
This is not a test and asserts nothing; it only makes a file.
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
import torch
import torch.nn.functional as F


def attrs(n):
    return {a.name: helper.get_attribute_value(a) for a in n.attribute}


def ranges(model, x):
    """min and max of every tensor of one run on x"""
    g = model.graph
    env = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in g.initializer}
    env[g.input[0].name] = torch.from_numpy(x)
    with torch.no_grad():
        for n in g.node:
            a = attrs(n)
            i = [env[t] if t else None for t in n.input]
            op = n.op_type
            if op == "Constant":
                y = torch.from_numpy(numpy_helper.to_array(a["value"]).copy())
            elif op == "Conv":
                p = a.get("pads", [0, 0, 0, 0])
                xi = i[0]
                if p[0] != p[2] or p[1] != p[3]:
                    xi = F.pad(xi, (p[1], p[3], p[0], p[2]))
                    p = [0, 0, 0, 0]
                y = F.conv2d(xi, i[1], i[2] if len(i) > 2 else None, stride=a.get("strides", [1, 1]),
                             padding=(p[0], p[1]), dilation=a.get("dilations", [1, 1]),
                             groups=a.get("group", 1))
            elif op == "Relu":
                y = torch.relu(i[0])
            elif op == "Clip":
                y = torch.clamp(i[0], float(i[1]) if len(i) > 1 and i[1] is not None else None,
                                float(i[2]) if len(i) > 2 and i[2] is not None else None)
            elif op == "Add":
                y = i[0] + i[1]
            elif op == "MaxPool":
                p = a.get("pads", [0, 0, 0, 0])
                y = F.max_pool2d(F.pad(i[0], (p[1], p[3], p[0], p[2]), value=float("-inf")),
                                 a["kernel_shape"], a.get("strides", [1, 1]))
            elif op == "GlobalAveragePool":
                y = i[0].mean(dim=(2, 3), keepdim=True)
            elif op == "Flatten":
                y = i[0].reshape(i[0].shape[0], -1)
            elif op == "Gemm":
                w = i[1].t() if a.get("transB", 0) else i[1]
                y = i[0] @ w + (i[2] if len(i) > 2 else 0)
            else:
                sys.exit("quantize_qdq.py: no calibration for op " + op)
            env[n.output[0]] = y
    return {k: (float(v.min()), float(v.max())) for k, v in env.items() if v.numel()}


def act_params(lo, hi):
    lo, hi = min(0.0, lo), max(0.0, hi)
    scale = (hi - lo) / 255.0 if hi > lo else 1.0
    zp = int(np.clip(np.round(-lo / scale), 0, 255))
    return np.float32(scale), np.uint8(zp)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    model = onnx.load(sys.argv[1])
    x = np.load(sys.argv[2]).astype(np.float32)
    g = model.graph
    r = ranges(model, x)
    inits = {t.name: t for t in g.initializer}
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    # fold Relu / Clip after a Conv whose only consumer they are
    drop = set()
    for n in g.node:
        if n.op_type != "Conv":
            continue
        c = consumers.get(n.output[0], [])
        if len(c) == 1 and c[0].op_type in ("Relu", "Clip"):
            act = c[0]
            if act.op_type == "Clip":
                lo = hi = None
                if len(act.input) > 1 and act.input[1] in inits:
                    lo = float(numpy_helper.to_array(inits[act.input[1]]))
                if len(act.input) > 2 and act.input[2] in inits:
                    hi = float(numpy_helper.to_array(inits[act.input[2]]))
                for node in g.node:   # Clip bounds may be Constant nodes
                    if node.op_type == "Constant" and node.output[0] in act.input[1:]:
                        v = float(numpy_helper.to_array(node.attribute[0].t))
                        if node.output[0] == act.input[1]:
                            lo = v
                        else:
                            hi = v
                if lo != 0.0 or hi is None:
                    continue
                lo_r, hi_r = r[act.output[0]]
                r[act.output[0]] = (0.0, min(hi_r, hi))
            n.output[0] = act.output[0]
            drop.add(id(act))
    nodes = [n for n in g.node if id(n) not in drop]
    # the tensors to quantize
    qt = []
    seen = set()
    def want(t):
        if t and t not in inits and t not in seen:
            seen.add(t)
            qt.append(t)
    want(g.input[0].name)
    for n in nodes:
        if n.op_type in ("Conv", "Gemm", "Add"):
            want(n.input[0])
            if n.op_type == "Add":
                want(n.input[1])
            want(n.output[0])
    want(g.output[0].name)
    new_nodes = []
    new_inits = []
    rename = {}
    outputs = {o.name for o in g.output}
    for t in qt:
        s, z = act_params(*r[t])
        src = t
        if t in outputs:                      # the producer writes t_f, DQ writes t
            src = t + "_f"
            for n in nodes:
                for k, o in enumerate(n.output):
                    if o == t:
                        n.output[k] = src
            dq_out = t
        else:
            dq_out = t + "_dq"
            rename[t] = dq_out
        new_inits += [numpy_helper.from_array(np.array(s, np.float32), t + "_s"),
                      numpy_helper.from_array(np.array(z, np.uint8), t + "_z")]
        new_nodes.append((src, [helper.make_node("QuantizeLinear", [src, t + "_s", t + "_z"], [t + "_q"]),
                                helper.make_node("DequantizeLinear", [t + "_q", t + "_s", t + "_z"], [dq_out])]))
    for n in nodes:
        for k, i in enumerate(n.input):
            if i in rename:
                n.input[k] = rename[i]
    # weights and biases
    for n in nodes:
        if n.op_type not in ("Conv", "Gemm"):
            continue
        wname = n.input[1]
        w = numpy_helper.to_array(inits[wname]).astype(np.float32)
        if n.op_type == "Gemm":
            tb = [a.i for a in n.attribute if a.name == "transB"]
            if not tb or tb[0] != 1:
                w = w.T.copy()
                n.attribute.append(helper.make_attribute("transB", 1))
        amax = np.abs(w.reshape(w.shape[0], -1)).max(axis=1)
        ws = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
        wq = np.clip(np.round(w / ws.reshape((-1,) + (1,) * (w.ndim - 1))), -127, 127).astype(np.int8)
        new_inits += [numpy_helper.from_array(wq, wname + "_q"),
                      numpy_helper.from_array(ws, wname + "_s"),
                      numpy_helper.from_array(np.zeros(w.shape[0], np.int8), wname + "_z")]
        dq_w = helper.make_node("DequantizeLinear", [wname + "_q", wname + "_s", wname + "_z"],
                                [wname + "_dq"], axis=0)
        extra = [dq_w]
        n.input[1] = wname + "_dq"
        if len(n.input) > 2 and n.input[2] in inits:
            bname = n.input[2]
            b = numpy_helper.to_array(inits[bname]).astype(np.float64)
            xin = n.input[0][:-3] if n.input[0].endswith("_dq") else n.input[0]
            xs, _ = act_params(*r[xin])
            bs = (np.float64(xs) * ws.astype(np.float64)).astype(np.float32)
            bq = np.round(b / bs.astype(np.float64)).astype(np.int32)
            new_inits += [numpy_helper.from_array(bq, bname + "_q"),
                          numpy_helper.from_array(bs, bname + "_s"),
                          numpy_helper.from_array(np.zeros(w.shape[0], np.int32), bname + "_z")]
            extra.append(helper.make_node("DequantizeLinear", [bname + "_q", bname + "_s", bname + "_z"],
                                          [bname + "_dq"], axis=0))
            n.input[2] = bname + "_dq"
        n.doc_string = ""
        new_nodes.append((None, extra))
    # order: weight DQs first, then each activation pair right after its producer
    pre = [m for src, ns in new_nodes if src is None for m in ns]
    after = {}
    for src, ns in new_nodes:
        if src is not None:
            after[src] = ns
    out = list(pre)
    if g.input[0].name in after:
        out += after[g.input[0].name]
    for n in nodes:
        out.append(n)
        for o in n.output:
            out += after.get(o, [])
    # Constant nodes left without a reader (the folded Clips' bounds)
    used = set(o.name for o in g.output)
    for n in out:
        used.update(n.input)
    out = [n for n in out if n.op_type != "Constant" or n.output[0] in used]
    used = set()
    for n in out:
        used.update(n.input)
    keep = [t for t in g.initializer if t.name in used]
    del g.node[:]
    g.node.extend(out)
    del g.initializer[:]
    g.initializer.extend(keep + [t for t in new_inits if t.name in used])
    onnx.checker.check_model(model)
    onnx.save(model, sys.argv[3])


if __name__ == "__main__":
    main()
