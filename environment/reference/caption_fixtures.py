#!/usr/bin/python3
"""Writes the PyTorch reference fixtures of the caption decoder's attention (lib/MotionWorkbench.Tensors/Ops/MaskedAttention.cs,
Nn/MultiHeadAttention.cs) into tests/MotionWorkbench.Tensors.Tests/Fixtures/caption_*.json.

Run by hand with Debian's PyTorch (python3-torch 1.13, CPU): /usr/bin/python3 environment/reference/caption_fixtures.py
Never run by tests or CI; the tests (CaptionTorchParityTests) only read the committed JSON files.

Same format as make_fixtures.py: {"header": {generator, torch, seed, format, ...}, "tensors": {name: {shape, data}}}.
The references are torch.nn.MultiheadAttention and torch.nn.TransformerDecoderLayer (norm_first, exact GELU, no
dropout) in float64 on float32-valued inputs and weights. Gradients are of L = sum(out * R) with R = "dout".
Masks: causal (query i sees keys j <= i) as a boolean attn_mask, combined with a boolean key padding mask.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

from fixture_io import TENSORS_FIXTURES as OUT, f32, leaf, rand, saver, with_dout

SEED = 2417
GEN = "environment/reference/caption_fixtures.py"
save = saver(GEN, SEED)


def randomise(module):
    for name, p in module.named_parameters():
        lo, hi = (0.5, 1.5) if "norm" in name and name.endswith("weight") else (-0.5, 0.5)
        p.data = rand(*p.shape, lo=lo, hi=hi)


def causal(L):
    return torch.triu(torch.ones(L, L, dtype=torch.bool), diagonal=1)  # True = not allowed (j > i)


def split_mha(prefix, mha, out, grads=False):
    """nn.MultiheadAttention's packed in_proj as q_lin/k_lin/v_lin + out_lin (MultiHeadAttention's names)."""
    C = mha.embed_dim
    W = mha.in_proj_weight.grad if grads else mha.in_proj_weight
    b = mha.in_proj_bias.grad if grads else mha.in_proj_bias
    d = "d" if grads else ""
    for j, n in enumerate(["q_lin", "k_lin", "v_lin"]):
        out[d + prefix + n + ".weight"] = W[j * C:(j + 1) * C]
        out[d + prefix + n + ".bias"] = b[j * C:(j + 1) * C]
    out[d + prefix + "out_lin.weight"] = mha.out_proj.weight.grad if grads else mha.out_proj.weight
    out[d + prefix + "out_lin.bias"] = mha.out_proj.bias.grad if grads else mha.out_proj.bias


def causal_attention():
    B, L, C, H = 2, 5, 8, 2
    mha = nn.MultiheadAttention(C, H, batch_first=True, dropout=0.0).double()
    randomise(mha)
    x = leaf(rand(B, L, C, lo=-1, hi=1))
    mask = torch.tensor([[False] * L, [False, False, False, True, True]])
    y, probs = mha(x, x, x, key_padding_mask=mask, attn_mask=causal(L), need_weights=True, average_attn_weights=False)
    r = with_dout(y)
    t = {"x": x, "mask": mask.double(), "y": y, "probs": probs, "dout": r, "dx": x.grad}
    split_mha("", mha, t)
    split_mha("", mha, t, grads=True)
    save("caption_causal_attention", t, heads=H)


def cross_attention():
    B, Lq, Lk, C, H = 2, 4, 6, 8, 2
    mha = nn.MultiheadAttention(C, H, batch_first=True, dropout=0.0).double()
    randomise(mha)
    x = leaf(rand(B, Lq, C, lo=-1, hi=1))
    mem = leaf(rand(B, Lk, C, lo=-1, hi=1))
    mask = torch.tensor([[False] * Lk, [False, False, False, False, True, True]])
    y, probs = mha(x, mem, mem, key_padding_mask=mask, need_weights=True, average_attn_weights=False)
    r = with_dout(y)
    t = {"x": x, "memory": mem, "mask": mask.double(), "y": y, "probs": probs, "dout": r, "dx": x.grad, "dmemory": mem.grad}
    split_mha("", mha, t)
    split_mha("", mha, t, grads=True)
    save("caption_cross_attention", t, heads=H)


def decoder_layer():
    B, L, Lm, C, H, F = 2, 5, 6, 8, 2, 16
    layer = nn.TransformerDecoderLayer(C, H, F, dropout=0.0, activation="gelu", batch_first=True, norm_first=True).double()
    randomise(layer)
    x = leaf(rand(B, L, C, lo=-1, hi=1))
    mem = leaf(rand(B, Lm, C, lo=-1, hi=1))
    pad = torch.tensor([[False] * L, [False, False, False, True, True]])
    mpad = torch.tensor([[False] * Lm, [False, False, False, False, False, True]])
    y = layer(x, mem, tgt_mask=causal(L), tgt_key_padding_mask=pad, memory_key_padding_mask=mpad)
    r = with_dout(y)
    t = {"x": x, "memory": mem, "mask": pad.double(), "memory_mask": mpad.double(), "y": y, "dout": r, "dx": x.grad, "dmemory": mem.grad}
    for grads in (False, True):
        split_mha("self_attn.", layer.self_attn, t, grads)
        split_mha("cross_attn.", layer.multihead_attn, t, grads)
        d = "d" if grads else ""
        for ours, theirs in [("norm1", layer.norm1), ("norm2", layer.norm2), ("norm3", layer.norm3), ("mlp.fc1", layer.linear1), ("mlp.fc2", layer.linear2)]:
            t[d + ours + ".weight"] = theirs.weight.grad if grads else theirs.weight
            t[d + ours + ".bias"] = theirs.bias.grad if grads else theirs.bias
    save("caption_decoder_layer", t, heads=H, hidden=F, eps=layer.norm1.eps)


def main():
    torch.manual_seed(SEED)
    os.makedirs(OUT, exist_ok=True)
    for fn in [causal_attention, cross_attention, decoder_layer]:
        fn()


if __name__ == "__main__":
    sys.exit(main())
