#!/usr/bin/env python3
"""make_corpus.py — writes the small seed inputs under tests/fuzz/corpus/
for the npy, onnx, llama2c, gguf and tokenizer targets (the .mote seeds come
from tests/test_reliability's fixture builder, see docs/reliability.md).
Run by hand when the seeds need remaking; needs numpy and onnx. Not a
fuzzer and not a test."""
import os, struct, sys
import numpy as np

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

def put(target, name, data):
    with open(os.path.join(here, target, name), "wb") as f:
        f.write(data)

def npy_bytes(a, version=(1, 0)):
    import io
    b = io.BytesIO()
    np.lib.format.write_array(b, a, version=version)
    return b.getvalue()

# --- npy: each dtype mote has, 0-d, empty, v2 header ---
put("npy", "f32_2x3.npy", npy_bytes(np.arange(6, dtype="<f4").reshape(2, 3)))
put("npy", "i64_scalar.npy", npy_bytes(np.array(7, dtype="<i8")))
put("npy", "u8_empty.npy", npy_bytes(np.zeros((0, 4), dtype="u1")))
put("npy", "f16_4.npy", npy_bytes(np.ones(4, dtype="<f2")))
put("npy", "i8_v2.npy", npy_bytes(np.arange(5, dtype="i1"), version=(2, 0)))
put("npy", "bool_3.npy", npy_bytes(np.array([True, False, True])))
put("npy", "i32_fortran.npy", npy_bytes(np.asfortranarray(np.arange(4, dtype="<i4").reshape(2, 2))))

