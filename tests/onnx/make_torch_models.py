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
  conv3d    Conv3d: pads, strides, dilations, groups (NCDHW)
  convt3d   ConvTranspose3d: strides, pads, output_padding, groups
  pool3d    MaxPool3d (ceil_mode) and AvgPool3d (pads, count_include_pad off)
  gru       bidirectional nn.GRU and a Linear per step
  groupnorm Conv2d then nn.GroupNorm
  pixelshuffle  Conv2d then nn.PixelShuffle
  adaptivepool  Conv2d, nn.AdaptiveAvgPool2d(1), Flatten, Linear
  instancenorm  nn.InstanceNorm2d (affine) then ReLU
  embedding nn.Embedding over int64 token ids (input x is int64)
  layernorm nn.LayerNorm over the last dim
  gelu      nn.GELU, exact and tanh-approximated
  conv1d    nn.Conv1d: stride, pad, dilation, groups
  decoder   nn.TransformerDecoderLayer (batch_first), memory computed from x
All at opset 13 and 17 unless said.
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


class Pool3d(nn.Module):
    def __init__(self):
        super().__init__()
        self.mx = nn.MaxPool3d(3, stride=2, padding=1, ceil_mode=True)
        self.av = nn.AvgPool3d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)

    def forward(self, x):
        return torch.cat([self.mx(x), self.av(x)], 1)


class BiGRU(nn.Module):
    def __init__(self, d=16, hidden=12, tags=5):
        super().__init__()
        self.gru = nn.GRU(d, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, tags)

    def forward(self, x):
        h, _ = self.gru(x)
        return self.out(h)


class Gelus(nn.Module):
    def forward(self, x):
        return torch.cat([nn.functional.gelu(x), nn.functional.gelu(x, approximate="tanh")], -1)


class Decoder(nn.Module):
    def __init__(self, d=16):
        super().__init__()
        self.dec = nn.TransformerDecoderLayer(d, 4, dim_feedforward=32, dropout=0.0, batch_first=True)

    def forward(self, x):
        return self.dec(x, torch.tanh(x) * 0.5)


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(20261206)
    models = {
        "mha": (CausalMHA(), (14, 17)),
        "encoder": (nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, dropout=0.0,
                                               activation="gelu", batch_first=True), (13, 17)),
        "tagger": (Tagger(), (13, 17)),
        "unet": (TinyUNet(), (13, 17)),
        "conv3d": (nn.Sequential(nn.Conv3d(2, 6, 3, stride=(1, 2, 2), padding=1), nn.ReLU(),
                                 nn.Conv3d(6, 4, (2, 3, 3), padding=(0, 2, 1), dilation=(1, 2, 1),
                                           groups=2)), (13, 17)),
        "convt3d": (nn.Sequential(nn.ConvTranspose3d(3, 4, 3, stride=2, padding=1, output_padding=1),
                                  nn.ConvTranspose3d(4, 2, (1, 2, 2), stride=(1, 2, 2), groups=2)),
                    (13, 17)),
        "pool3d": (Pool3d(), (13, 17)),
        "gru": (BiGRU(), (13, 17)),
        "groupnorm": (nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.GroupNorm(2, 8)), (13, 17)),
        "pixelshuffle": (nn.Sequential(nn.Conv2d(3, 12, 3, padding=1), nn.PixelShuffle(2)), (13, 17)),
        "adaptivepool": (nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.AdaptiveAvgPool2d(1),
                                       nn.Flatten(), nn.Linear(8, 4)), (13, 17)),
        "instancenorm": (nn.Sequential(nn.InstanceNorm2d(3, affine=True), nn.ReLU()), (13, 17)),
        "embedding": (nn.Embedding(50, 16), (13, 17)),
        "layernorm": (nn.LayerNorm(16), (13, 17)),
        "gelu": (Gelus(), (13, 17)),
        "conv1d": (nn.Conv1d(4, 8, 5, stride=2, padding=3, dilation=2, groups=2), (13, 17)),
        "decoder": (Decoder(), (13, 17)),
    }
    seq = [(2, 5, 16), (3, 7, 16)]
    img = [(1, 3, 16, 24), (2, 3, 8, 8)]
    bsd = {0: "batch", 1: "seq"}
    bhw = {0: "batch", 2: "h", 3: "w"}
    bdhw = {0: "batch", 2: "d", 3: "h", 4: "w"}
    shapes = {"mha": [(2, 5, 16), (3, 7, 16)], "encoder": [(2, 5, 16), (3, 7, 16)],
              "tagger": [(2, 5, 16), (3, 7, 16)], "unet": [(1, 3, 16, 24), (2, 3, 8, 8)]}
    dyn = {"mha": {0: "batch", 1: "seq"}, "encoder": {0: "batch", 1: "seq"},
           "tagger": {0: "batch", 1: "seq"}, "unet": {0: "batch", 2: "h", 3: "w"}}
    shapes.update({"conv3d": [(1, 2, 6, 10, 12), (2, 2, 5, 8, 7)],
                   "convt3d": [(1, 3, 2, 3, 4), (2, 3, 3, 2, 2)],
                   "pool3d": [(1, 2, 6, 9, 8), (2, 2, 5, 4, 7)],
                   "gru": seq, "groupnorm": img, "pixelshuffle": img, "adaptivepool": img,
                   "instancenorm": img, "embedding": [(2, 5), (3, 7)], "layernorm": seq,
                   "gelu": seq, "conv1d": [(1, 4, 20), (3, 4, 13)], "decoder": seq})
    dyn.update({"conv3d": bdhw, "convt3d": bdhw, "pool3d": bdhw, "gru": bsd, "groupnorm": bhw,
                "pixelshuffle": bhw, "adaptivepool": bhw, "instancenorm": bhw,
                "embedding": bsd, "layernorm": bsd, "gelu": bsd, "conv1d": {0: "batch", 2: "l"},
                "decoder": bsd})
    ydyn = {"adaptivepool": {0: "batch"}}
    rng = np.random.default_rng(7)
    for name, (m, opsets) in models.items():
        m.eval()
        for opset in opsets:
            path = os.path.join(out, "%s_opset%d.onnx" % (name, opset))
            x0 = torch.zeros(*shapes[name][0], dtype=torch.int64 if name == "embedding" else torch.float32)
            axes = {"x": dyn[name], "y": ydyn.get(name, {0: "batch"} if name.endswith("3d") or name
                                                  in ("pixelshuffle", "conv1d") else dyn[name])}
            torch.onnx.export(m, (x0,), path, input_names=["x"], output_names=["y"],
                              opset_version=opset, dynamic_axes=axes)
        for s in shapes[name]:
            if name == "embedding":
                x = rng.integers(0, 50, s).astype(np.int64)
            else:
                x = rng.standard_normal(s).astype(np.float32)
            np.save(os.path.join(out, "%s.%s.x.npy" % (name, "x".join(map(str, s)))), x)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
