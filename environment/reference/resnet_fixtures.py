#!/usr/bin/python3
"""Writes the whole-network reference of the ResNet motion encoder: torchvision 0.14's resnet18 ([2, 2, 2, 2]) and the
same BasicBlock ResNet with stages [2, 2, 2, 3] (the layout of the ImageNet ResNet18.onnx), classifier removed, into
tests/MotionWorkbench.Models.Tests/Fixtures/resnet18_formula.json.

Run by hand with Debian's python3-torch 1.13 and python3-torchvision 0.14: /usr/bin/python3 environment/reference/resnet_fixtures.py
Never run by tests or CI.

No weights are stored: both sides compute them from a formula. For the k-th tensor of the state dict (torchvision's
order, num_batches_tracked skipped; parameters and running statistics alike) and its flattened element i:
    u = ((i * 2654435761 + k * 40503 + 12345) mod 2^32) / 2^31 - 1      (in [-1, 1); Knuth's multiplicative hash)
    conv weight    float32(u * sqrt(6 / fan_in))        (fan_in = in_channels * kh * kw)
    BN weight      float32(1 + 0.1 * u)
    BN bias        float32(0.1 * u)
    running_mean   float32(0.1 * u)
    running_var    float32(1 + 0.25 * u)
Element i of the flattened (2, 3, 96, 64) input is float32(u) with k = 1000, taken as the network's input (no
patch-colour mapping); the upstream gradient R of the training step is float32(u) with k = 7. (A hash, not a smooth
formula: smooth inputs and weights give near-ties in the max pool and near-constant channels whose float32 and float64
gradients differ by 1 %.)
Forward passes run in float64 from these float32 values.
"""
import math
import os
import sys

import numpy as np
import torch
import torchvision
from torchvision.models.resnet import BasicBlock, ResNet

from fixture_io import saver

SEED = 0  # nothing random: weights, inputs and the upstream gradient are formulas
GEN = "environment/reference/resnet_fixtures.py"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "MotionWorkbench.Models.Tests", "Fixtures")
save = saver(GEN, SEED, OUT)
B, H, W = 2, 96, 64


def formula(n, k):
    """u in [-1, 1): Knuth's multiplicative hash of (i, k), exact in 64-bit integers."""
    i = np.arange(n, dtype=np.uint64)
    h = (i * np.uint64(2654435761) + np.uint64(k) * np.uint64(40503) + np.uint64(12345)) % np.uint64(1 << 32)
    return h.astype(np.float64) / 2147483648.0 - 1.0


def formula_input(*shape):
    n = int(np.prod(shape))
    return torch.from_numpy(formula(n, 1000).astype(np.float32).astype(np.float64).reshape(shape))


def build(stages):
    model = ResNet(BasicBlock, stages)
    model.fc = torch.nn.Identity()
    model = model.double()
    keys = [k for k in model.state_dict() if not k.endswith("num_batches_tracked")]
    state = model.state_dict()
    with torch.no_grad():
        for k, name in enumerate(keys):
            t = state[name]
            u = formula(t.numel(), k)
            leaf = name.rsplit(".", 1)[1]
            if t.dim() == 4:
                v = u * math.sqrt(6.0 / (t.shape[1] * t.shape[2] * t.shape[3]))
            elif leaf == "weight":
                v = 1 + 0.1 * u
            elif leaf == "bias" or leaf == "running_mean":
                v = 0.1 * u
            elif leaf == "running_var":
                v = 1 + 0.25 * u
            else:
                raise ValueError(name)
            t.copy_(torch.from_numpy(v.astype(np.float32).astype(np.float64).reshape(t.shape)))
    return model, keys


def main():
    torch.manual_seed(SEED)
    tensors = {}
    model, keys = build([2, 2, 2, 2])
    assert isinstance(torchvision.models.resnet18(), ResNet)
    # training mode: batch statistics, running statistics updated, gradients of L = sum(features * R)
    model.train()
    x = formula_input(B, 3, H, W).requires_grad_(True)
    features = model(x)
    r = torch.from_numpy(formula(features.numel(), 7).astype(np.float32).astype(np.float64).reshape(features.shape))
    (features * r).sum().backward()
    p = dict(model.named_parameters())
    s = model.state_dict()
    tensors.update({
        "train.features": features, "train.dout": r,
        "train.dx[0, 0, :8]": x.grad[0, 0, :8],
        "grad.conv1.weight[0]": p["conv1.weight"].grad[0],
        "grad.bn1.weight": p["bn1.weight"].grad,
        "grad.layer1.0.conv1.weight[0]": p["layer1.0.conv1.weight"].grad[0],
        "grad.layer1.0.bn1.weight": p["layer1.0.bn1.weight"].grad,
        "grad.layer4.0.downsample.1.weight": p["layer4.0.downsample.1.weight"].grad,
        "grad.layer4.1.conv2.weight[0, :8]": p["layer4.1.conv2.weight"].grad[0, :8],
        "grad.layer4.1.bn2.weight": p["layer4.1.bn2.weight"].grad,
        "grad.layer4.1.bn2.bias": p["layer4.1.bn2.bias"].grad,
        "running.bn1.running_mean": s["bn1.running_mean"], "running.bn1.running_var": s["bn1.running_var"],
        "running.layer4.1.bn2.running_var": s["layer4.1.bn2.running_var"],
    })
    # evaluation mode on fresh formula weights (running statistics as given)
    model, _ = build([2, 2, 2, 2])
    model.eval()
    with torch.no_grad():
        tensors["eval.features"] = model(formula_input(B, 3, H, W))
    model, keys3 = build([2, 2, 2, 3])
    model.eval()
    with torch.no_grad():
        tensors["eval2223.features"] = model(formula_input(B, 3, H, W))
    save("resnet18_formula", tensors, torchvision=torchvision.__version__, batch=B, height=H, width=W,
         state_keys=keys, state_keys_2223=keys3)


if __name__ == "__main__":
    sys.exit(main())