# --- llama2c: tiny checkpoints, v0 and v1 ---
def ckpt_v0(dim=8, hidden=16, layers=1, heads=2, kv=2, vocab=16, seq=8, shared=True):
    rng = np.random.default_rng(1)
    hs = dim // heads
    kvd = kv * hs
    hdr = struct.pack("<7i", dim, hidden, layers, heads, kv, vocab if shared else -vocab, seq)
    parts = [vocab * dim, layers * dim, layers * dim * dim, layers * dim * kvd, layers * dim * kvd,
             layers * dim * dim, layers * dim, layers * dim * hidden, layers * hidden * dim,
             layers * dim * hidden, dim, seq * hs // 2, seq * hs // 2]
    if not shared:
        parts.append(vocab * dim)
    w = rng.standard_normal(sum(parts)).astype("<f4")
    return hdr + w.tobytes()

def ckpt_v1(dim=8, hidden=16, layers=1, heads=2, kv=2, vocab=16, seq=8):
    rng = np.random.default_rng(2)
    hs = dim // heads
    kvd = kv * hs
    hdr = struct.pack("<I i 7i B", 0x616b3432, 1, dim, hidden, layers, heads, kv, vocab, seq, 1)
    hdr += b"\0" * (256 - len(hdr))
    n = (layers * dim * 2 + dim + vocab * dim + layers * (dim * dim * 2 + dim * kvd * 2)
         + layers * (dim * hidden * 3))
    return hdr + rng.standard_normal(n).astype("<f4").tobytes()

put("llama2c", "v0_tiny.bin", ckpt_v0())
put("llama2c", "v0_untied.bin", ckpt_v0(shared=False))
put("llama2c", "v1_tiny.bin", ckpt_v1())

# --- tokenizer: 2-byte vocabulary size, then a llama2.c tokenizer.bin ---
def tok(pieces):
    out = struct.pack("<i", max(len(p) for p in pieces))
    for i, p in enumerate(pieces):
        out += struct.pack("<fi", -float(i), len(p)) + p
    return struct.pack("<H", len(pieces) - 1) + out

base = [b"<unk>", b"<s>", b"</s>"] + [b"<0x%02X>" % i for i in range(256)]
words = [b" ", b"e", b"o", b" t", b"he", b" the", b"on", b"ce", b" a", b"up", b"ti", b"me", b"O"]
put("tokenizer", "bytes_words.bin", tok(base + words))
put("tokenizer", "small.bin", tok([b"<unk>", b"<s>", b"</s>", b" ", b"a", b"b", b"ab"]))

# --- gguf: tiny llama models (dim 32 so rows are whole 32-value blocks) ---
def gguf(wtype=0, tokenizer=True, bpe=False, dim=32, hidden=32, layers=1, heads=2, kv=1, vocab=8, seq=8):
    rng = np.random.default_rng(3)
    def s(x):
        x = x.encode()
        return struct.pack("<Q", len(x)) + x
    def kv_u32(k, v): return s(k) + struct.pack("<II", 4, v)
    def kv_str(k, v): return s(k) + struct.pack("<I", 8) + s(v)
    def kv_f32(k, v): return s(k) + struct.pack("<If", 6, v)
    kvs = [kv_str("general.architecture", "llama"), kv_u32("llama.context_length", seq),
           kv_u32("llama.embedding_length", dim), kv_u32("llama.block_count", layers),
           kv_u32("llama.feed_forward_length", hidden), kv_u32("llama.attention.head_count", heads),
           kv_u32("llama.attention.head_count_kv", kv), kv_f32("llama.rope.freq_base", 10000.0),
           kv_f32("llama.attention.layer_norm_rms_epsilon", 1e-5)]
    if bpe:
        toks = ["a", "b", "ab", "c", "<s>", "</s>", "x", "y"][:vocab]
        kvs.append(kv_str("tokenizer.ggml.model", "gpt2"))
        kvs.append(s("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, len(toks)) + b"".join(s(t) for t in toks))
        kvs.append(s("tokenizer.ggml.merges") + struct.pack("<IIQ", 9, 8, 1) + s("a b"))
        kvs.append(s("tokenizer.ggml.token_type") + struct.pack("<IIQ", 9, 5, len(toks)) + struct.pack("<%di" % len(toks), 1, 1, 1, 1, 3, 3, 1, 1))
        kvs.append(kv_u32("tokenizer.ggml.bos_token_id", 4))
        kvs.append(kv_u32("tokenizer.ggml.eos_token_id", 5))
    elif tokenizer:
        toks = ["<unk>", "<s>", "</s>", "\u2581", "a", "b", "\u2581a", "ab"][:vocab]
        kvs.append(kv_str("tokenizer.ggml.model", "llama"))
        kvs.append(s("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, len(toks)) + b"".join(s(t) for t in toks))
        kvs.append(s("tokenizer.ggml.scores") + struct.pack("<IIQ", 9, 6, len(toks)) + struct.pack("<%df" % len(toks), *[-float(i) for i in range(len(toks))]))
    kvd = kv * (dim // heads)
    shapes = [("token_embd.weight", (vocab, dim))]
    for l in range(layers):
        b = "blk.%d." % l
        shapes += [(b + "attn_norm.weight", (dim,)), (b + "attn_q.weight", (dim, dim)),
                   (b + "attn_k.weight", (kvd, dim)), (b + "attn_v.weight", (kvd, dim)),
                   (b + "attn_output.weight", (dim, dim)), (b + "ffn_norm.weight", (dim,)),
                   (b + "ffn_gate.weight", (hidden, dim)), (b + "ffn_down.weight", (dim, hidden)),
                   (b + "ffn_up.weight", (hidden, dim))]
    shapes.append(("output_norm.weight", (dim,)))
    infos, data = b"", b""
    for name, shp in shapes:
        w = rng.standard_normal(shp).astype("<f4")
        t = wtype if len(shp) == 2 else 0
        if t == 0:
            raw = w.tobytes()
        elif t == 1:
            raw = w.astype("<f2").tobytes()
        else:   # Q8_0 (8) / Q4_0 (2) blocks: half scale, then the values
            raw = b""
            for blk in w.reshape(-1, 32):
                if t == 8:
                    d = np.abs(blk).max() / 127
                    q = np.round(blk / d if d else blk * 0).astype("<i1")
                    raw += np.float16(d).tobytes() + q.tobytes()
                else:
                    m = blk[np.abs(blk).argmax()]
                    d = m / -8
                    q = np.clip(np.round(blk / d if d else blk * 0) + 8, 0, 15).astype("u1")
                    raw += np.float16(d).tobytes() + (q[:16] | (q[16:] << 4)).astype("u1").tobytes()
        dims = tuple(reversed(shp))
        infos += s(name) + struct.pack("<I", len(dims)) + struct.pack("<%dQ" % len(dims), *dims)
        infos += struct.pack("<IQ", t, len(data))
        data += raw + b"\0" * (-len(raw) % 32)
    head = b"GGUF" + struct.pack("<IQQ", 3, len(shapes), len(kvs)) + b"".join(kvs) + infos
    return head + b"\0" * (-len(head) % 32) + data

put("gguf", "f32_tiny.gguf", gguf(0))
put("gguf", "f16_tiny.gguf", gguf(1))
put("gguf", "q8_0_tiny.gguf", gguf(8))
put("gguf", "q4_0_no_tokenizer.gguf", gguf(2, tokenizer=False))
put("gguf", "bpe_tiny.gguf", gguf(0, bpe=True))

# --- onnx: a few small graphs ---
try:
    import onnx
    from onnx import helper, TensorProto, numpy_helper
except ImportError:
    sys.exit(0)

def save(name, nodes, inputs, outputs, inits=(), opset=13):
    g = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="fuzz-seed")
    put("onnx", name + ".onnx", m.SerializeToString())

vi = helper.make_tensor_value_info
X = vi("x", TensorProto.FLOAT, [1, 4])
Y = vi("y", TensorProto.FLOAT, [1, 3])
W = numpy_helper.from_array(np.ones((4, 3), np.float32), "w")
B = numpy_helper.from_array(np.zeros(3, np.float32), "b")
save("matmul_add_relu", [helper.make_node("MatMul", ["x", "w"], ["t"]),
                         helper.make_node("Add", ["t", "b"], ["u"]),
                         helper.make_node("Relu", ["u"], ["y"])], [X], [Y], [W, B])
Xi = vi("x", TensorProto.FLOAT, [1, 1, 6, 6])
Yi = vi("y", TensorProto.FLOAT, None)
K = numpy_helper.from_array(np.ones((2, 1, 3, 3), np.float32), "k")
save("conv_pool", [helper.make_node("Conv", ["x", "k"], ["c"], pads=[1, 1, 1, 1]),
                   helper.make_node("MaxPool", ["c"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
                   helper.make_node("Flatten", ["p"], ["f"]),
                   helper.make_node("Softmax", ["f"], ["y"], axis=1)], [Xi], [Yi], [K])
S = numpy_helper.from_array(np.array([2, 2], np.int64), "s")
save("reshape_transpose", [helper.make_node("Reshape", ["x", "s"], ["r"]),
                           helper.make_node("Transpose", ["r"], ["y"], perm=[1, 0])],
     [X], [vi("y", TensorProto.FLOAT, [2, 2])], [S])
