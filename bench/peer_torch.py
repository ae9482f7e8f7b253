#!/usr/bin/env python3
"""bench/peer_torch.py - the peer for bench/models: the same CNN shapes in
PyTorch (eager, float32, batch 1, no grad), median and spread of N runs
after 3 warm-ups, 1 and 2 threads. Prints markdown rows like bench/models.
Not a test; weights are random, as in bench/models."""
import sys
import time

import torch
import torch.nn as nn


def conv_layer(c, oc, hw, k):
    return nn.Sequential(nn.Conv2d(c, oc, k, 1, k // 2), nn.ReLU()), (1, c, hw, hw)


class Basic(nn.Module):
    def __init__(self, c, oc, s):
        super().__init__()
        self.a = nn.Conv2d(c, oc, 3, s, 1)
        self.b = nn.Conv2d(oc, oc, 3, 1, 1)
        self.sc = nn.Conv2d(c, oc, 1, s, 0) if s != 1 or c != oc else None

    def forward(self, x):
        y = self.b(torch.relu(self.a(x)))
        return torch.relu(y + (self.sc(x) if self.sc is not None else x))


def resnet18():
    layers = [nn.Conv2d(3, 64, 7, 2, 3), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    c = 64
    for i, w in enumerate([64, 128, 256, 512]):
        for b in range(2):
            layers.append(Basic(c, w, 2 if i > 0 and b == 0 else 1))
            c = w
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 1000)]
    return nn.Sequential(*layers), (1, 3, 224, 224)


class Inverted(nn.Module):
    def __init__(self, c, oc, t, s):
        super().__init__()
        h = c * t
        layers = []
        if t != 1:
            layers += [nn.Conv2d(c, h, 1), nn.ReLU()]
        layers += [nn.Conv2d(h, h, 3, s, 1, groups=h), nn.ReLU(), nn.Conv2d(h, oc, 1)]
        self.f = nn.Sequential(*layers)
        self.res = s == 1 and c == oc

    def forward(self, x):
        y = self.f(x)
        return y + x if self.res else y


def mobilenetv2():
    layers = [nn.Conv2d(3, 32, 3, 2, 1), nn.ReLU()]
    c = 32
    for t, oc, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                        (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for r in range(n):
            layers.append(Inverted(c, oc, t, s if r == 0 else 1))
            c = oc
    layers += [nn.Conv2d(c, 1280, 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
               nn.Linear(1280, 1000)]
    return nn.Sequential(*layers), (1, 3, 224, 224)


def models():
    yield "conv3x3 64->64 56x56", conv_layer(64, 64, 56, 3)
    yield "conv1x1 32->192 56x56 (MBv2 expand)", conv_layer(32, 192, 56, 1)
    yield "conv1x1 144->24 56x56 (MBv2 project)", conv_layer(144, 24, 56, 1)
    yield "conv1x1 96->576 14x14 (MBv2 expand)", conv_layer(96, 576, 14, 1)
    yield "conv1x1 960->160 7x7 (MBv2 project)", conv_layer(960, 160, 7, 1)
    yield "conv1x1 320->1280 7x7 (MBv2 last)", conv_layer(320, 1280, 7, 1)
    yield "ResNet-18 224x224", resnet18()
    yield "MobileNetV2 224x224", mobilenetv2()


def main():
    runs = 30
    if "--runs" in sys.argv:
        runs = max(5, int(sys.argv[sys.argv.index("--runs") + 1]))
    print("| model (torch %s) | threads | median ms | min | p10 | p90 |" % torch.__version__)
    print("|---|---|---|---|---|---|")
    torch.manual_seed(0)
    for name, (m, shape) in models():
        m.eval()
        x = torch.randn(*shape)
        for threads in (1, 2):
            torch.set_num_threads(threads)
            with torch.no_grad():
                for _ in range(3):
                    m(x)
                t = []
                for _ in range(runs):
                    t0 = time.perf_counter()
                    m(x)
                    t.append((time.perf_counter() - t0) * 1e3)
            t.sort()
            print("| %s | %d | %.3f | %.3f | %.3f | %.3f |" % (
                name, threads, t[len(t) // 2], t[0], t[len(t) // 10], t[len(t) - 1 - len(t) // 10]))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
