#!/usr/bin/python3
"""make_cli_models.py — writes the small ONNX models tests/test_cli.sh
converts (tests/onnx/cli/*.onnx; the files are committed, this is how
they were made): python3 tests/onnx/make_cli_models.py tests/onnx/cli

  three_unsupported.onnx  Cosh -> Sinh -> Det: three ops mote lacks
  runs_open_batch.onnx    Y = Relu(X) + B, X f32 [N, 3]
  fails_at_session.onnx   Y = Reshape(X, S), X [N, 3], S a graph input: imports,
                          but the session cannot fix Y's shape
  two_problems.onnx       a Reshape to a shape given as input and a Gelu with
                          approximate="fast", X [N, 3]: both named at once
  guarded_if.onnx         If(C) with C a bool input: then Relu(X), else a Reshape
                          of X [2, 3] to [7, 5] that cannot run; with
                          C.npy / notC.npy (true / false) and X.npy
  loop_early_exit.onnx    a Loop whose body computes its condition (stop when
                          the sum passes 10): runs as a loop, Y = 4 X
  loop_unsupported.onnx   Cosh, then a Loop whose body holds Sinh and Det:
                          three ops mote lacks, two of them inside the body
  three_at_session.onnx   imports, then three different failures at the
                          model's shapes: an attribute value (Gelu approximate
                          "fast"), a dtype (Sin on int32) and a shape (Reshape
                          to a shape given at run time)
  import_problems.onnx    an op mote lacks (Det) and two attributes ops do
                          not have (Conv foo, Relu bar): all named at import
"""
import os
import sys
import numpy as np
from onnx import TensorProto, helper, numpy_helper, save


def model(name, nodes, inputs, outputs, inits=(), opset=17):
    g = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)],
                             producer_name="make_cli_models")


