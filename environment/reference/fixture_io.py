"""Helpers shared by the engine's fixture generators (make_fixtures.py, lex_fixtures.py, caption_fixtures.py).

A fixture is tests/MotionWorkbench.Tensors.Tests/Fixtures/NAME.json: {"header": {...}, "tensors": {key: {"shape", "data"}}},
the data rounded to float32. Inputs are float32 values held in float64, so the reference computes in double precision.
"""
import json
import os

import numpy as np
import torch

FORMAT = 1
TENSORS_FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "MotionWorkbench.Tensors.Tests", "Fixtures")


def f32(t):
    """Round to float32 values, keep as float64 for the reference computation."""
    return t.float().double()


def rand(*shape, lo=-2.0, hi=2.0):
    return f32(torch.rand(*shape, dtype=torch.float64) * (hi - lo) + lo)


def leaf(t):
    return t.clone().requires_grad_(True)


def with_dout(out):
    """Backpropagates a random upstream gradient through out; returns it."""
    r = rand(*out.shape, lo=-1.0, hi=1.0)
    (out * r).sum().backward()
    return r


def saver(generator, seed, out=TENSORS_FIXTURES):
    """save(name, tensors, **extra) writing out/NAME.json with a header naming the generator, torch version and seed."""
    def save(name, tensors, **extra):
        header = {"generator": generator, "torch": torch.__version__, "seed": seed, "format": FORMAT, "fixture": name}
        header.update(extra)
        body = {}
        for k, v in tensors.items():
            v = v.detach().double().numpy() if isinstance(v, torch.Tensor) else np.asarray(v, dtype=np.float64)
            body[k] = {"shape": list(v.shape), "data": [float(np.float32(x)) for x in v.reshape(-1)]}
        path = os.path.join(out, name + ".json")
        with open(path, "w") as f:
            json.dump({"header": header, "tensors": body}, f, separators=(",", ":"))
        print("wrote", os.path.relpath(path), sum(len(b["data"]) for b in body.values()), "numbers")
    return save
