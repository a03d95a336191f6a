#!/usr/bin/python3
"""Writes the PyTorch reference fixtures of the engine's CNN ops (tests/MotionWorkbench.Tensors.Tests/Fixtures/):
conv2d, batch_norm (training steps, running statistics, eval mode, fused ReLU + residual), max_pool and
global_avg_pool.

Run by hand with Debian's PyTorch (python3-torch 1.13, CPU): /usr/bin/python3 environment/reference/cnn_fixtures.py
Never run by tests or CI; the tests only read the committed JSON files (fixture_io's layout).

Inputs are float32 values; the reference is computed in float64 from them. Gradients are of L = sum(out * R) with R a
seeded random tensor saved as "dout" (llm.c's trick).
"""
import os
import sys

import torch
import torch.nn.functional as F

from fixture_io import f32, leaf, rand, saver, with_dout

SEED = 4321
GEN = "environment/reference/cnn_fixtures.py"
save = saver(GEN, SEED)


def conv2d():
    # (input shape, weight shape, bias?, stride, padding): 3x3 s1 p1 with bias, 3x3 s2 p1 and 1x1 s2 (ResNet's
    # downsample) without, 7x7 s2 p3 (ResNet's stem) on an odd size.
    cases = [
        ("conv3x3", (2, 3, 7, 6), (4, 3, 3, 3), True, 1, 1),
        ("conv3x3_s2", (2, 3, 7, 8), (5, 3, 3, 3), False, 2, 1),
        ("conv1x1_s2", (2, 4, 6, 5), (6, 4, 1, 1), False, 2, 0),
        ("conv7x7_s2", (1, 2, 11, 9), (3, 2, 7, 7), False, 2, 3),
    ]
    for name, xs, ws, has_bias, stride, padding in cases:
        x, w = leaf(rand(*xs)), leaf(rand(*ws, lo=-0.5, hi=0.5))
        b = leaf(rand(ws[0], lo=-0.5, hi=0.5)) if has_bias else None
        y = F.conv2d(x, w, b, stride=stride, padding=padding)
        r = with_dout(y)
        t = {"x": x, "weight": w, "y": y, "dout": r, "dx": x.grad, "dweight": w.grad}
        if has_bias:
            t.update({"bias": b, "dbias": b.grad})
        save(name, t, stride=stride, padding=padding)


def batch_norm():
    """Three training steps (running statistics after each), then eval mode; plain and fused relu(bn(x) + residual)."""
    C = 4
    w, b = leaf(rand(C, lo=0.5, hi=1.5)), leaf(rand(C, lo=-0.5, hi=0.5))
    rm, rv = rand(C, lo=-0.5, hi=0.5), rand(C, lo=0.5, hi=2.0)
    t = {"weight": w, "bias": b, "running_mean0": rm.clone(), "running_var0": rv.clone()}
    for step in range(3):
        x = leaf(f32(rand(3, C, 5, 4, lo=-3, hi=3) + step))   # a shifting mean, so the running mean moves
        y = F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.1, eps=1e-5)
        r = with_dout(y)
        t.update({f"x{step}": x, f"y{step}": y, f"dout{step}": r, f"dx{step}": x.grad,
                  f"running_mean{step + 1}": rm.clone(), f"running_var{step + 1}": rv.clone()})
    t["dweight"], t["dbias"] = w.grad.clone(), b.grad.clone()   # summed over the three steps
    # eval mode with the running statistics after the three steps
    w.grad, b.grad = None, None
    xe = leaf(rand(2, C, 3, 3, lo=-3, hi=3))
    ye = F.batch_norm(xe, rm, rv, w, b, training=False, eps=1e-5)
    re = with_dout(ye)
    t.update({"x_eval": xe, "y_eval": ye, "dout_eval": re, "dx_eval": xe.grad, "dweight_eval": w.grad.clone(), "dbias_eval": b.grad.clone()})
    save("batch_norm", t, momentum=0.1, eps=1e-5, steps=3)

    # fused: relu(bn(x) + residual), training statistics and eval statistics
    f = {}
    for mode in ["train", "eval"]:
        wf, bf = leaf(w.detach()), leaf(b.detach())
        rmf, rvf = rand(C, lo=-0.5, hi=0.5), rand(C, lo=0.5, hi=2.0)
        x, res = leaf(rand(2, C, 4, 3)), leaf(rand(2, C, 4, 3))
        f.update({f"{mode}.running_mean": rmf.clone(), f"{mode}.running_var": rvf.clone()})
        y = F.relu(F.batch_norm(x, rmf, rvf, wf, bf, training=mode == "train", momentum=0.1, eps=1e-5) + res)
        r = with_dout(y)
        f.update({f"{mode}.x": x, f"{mode}.residual": res, f"{mode}.y": y, f"{mode}.dout": r, f"{mode}.dx": x.grad,
                  f"{mode}.dresidual": res.grad, f"{mode}.dweight": wf.grad, f"{mode}.dbias": bf.grad,
                  f"{mode}.running_mean_after": rmf, f"{mode}.running_var_after": rvf})
    f.update({"weight": w, "bias": b})
    save("batch_norm_relu", f, momentum=0.1, eps=1e-5)


def max_pool():
    x = leaf(rand(2, 3, 9, 8))
    # plane (1, 2): values on a coarse grid (many ties, as after a ReLU): the first maximum in window order wins
    with torch.no_grad():
        x[1, 2] = torch.round(x[1, 2]).clamp(min=0)
    y = F.max_pool2d(x, 3, 2, 1)
    r = with_dout(y)
    save("max_pool", {"x": x, "y": y, "dout": r, "dx": x.grad}, kernel=3, stride=2, padding=1)


def global_avg_pool():
    x = leaf(rand(2, 3, 4, 5))
    y = F.adaptive_avg_pool2d(x, 1).flatten(1)
    r = with_dout(y)
    save("global_avg_pool", {"x": x, "y": y, "dout": r, "dx": x.grad})


def main():
    torch.manual_seed(SEED)
    for fn in [conv2d, batch_norm, max_pool, global_avg_pool]:
        fn()


if __name__ == "__main__":
    sys.exit(main())
