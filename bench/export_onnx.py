#!/usr/bin/python3
"""bench/export_onnx.py - helper of bench/ort.sh: writes the benchmark's
models as ONNX files, each with a random input, into a directory.

    /usr/bin/python3 bench/export_onnx.py OUTDIR [--opset N] [--only NAME]

For every model NAME it writes OUTDIR/NAME.onnx and OUTDIR/NAME.x.npy (the
input, float32, batch 1 unless said) and prints one line "NAME INPUT_NAME OUTPUT_NAME".

The networks are written here in plain torch (torchvision is not needed):
  resnet18     ResNet-18 as in the paper / torchvision (BasicBlocks, BatchNorm,
               1x1 strided shortcuts), 3x224x224 in, 1000 logits out;
  mobilenetv2  MobileNetV2 (inverted residuals, BatchNorm, ReLU6), 3x224x224;
  bert         one BERT-base encoder layer shaped like bench/models' one:
               sequence 128, hidden 768, 12 heads, FFN 3072, erf GELU,
               post-LayerNorm; input (1, 128, 768);
  mlp64        a multilayer perceptron 784-1024-1024-10 with ReLU (Gemm
               nodes), batch 64: input (64, 784).
Weights are random (torch.manual_seed), BatchNorm statistics are random too
(so folding them is not a no-op), and the models are exported in eval mode.
This is not a test and asserts nothing; it only makes files.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn


def conv_bn(c, oc, k, s, groups=1):
    """Conv (no bias) + BatchNorm, the torchvision convention."""
    return [nn.Conv2d(c, oc, k, s, (k - 1) // 2, groups=groups, bias=False), nn.BatchNorm2d(oc)]


class BasicBlock(nn.Module):
    def __init__(self, c, oc, stride):
        super().__init__()
        self.body = nn.Sequential(*conv_bn(c, oc, 3, stride), nn.ReLU(inplace=True),
                                  *conv_bn(oc, oc, 3, 1))
        self.down = None
        if stride != 1 or c != oc:
            self.down = nn.Sequential(*conv_bn(c, oc, 1, stride))

    def forward(self, x):
        skip = x if self.down is None else self.down(x)
        return torch.relu(self.body(x) + skip)


def resnet18():
    stages = []
    c = 64
    for i, width in enumerate((64, 128, 256, 512)):
        for b in range(2):
            stages.append(BasicBlock(c, width, 2 if (i > 0 and b == 0) else 1))
            c = width
    net = nn.Sequential(*conv_bn(3, 64, 7, 2), nn.ReLU(inplace=True),
                        nn.MaxPool2d(3, 2, 1), *stages,
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 1000))
    return net, (1, 3, 224, 224)


class InvertedResidual(nn.Module):
    def __init__(self, c, oc, expand, stride):
        super().__init__()
        hidden = c * expand
        layers = []
        if expand != 1:
            layers += conv_bn(c, hidden, 1, 1) + [nn.ReLU6(inplace=True)]
        layers += conv_bn(hidden, hidden, 3, stride, groups=hidden) + [nn.ReLU6(inplace=True)]
        layers += conv_bn(hidden, oc, 1, 1)
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and c == oc

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


def mobilenetv2():
    # (expansion t, output channels c, repeats n, first stride s), from the paper
    settings = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))
    blocks = []
    c = 32
    for t, oc, n, s in settings:
        for r in range(n):
            blocks.append(InvertedResidual(c, oc, t, s if r == 0 else 1))
            c = oc
    net = nn.Sequential(*conv_bn(3, 32, 3, 2), nn.ReLU6(inplace=True), *blocks,
                        *conv_bn(c, 1280, 1, 1), nn.ReLU6(inplace=True),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                        nn.Dropout(0.2), nn.Linear(1280, 1000))
    return net, (1, 3, 224, 224)


class BertLayer(nn.Module):
    """Self-attention + FFN, each followed by residual add and LayerNorm."""

    def __init__(self, hidden=768, heads=12, ffn=3072):
        super().__init__()
        self.heads, self.dh = heads, hidden // heads
        self.q = nn.Linear(hidden, hidden)
        self.k = nn.Linear(hidden, hidden)
        self.v = nn.Linear(hidden, hidden)
        self.o = nn.Linear(hidden, hidden)
        self.ln1 = nn.LayerNorm(hidden, eps=1e-12)
        self.up = nn.Linear(hidden, ffn)
        self.down = nn.Linear(ffn, hidden)
        self.ln2 = nn.LayerNorm(hidden, eps=1e-12)
        self.gelu = nn.GELU()

    def split(self, t):                      # (1, S, D) -> (1, H, S, Dh)
        return t.reshape(1, -1, self.heads, self.dh).transpose(1, 2)

    def forward(self, x):                    # x: (1, S, D)
        q, k, v = self.split(self.q(x)), self.split(self.k(x)), self.split(self.v(x))
        att = torch.softmax(torch.matmul(q, k.transpose(2, 3)) * (self.dh ** -0.5), dim=-1)
        ctx = torch.matmul(att, v).transpose(1, 2).reshape(1, -1, self.heads * self.dh)
        h = self.ln1(self.o(ctx) + x)
        return self.ln2(self.down(self.gelu(self.up(h))) + h)


def bert():
    return BertLayer(), (1, 128, 768)


def mlp64():
    return nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                         nn.Linear(1024, 10)), (64, 784)


MODELS = (("resnet18", resnet18), ("mobilenetv2", mobilenetv2), ("bert", bert), ("mlp64", mlp64))


def randomize_batchnorm(net, gen):
    """Random affine parameters and running statistics, so that the folded
    Conv weights differ from the unfolded ones."""
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            m.weight.data = torch.rand(n, generator=gen) * 0.5 + 0.75
            m.bias.data = torch.randn(n, generator=gen) * 0.1
            m.running_mean.data = torch.randn(n, generator=gen) * 0.1
            m.running_var.data = torch.rand(n, generator=gen) * 0.5 + 0.75


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit("usage: export_onnx.py OUTDIR [--opset N] [--only NAME]")
    out = args[0]
    opset = int(args[args.index("--opset") + 1]) if "--opset" in args else 13
    only = args[args.index("--only") + 1] if "--only" in args else None
    os.makedirs(out, exist_ok=True)
    for i, (name, make) in enumerate(MODELS):
        if only and only not in name:
            continue
        torch.manual_seed(1000 + i)           # the same weights on every run
        net, shape = make()
        randomize_batchnorm(net, torch.Generator().manual_seed(2000 + i))
        net.eval()
        x = torch.randn(*shape, generator=torch.Generator().manual_seed(3000 + i))
        path = os.path.join(out, name + ".onnx")
        with torch.no_grad():
            torch.onnx.export(net, (x,), path, input_names=["x"], output_names=["y"],
                              opset_version=opset, do_constant_folding=True,
                              training=torch.onnx.TrainingMode.EVAL)
        np.save(os.path.join(out, name + ".x.npy"), x.numpy().astype(np.float32))
        print(name, "x", "y")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
