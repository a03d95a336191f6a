#!/usr/bin/python3
"""Writes the PyTorch reference fixtures of the lexical-head ops (lib/MotionWorkbench.Tensors/Ops/Lexical.cs) into
tests/MotionWorkbench.Tensors.Tests/Fixtures/lex_*.json.

Run by hand with Debian's PyTorch (python3-torch 1.13, CPU): /usr/bin/python3 environment/reference/lex_fixtures.py
Never run by tests or CI; the tests (LexicalTorchParityTests) only read the committed JSON files.

Same format as make_fixtures.py: {"header": {generator, torch, seed, format, ...}, "tensors": {name: {shape, data}}}.
Each reference is the naive, materialised PyTorch implementation in float64 on float32-valued inputs (the max-pool
builds the whole (B, T, V) logit tensor). Gradients are of L = sum(out * R) with R = "dout", or of the scalar itself.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

from fixture_io import TENSORS_FIXTURES as OUT, f32, leaf, rand, saver, with_dout

SEED = 4321
GEN = "environment/reference/lex_fixtures.py"
save = saver(GEN, SEED)


def away_from_zero(t, eps=0.05):
    return f32(torch.where(t.abs() < eps, t + torch.sign(t + 1e-12) * 0.1, t))


def lexical_max_pool():
    B, T, H, V = 3, 5, 4, 11
    x, w, b = leaf(rand(B, T, H)), leaf(rand(V, H)), leaf(rand(V))
    lengths = [5, 3, 1]
    mask = torch.tensor([[1.0 if t < n else 0.0 for t in range(T)] for n in lengths], dtype=torch.float64)
    logits = x @ w.t() + b                                   # (B, T, V), materialised
    logits = logits.masked_fill(mask[:, :, None] == 0, float("-inf"))
    z, arg = logits.max(dim=1)                               # (B, V)
    r = with_dout(z)
    # then the SPLADE activation and the FLOPS regulariser on top, as the lexical head uses them
    x2, w2, b2 = leaf(x.detach()), leaf(w.detach()), leaf(b.detach())
    z2 = (x2 @ w2.t() + b2).masked_fill(mask[:, :, None] == 0, float("-inf")).max(dim=1).values
    lex = torch.log1p(torch.relu(z2))
    flops = (lex.abs().mean(dim=0) ** 2).sum()
    flops.backward()
    save("lex_max_pool", {"x": x, "weight": w, "bias": b, "mask": mask, "z": z, "argmax": arg.double(), "dout": r,
                          "dx": x.grad, "dweight": w.grad, "dbias": b.grad,
                          "flops": flops.reshape(1), "flops_dx": x2.grad, "flops_dweight": w2.grad, "flops_dbias": b2.grad})


def log1p_relu():
    x = leaf(away_from_zero(rand(3, 8)))
    y = torch.log1p(torch.relu(x))
    r = with_dout(y)
    save("lex_log1p_relu", {"x": x, "y": y, "dout": r, "dx": x.grad})


def flops():
    w = leaf(away_from_zero(rand(4, 6)))
    loss = (w.abs().mean(dim=0) ** 2).sum()
    loss.backward()
    save("lex_flops", {"w": w, "loss": loss.reshape(1), "dw": w.grad})


def softmax_bottleneck():
    z, e = leaf(rand(3, 7)), leaf(rand(7, 5))
    y = F.softmax(z, dim=-1) @ e.detach()                    # stop-gradient on the embedding
    r = with_dout(y)
    assert e.grad is None
    save("lex_softmax_bottleneck", {"z": z, "embedding": e, "y": y, "dout": r, "dz": z.grad})


def lexical_max_pool_subset():
    """A lexical head over a vocabulary subset (lex.vocabulary = captions): only the active rows are scored, the
    vector keeps all V entries (0 outside the subset; the max logit there is -1e9)."""
    B, T, H, V = 3, 5, 4, 13
    active = [1, 4, 5, 9, 12]
    x, w, b = leaf(rand(B, T, H)), leaf(rand(V, H)), leaf(rand(V))
    lengths = [5, 2, 4]
    mask = torch.tensor([[1.0 if t < n else 0.0 for t in range(T)] for n in lengths], dtype=torch.float64)
    logits = (x @ w.t() + b).masked_fill(mask[:, :, None] == 0, float("-inf"))   # (B, T, V), materialised
    z = logits.max(dim=1).values
    keep = torch.zeros(V, dtype=torch.bool)
    keep[active] = True
    z = torch.where(keep[None, :], z, torch.full_like(z, -1e9))
    lex = torch.log1p(torch.relu(z))
    loss = (lex.abs().mean(dim=0) ** 2).sum()
    r = rand(B, V, lo=-1.0, hi=1.0)
    (loss + (lex * r).sum()).backward()
    save("lex_max_pool_subset", {"x": x, "weight": w, "bias": b, "mask": mask, "active": torch.tensor(active, dtype=torch.float64),
                                 "z": z, "lex": lex, "loss": loss.reshape(1), "dout": r,
                                 "dx": x.grad, "dweight": w.grad, "dbias": b.grad})


def main():
    torch.manual_seed(SEED)
    os.makedirs(OUT, exist_ok=True)
    for fn in [lexical_max_pool, log1p_relu, flops, softmax_bottleneck, lexical_max_pool_subset]:
        fn()


if __name__ == "__main__":
    sys.exit(main())
