#!/usr/bin/python3
"""reshape_compare.py — one mote session, replanned with mote_session_reshape
for each input shape in turn, against ONNX Runtime's outputs:

    reshape_compare.py MODEL.mote X1.npy Y1.npy [X2.npy Y2.npy ...]

The session is made at X1's shape and run; then for each further pair it
is reshaped to Xi's shape and run, and finally reshaped back to X1's shape
and run again (which must give the same bits as the first run). Output y
must match Yi (ONNX Runtime's) to max |diff| <= 1e-4 * max(1, max |Yi|).
The single input is named x. Needs the mote Python module (python/ on
PYTHONPATH) and MOTE_LIBRARY; exit 1 on any mismatch."""
import os
import sys

import numpy as np
import mote


def main(argv):
    path, pairs = argv[1], list(zip(argv[2::2], argv[3::2]))
    model = os.path.basename(path)
    m = mote.Model(path)
    first = np.load(pairs[0][0])
    s = m.session(threads=2, shapes={"x": first.shape})
    if getattr(mote, "_session_reshape", None) is None:
        print("FAIL: libmote lacks mote_session_reshape")
        return 1
    bad = 0
    y0 = None
    for i, (xf, yf) in enumerate(pairs + [pairs[0]]):
        x, want = np.load(xf), np.load(yf)
        if i:
            s.reshape({"x": x.shape})
        got = s.run({"x": x})["y"]
        tag = "x".join(map(str, x.shape))
        if got.shape != want.shape:
            print("FAIL: %s at %s after reshape: shape %s, ONNX Runtime %s" % (model, tag, got.shape, want.shape))
            bad += 1
            continue
        d = float(np.max(np.abs(got.astype(np.float64) - want))) if got.size else 0.0
        tol = 1e-4 * max(1.0, float(np.max(np.abs(want))) if want.size else 0.0)
        if i == 0:
            y0 = got.copy()
        elif i == len(pairs) and not np.array_equal(got, y0):
            print("FAIL: %s reshaped back to %s differs from its first run" % (model, tag))
            bad += 1
        print("%s at %s (reshaped session): max |difference| = %.3e (tolerance %.3e)" % (model, tag, d, tol))
        if not d <= tol:
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
