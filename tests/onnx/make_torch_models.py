#!/usr/bin/python3
"""make_torch_models.py — exports small PyTorch modules to ONNX for
tests/onnx/torch_models.sh, with the inputs to run them on:

    /usr/bin/python3 tests/onnx/make_torch_models.py OUTDIR

For each module at two opsets: OUTDIR/NAME_opsetK.onnx, and
OUTDIR/NAME.SHAPE.INPUT.npy for two input shapes per model (the models
have dynamic batch and sequence dims). Seeded: the same files each time.
  mha       nn.MultiheadAttention (batch_first), causal mask from torch.tril
            (Trilu: opset 14 and 17, as torch cannot export tril at 13)
  encoder   nn.TransformerEncoderLayer (batch_first, GELU), opset 13 and 17
  tagger    nn.LSTM over a sequence (batch_first) and a Linear per step, 13 and 17
  unet      Conv2d, ConvTranspose2d, nn.Upsample (bilinear) and a skip Concat, 13 and 17
Exit status 77 when torch or onnx cannot be imported.
"""
import os
import sys

try:
    import numpy as np
    import torch
    import torch.nn as nn
except ImportError as e:
    print("SKIP: %s" % e)
    sys.exit(77)


class CausalMHA(nn.Module):
    def __init__(self, d=16, heads=4):
        super().__init__()
        self.att = nn.MultiheadAttention(d, heads, batch_first=True)

    def forward(self, x):
        n = x.shape[1]
        keep = torch.tril(torch.ones(n, n, dtype=torch.float32))
        mask = (1.0 - keep) * -1e9
        y, _ = self.att(x, x, x, attn_mask=mask, need_weights=False)
        return y


class Tagger(nn.Module):
    def __init__(self, d=16, hidden=24, tags=5):
        super().__init__()
        self.lstm = nn.LSTM(d, hidden, batch_first=True)
        self.out = nn.Linear(hidden, tags)

    def forward(self, x):
        h, _ = self.lstm(x)
        return self.out(h)


class TinyUNet(nn.Module):
    def __init__(self, c=4):
        super().__init__()
        self.down = nn.Sequential(nn.Conv2d(3, c, 3, padding=1), nn.ReLU(), nn.Conv2d(c, 2 * c, 3, stride=2, padding=1))
        self.up = nn.ConvTranspose2d(2 * c, c, 2, stride=2)
        self.smooth = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.head = nn.Conv2d(2 * c, 2, 1)

    def forward(self, x):
        d = self.down(x)
        u = self.up(torch.relu(d))
        s = self.smooth(d)[:, :u.shape[1]]
        return self.head(torch.cat([u, s], 1))


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(20261206)
    models = {
        "mha": (CausalMHA(), (14, 17)),
        "encoder": (nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, dropout=0.0,
                                               activation="gelu", batch_first=True), (13, 17)),
        "tagger": (Tagger(), (13, 17)),
        "unet": (TinyUNet(), (13, 17)),
    }
    shapes = {"mha": [(2, 5, 16), (3, 7, 16)], "encoder": [(2, 5, 16), (3, 7, 16)],
              "tagger": [(2, 5, 16), (3, 7, 16)], "unet": [(1, 3, 16, 24), (2, 3, 8, 8)]}
    dyn = {"mha": {0: "batch", 1: "seq"}, "encoder": {0: "batch", 1: "seq"},
           "tagger": {0: "batch", 1: "seq"}, "unet": {0: "batch", 2: "h", 3: "w"}}
    rng = np.random.default_rng(7)
    for name, (m, opsets) in models.items():
        m.eval()
        for opset in opsets:
            path = os.path.join(out, "%s_opset%d.onnx" % (name, opset))
            torch.onnx.export(m, (torch.zeros(*shapes[name][0]),), path, input_names=["x"],
                              output_names=["y"], opset_version=opset,
                              dynamic_axes={"x": dyn[name], "y": dyn[name]})
        for s in shapes[name]:
            x = rng.standard_normal(s).astype(np.float32)
            np.save(os.path.join(out, "%s.%s.x.npy" % (name, "x".join(map(str, s)))), x)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