def main(out):
    os.makedirs(out, exist_ok=True)
    f = TensorProto.FLOAT
    m = model("three_unsupported",
              [helper.make_node("Cosh", ["X"], ["a"], name="cosh0"),
               helper.make_node("Sinh", ["a"], ["b"], name="sinh0"),
               helper.make_node("Det", ["b"], ["Y"], name="det0")],
              [helper.make_tensor_value_info("X", f, [2, 2])],
              [helper.make_tensor_value_info("Y", f, [])])
    save(m, os.path.join(out, "three_unsupported.onnx"))
    m = model("runs_open_batch",
              [helper.make_node("Relu", ["X"], ["r"], name="relu0"),
               helper.make_node("Add", ["r", "B"], ["Y"], name="add0")],
              [helper.make_tensor_value_info("X", f, ["N", 3])],
              [helper.make_tensor_value_info("Y", f, ["N", 3])],
              [numpy_helper.from_array(np.array([1, 2, 3], np.float32), "B")])
    save(m, os.path.join(out, "runs_open_batch.onnx"))
    m = model("fails_at_session",
              [helper.make_node("Reshape", ["X", "S"], ["Y"], name="reshape0")],
              [helper.make_tensor_value_info("X", f, [2, 3]),
               helper.make_tensor_value_info("S", TensorProto.INT64, [2])],
              [helper.make_tensor_value_info("Y", f, [3, 2])])
    save(m, os.path.join(out, "fails_at_session.onnx"))
    m = model("two_problems",
              [helper.make_node("Reshape", ["X", "S"], ["a"], name="reshape0"),
               helper.make_node("Relu", ["a"], ["Y"], name="relu0"),
               helper.make_node("Gelu", ["X"], ["c"], name="gelu0", approximate="fast"),
               helper.make_node("Add", ["c", "X"], ["Z"], name="add0")],
              [helper.make_tensor_value_info("X", f, ["N", 3]),
               helper.make_tensor_value_info("S", TensorProto.INT64, [2])],
              [helper.make_tensor_value_info("Y", f, None), helper.make_tensor_value_info("Z", f, None)],
              opset=20)
    save(m, os.path.join(out, "two_problems.onnx"))
    good = helper.make_graph([helper.make_node("Relu", ["X"], ["g"])], "good", [],
                             [helper.make_tensor_value_info("g", f, None)])
    bad = helper.make_graph([helper.make_node("Reshape", ["X", "bad_shape"], ["b"])], "bad", [],
                            [helper.make_tensor_value_info("b", f, None)],
                            [numpy_helper.from_array(np.array([7, 5], np.int64), "bad_shape")])
    m = model("guarded_if", [helper.make_node("If", ["C"], ["Y"], name="if0", then_branch=good,
                                              else_branch=bad)],
              [helper.make_tensor_value_info("X", f, [2, 3]),
               helper.make_tensor_value_info("C", TensorProto.BOOL, [])],
              [helper.make_tensor_value_info("Y", f, [2, 3])], opset=13)
    save(m, os.path.join(out, "guarded_if.onnx"))
    body = helper.make_graph(
        [helper.make_node("Add", ["acc", "X"], ["acc_out"]),
         helper.make_node("ReduceSum", ["acc_out"], ["s"], keepdims=0),
         helper.make_node("Less", ["s", "ten"], ["go"])],
        "body", [helper.make_tensor_value_info("i", TensorProto.INT64, []),
                 helper.make_tensor_value_info("c", TensorProto.BOOL, []),
                 helper.make_tensor_value_info("acc", f, [2, 3])],
        [helper.make_tensor_value_info("go", TensorProto.BOOL, []),
         helper.make_tensor_value_info("acc_out", f, [2, 3])],
        [numpy_helper.from_array(np.array(10, np.float32), "ten")])
    m = model("loop_early_exit",
              [helper.make_node("Loop", ["M", "", "X"], ["Y"], name="loop0", body=body)],
              [helper.make_tensor_value_info("X", f, [2, 3])],
              [helper.make_tensor_value_info("Y", f, [2, 3])],
              [numpy_helper.from_array(np.array(5, np.int64), "M")], opset=13)
    save(m, os.path.join(out, "loop_early_exit.onnx"))
    m = model("three_at_session",
              [helper.make_node("Gelu", ["X"], ["g"], name="gelu0", approximate="fast"),
               helper.make_node("Sin", ["I"], ["s"], name="sin0"),
               helper.make_node("Reshape", ["X", "S"], ["r"], name="reshape0")],
              [helper.make_tensor_value_info("X", f, [2, 3]),
               helper.make_tensor_value_info("I", TensorProto.INT32, [4]),
               helper.make_tensor_value_info("S", TensorProto.INT64, [2])],
              [helper.make_tensor_value_info("g", f, None), helper.make_tensor_value_info("r", f, None),
               helper.make_tensor_value_info("s", TensorProto.INT32, None)], opset=20)
    save(m, os.path.join(out, "three_at_session.onnx"))
    m = model("import_problems",
              [helper.make_node("Conv", ["V", "W"], ["c"], name="conv0", foo=1),
               helper.make_node("Relu", ["V"], ["r"], name="relu0", bar=2),
               helper.make_node("Det", ["D"], ["d"], name="det0")],
              [helper.make_tensor_value_info("V", f, [1, 2, 5, 5]),
               helper.make_tensor_value_info("D", f, [2, 2])],
              [helper.make_tensor_value_info(n, f, None) for n in ("c", "r", "d")],
              [numpy_helper.from_array(np.ones((4, 2, 3, 3), np.float32), "W")])
    save(m, os.path.join(out, "import_problems.onnx"))
    body = helper.make_graph(
        [helper.make_node("Sinh", ["acc"], ["acc_out"], name="sinh_in_body"),
         helper.make_node("Det", ["acc"], ["d"], name="det_in_body")],
        "body", [helper.make_tensor_value_info("i", TensorProto.INT64, []),
                 helper.make_tensor_value_info("c", TensorProto.BOOL, []),
                 helper.make_tensor_value_info("acc", f, [2, 2])],
        [helper.make_tensor_value_info("c", TensorProto.BOOL, []),
         helper.make_tensor_value_info("acc_out", f, [2, 2]),
         helper.make_tensor_value_info("d", f, [])])
    m = model("loop_unsupported",
              [helper.make_node("Cosh", ["X"], ["a"], name="cosh0"),
               helper.make_node("Loop", ["M", "", "a"], ["Y", "D"], name="loop0", body=body)],
              [helper.make_tensor_value_info("X", f, [2, 2])],
              [helper.make_tensor_value_info("Y", f, [2, 2]),
               helper.make_tensor_value_info("D", f, [3])],
              [numpy_helper.from_array(np.array(3, np.int64), "M")], opset=13)
    save(m, os.path.join(out, "loop_unsupported.onnx"))
    np.save(os.path.join(out, "X.npy"), np.array([[-1, 2, -3], [4, -5, 6]], np.float32))
    np.save(os.path.join(out, "C.npy"), np.array(True))
    np.save(os.path.join(out, "notC.npy"), np.array(False))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/onnx/cli")
