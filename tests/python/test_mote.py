"""test_mote.py — the mote Python module (python/mote) through pytest:
model description, runs on the bundled Fashion-MNIST model against the
logits PyTorch recorded and against the `mote` tool's own output, output
copies and views, errors carrying mote's message, conversion from ONNX,
reshape, and (when PyTorch is installed) the same network in PyTorch.

tests/test_python.sh runs it from `make check` with MOTE_LIBRARY,
MOTE_CLI, MOTE_SRCDIR set and python/ on PYTHONPATH."""

import os
import subprocess

import numpy as np
import pytest

import mote

SRC = os.environ.get("MOTE_SRCDIR", ".")
FASHION = os.path.join(SRC, "models", "fashion")
MODEL = os.path.join(FASHION, "fashion.mote")


def read_pgm(path):
    """A binary (P5) 8-bit PGM as a uint8 array (rows, cols)."""
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P5" and int(fields[3]) == 255
    w, h = int(fields[1]), int(fields[2])
    return np.frombuffer(data[pos + 1:pos + 1 + w * h], np.uint8).reshape(h, w)


def samples():
    """(file name, image as the model's input, PyTorch's logits) per bundled sample."""
    out = []
    with open(os.path.join(FASHION, "samples", "logits.txt")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            parts = line.split()
            img = read_pgm(os.path.join(FASHION, "samples", parts[0]))
            x = (img.astype(np.float32) / np.float32(255)).reshape(1, 1, 28, 28)
            out.append((parts[0], x, np.array([float(v) for v in parts[1:]], np.float32)))
    assert len(out) == 10
    return out


def test_model_describes_inputs_and_outputs():
    m = mote.Model(MODEL)
    assert m.inputs == [mote.TensorInfo("image", "f32", (1, 1, 28, 28))]
    assert m.outputs == [mote.TensorInfo("logits", "f32", (1, 10))]
    assert m.meta("labels").split(",")[0] == "T-shirt/top"
    assert m.meta("no such key") is None
    m.close()


def test_run_matches_pytorch_logits_recorded_at_training():
    m = mote.Model(MODEL)
    s = m.session(threads=1)
    for name, x, want in samples():
        got = s.run({"image": x})["logits"]
        assert got.shape == (1, 10) and got.dtype == np.float32
        np.testing.assert_allclose(got[0], want, atol=1e-4, err_msg=name)


def test_run_matches_the_mote_tool_bit_for_bit(tmp_path):
    x = samples()[3][1]
    np.save(tmp_path / "x.npy", x)
    cli = os.environ["MOTE_CLI"]
    r = subprocess.run([cli, "run", "--threads", "1", MODEL, str(tmp_path / "x.npy"),
                        "-o", str(tmp_path / "out")], capture_output=True)
    assert r.returncode == 0, r.stderr
    want = np.load(tmp_path / "out" / "logits.npy")
    with mote.Model(MODEL) as m, m.session(threads=1) as s:
        got = s.run({"image": x})["logits"]
    assert got.dtype == want.dtype and got.shape == want.shape
    assert np.array_equal(got, want)


def test_every_isa_and_thread_count_agree():
    x = samples()[0][1]
    m = mote.Model(MODEL)
    ref = m.session(threads=1, isa="ref")
    assert ref.isa == "ref" and ref.threads == 1
    want = ref.run({"image": x})["logits"]
    s = m.session(threads=2)
    assert s.arena_bytes > 0
    np.testing.assert_allclose(s.run({"image": x})["logits"], want, atol=1e-4)


def test_outputs_are_copies_by_default_and_views_on_request():
    xs = samples()
    m = mote.Model(MODEL)
    s = m.session(threads=1)
    first = s.run({"image": xs[0][1]})["logits"]
    kept = first.copy()
    view = s.run({"image": xs[1][1]}, copy=False)["logits"]
    assert not view.flags.writeable and view.flags.writeable is False
    with pytest.raises(ValueError):
        view[0, 0] = 1.0
    np.testing.assert_array_equal(first, kept)       # a copy: the run after it left it alone
    before = view.copy()
    s.run({"image": xs[2][1]}, copy=False)
    assert not np.array_equal(view, before)          # a view: the next run overwrote it
    del s                                            # the view keeps the session alive
    assert view.shape == (1, 10) and np.isfinite(view).all()


def test_views_outlive_close_and_block_reshape(tmp_path):
    x = samples()[0][1]
    m = mote.Model(MODEL)
    s = m.session(threads=1)
    view = s.run({"image": x}, copy=False)["logits"]
    want = view.copy()
    s.close()                                        # freed only when the view goes
    with pytest.raises(mote.MoteError, match="closed"):
        s.run({"image": x})
    np.testing.assert_array_equal(view, want)
    m.close()                                        # waits for its session
    with pytest.raises(mote.MoteError, match="closed"):
        m.session()
    np.testing.assert_array_equal(view, want)
    del view
    # reshape refuses while a view uses the arena
    w = _dynamic_onnx(tmp_path / "dyn.onnx")
    mote.convert(tmp_path / "dyn.onnx", tmp_path / "dyn.mote")
    s2 = mote.Model(tmp_path / "dyn.mote").session(threads=1, shapes={"x": (2, 4)})
    v = s2.run({"x": np.ones((2, 4), np.float32)}, copy=False)["y"]
    with pytest.raises(mote.MoteError, match="view"):
        s2.reshape({"x": (3, 4)})
    np.testing.assert_allclose(v, np.maximum(np.ones((2, 4), np.float32) @ w, 0), rtol=1e-6)
    del v
    s2.reshape({"x": (3, 4)})
    assert s2.run({"x": np.ones((3, 4), np.float32)})["y"].shape == (3, 3)


def test_safe_casts_are_accepted_and_unsafe_ones_refused():
    m = mote.Model(MODEL)
    s = m.session(threads=1)
    x = samples()[0][1]
    a = s.run({"image": x.astype(np.float16)})["logits"]   # f16 -> f32 is exact
    b = s.run({"image": x.astype(np.float16).astype(np.float32)})["logits"]
    np.testing.assert_array_equal(a, b)
    with pytest.raises(mote.MoteError, match="image.*float64.*f32"):
        s.run({"image": x.astype(np.float64)})
    c = s.run({"image": x.tolist()})["logits"]               # a list takes the input's dtype
    np.testing.assert_array_equal(c, s.run({"image": x})["logits"])


def test_errors_carry_motes_message():
    with pytest.raises(mote.MoteError) as e:
        mote.Model("no/such/model.mote")
    assert "no/such/model.mote" in str(e.value) and e.value.status == "MOTE_ERR_IO"
    m = mote.Model(MODEL)
    s = m.session(threads=1)
    with pytest.raises(mote.MoteError, match="shape|dims|\\[1,1,28,28\\]") as e:
        s.run({"image": np.zeros((1, 1, 28, 27), np.float32)})
    assert e.value.status == "MOTE_ERR_SHAPE"
    with pytest.raises(mote.MoteError, match="no input named 'img'"):
        s.run({"img": np.zeros((1, 1, 28, 28), np.float32)})
    with pytest.raises(mote.MoteError, match="missing"):
        s.run({})
    with pytest.raises(mote.MoteError, match="bogus") as e:
        m.session(isa="bogus")
    s.close()
    with pytest.raises(mote.MoteError, match="closed"):
        s.run({"image": np.zeros((1, 1, 28, 28), np.float32)})


def test_a_damaged_file_is_refused(tmp_path):
    data = bytearray(open(MODEL, "rb").read())
    data[len(data) // 2] ^= 0xFF
    bad = tmp_path / "bad.mote"
    bad.write_bytes(bytes(data))
    with pytest.raises(mote.MoteError, match="bad.mote"):
        mote.Model.verify(bad)
    mote.Model.verify(MODEL)


def _dynamic_onnx(path):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper
    w = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y0"]), helper.make_node("Relu", ["y0"], ["y"])],
        "dyn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3])],
        [numpy_helper.from_array(w, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return w


def test_convert_then_reshape_an_open_dimension(tmp_path):
    w = _dynamic_onnx(tmp_path / "dyn.onnx")
    mote.convert(tmp_path / "dyn.onnx", tmp_path / "dyn.mote")
    m = mote.Model(tmp_path / "dyn.mote")
    assert m.inputs == [mote.TensorInfo("x", "f32", (None, 4))]
    s = m.session(threads=1, shapes={"x": (2, 4)})
    x = np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4)
    np.testing.assert_allclose(s.run({"x": x})["y"], np.maximum(x @ w, 0), rtol=1e-6)
    s.reshape({"x": (5, 4)})
    x5 = np.linspace(-2, 2, 20, dtype=np.float32).reshape(5, 4)
    y5 = s.run({"x": x5})["y"]
    assert y5.shape == (5, 3)
    np.testing.assert_allclose(y5, np.maximum(x5 @ w, 0), rtol=1e-6)
    with pytest.raises(mote.MoteError, match="no input named 'z'"):
        s.reshape({"z": (1, 4)})
    assert s.run({"x": x5})["y"].shape == (5, 3)     # a failed reshape keeps the session


def test_convert_refuses_a_file_that_is_not_onnx(tmp_path):
    (tmp_path / "junk.onnx").write_bytes(b"\x00\x01 not a model")
    with pytest.raises(mote.MoteError, match="junk.onnx"):
        mote.convert(tmp_path / "junk.onnx", tmp_path / "junk.mote")
    assert not (tmp_path / "junk.mote").exists()


def test_matches_the_same_network_in_pytorch():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F
    raw = np.fromfile(os.path.join(FASHION, "weights.bin"), dtype="<f4")
    t, pos = {}, 0
    with open(os.path.join(FASHION, "weights.txt")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, *dims = line.split()
            dims = [int(d) for d in dims]
            n = int(np.prod(dims))
            t[name] = torch.from_numpy(raw[pos:pos + n].reshape(dims).copy())
            pos += n
    assert pos == raw.size
    xs = np.concatenate([x for _, x, _ in samples()])
    with torch.no_grad():
        h = F.conv2d(torch.from_numpy(xs), t["conv1.weight"], t["conv1.bias"], padding=1)
        h = F.batch_norm(h, t["bn1.running_mean"], t["bn1.running_var"], t["bn1.weight"],
                         t["bn1.bias"], training=False, eps=1e-5)
        h = F.max_pool2d(F.relu(h), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, t["conv2.weight"], t["conv2.bias"], padding=1)), 2)
        h = F.relu(F.linear(h.flatten(1), t["fc1.weight"], t["fc1.bias"]))
        want = F.linear(h, t["fc2.weight"], t["fc2.bias"]).numpy()
    s = mote.Model(MODEL).session(threads=1)
    for i in range(len(xs)):
        got = s.run({"image": xs[i:i + 1]})["logits"][0]
        np.testing.assert_allclose(got, want[i], atol=1e-4)


def test_convert_a_gguf_file_and_a_llama2c_checkpoint(tmp_path):
    seed = os.path.join(SRC, "tests", "fuzz", "corpus", "gguf", "q8_0_tiny.gguf")
    mote.convert(seed, tmp_path / "tiny.mote")
    m = mote.Model(tmp_path / "tiny.mote")
    assert [i.name for i in m.inputs] == ["tokens", "pos"]
    assert m.meta("llama.weight_type") == "q8_0"
    s = m.session(threads=1, shapes={"tokens": (3,)})
    logits = s.run({"tokens": np.array([1, 4, 5], np.int32), "pos": np.array([0], np.int32)})["logits"]
    assert logits.shape == (1, 8) and np.isfinite(logits).all()
    shared = os.environ.get("MOTE_SHARED_MODELS", "")
    ckpt, tok = os.path.join(shared, "stories260K.bin"), os.path.join(shared, "tok512.bin")
    if not (os.path.exists(ckpt) and os.path.exists(tok)):
        pytest.skip("no stories260K in MOTE_SHARED_MODELS")
    mote.convert(ckpt, tmp_path / "s.mote", tokenizer=tok)
    assert mote.Model(tmp_path / "s.mote").meta("llama.vocab_size") == "512"
