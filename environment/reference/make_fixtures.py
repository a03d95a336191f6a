#!/usr/bin/python3
"""Writes the PyTorch reference fixtures for tests/MotionWorkbench.Tensors.Tests/Fixtures/.

Run by hand with Debian's PyTorch (python3-torch 1.13, CPU): /usr/bin/python3 environment/reference/make_fixtures.py
Never run by tests or CI; the tests only read the committed JSON/safetensors files.

Every fixture: {"header": {generator, torch, seed, format, ...}, "tensors": {name: {"shape": [...], "data": [...]}}}.
Inputs are float32 values; the reference is computed in float64 from them. Gradients are of L = sum(out * R) with R a
seeded random tensor saved as "dout" (llm.c's trick), unless the output is a scalar loss.
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from fixture_io import FORMAT, TENSORS_FIXTURES as OUT, f32, leaf, rand, saver, with_dout

SEED = 1234
GEN = "environment/reference/make_fixtures.py"
save = saver(GEN, SEED)


def linear():
    x, w, b = leaf(rand(2, 3, 4)), leaf(rand(5, 4)), leaf(rand(5))
    y = F.linear(x, w, b)
    r = with_dout(y)
    save("linear", {"x": x, "weight": w, "bias": b, "y": y, "dout": r, "dx": x.grad, "dweight": w.grad, "dbias": b.grad})


def layer_norm():
    x, w, b = leaf(rand(3, 6)), leaf(rand(6)), leaf(rand(6))
    y = F.layer_norm(x, (6,), w, b, eps=1e-5)
    r = with_dout(y)
    save("layer_norm", {"x": x, "weight": w, "bias": b, "y": y, "dout": r, "dx": x.grad, "dweight": w.grad, "dbias": b.grad}, eps=1e-5)


def gelu():
    x = leaf(rand(64, lo=-5, hi=5))
    y = F.gelu(x)
    r = with_dout(y)
    save("gelu", {"x": x, "y": y, "dout": r, "dx": x.grad})


def softmax():
    x = leaf(rand(3, 7, lo=-4, hi=4))
    y = F.softmax(x, dim=-1)
    r = with_dout(y)
    x2 = leaf(x.detach())
    y2 = F.log_softmax(x2, dim=-1)
    r2 = with_dout(y2)
    save("softmax", {"x": x, "softmax": y, "dout": r, "dx": x.grad, "log_softmax": y2, "dout_log": r2, "dx_log": x2.grad})


def copy_linear(lin):
    lin.weight.data = rand(*lin.weight.shape, lo=-0.5, hi=0.5)
    if lin.bias is not None:
        lin.bias.data = rand(*lin.bias.shape, lo=-0.2, hi=0.2)


def randomise(module):
    for name, p in module.named_parameters():
        lo, hi = (0.5, 1.5) if name.endswith("norm1.weight") or name.endswith("norm2.weight") else (-0.5, 0.5)
        p.data = rand(*p.shape, lo=lo, hi=hi)


def attention():
    B, L, C, H = 2, 5, 8, 2
    mha = nn.MultiheadAttention(C, H, batch_first=True, dropout=0.0).double()
    randomise(mha)
    x = leaf(rand(B, L, C, lo=-1, hi=1))
    mask = torch.tensor([[False] * L, [False, False, False, True, True]])
    y, probs = mha(x, x, x, key_padding_mask=mask, need_weights=True, average_attn_weights=False)
    r = with_dout(y)
    save("attention", {
        "x": x, "mask": mask.double(), "qkv.weight": mha.in_proj_weight, "qkv.bias": mha.in_proj_bias,
        "proj.weight": mha.out_proj.weight, "proj.bias": mha.out_proj.bias, "y": y, "probs": probs, "dout": r, "dx": x.grad,
        "dqkv.weight": mha.in_proj_weight.grad, "dqkv.bias": mha.in_proj_bias.grad, "dproj.weight": mha.out_proj.weight.grad,
        "dproj.bias": mha.out_proj.bias.grad}, heads=H)


def encoder_state(layers, post):
    """Maps torch TransformerEncoderLayer names onto the engine's timm (pre-norm) or DistilBERT (post-norm) names."""
    out = {}
    for i, layer in enumerate(layers):
        p = f"blocks.{i}."
        W, b = layer.self_attn.in_proj_weight, layer.self_attn.in_proj_bias
        C = W.shape[1]
        if post:
            for j, n in enumerate(["q_lin", "k_lin", "v_lin"]):
                out[p + f"attention.{n}.weight"] = W[j * C:(j + 1) * C]
                out[p + f"attention.{n}.bias"] = b[j * C:(j + 1) * C]
            out[p + "attention.out_lin.weight"] = layer.self_attn.out_proj.weight
            out[p + "attention.out_lin.bias"] = layer.self_attn.out_proj.bias
            out[p + "sa_layer_norm.weight"], out[p + "sa_layer_norm.bias"] = layer.norm1.weight, layer.norm1.bias
            out[p + "ffn.lin1.weight"], out[p + "ffn.lin1.bias"] = layer.linear1.weight, layer.linear1.bias
            out[p + "ffn.lin2.weight"], out[p + "ffn.lin2.bias"] = layer.linear2.weight, layer.linear2.bias
            out[p + "output_layer_norm.weight"], out[p + "output_layer_norm.bias"] = layer.norm2.weight, layer.norm2.bias
        else:
            out[p + "norm1.weight"], out[p + "norm1.bias"] = layer.norm1.weight, layer.norm1.bias
            out[p + "attn.qkv.weight"], out[p + "attn.qkv.bias"] = W, b
            out[p + "attn.proj.weight"], out[p + "attn.proj.bias"] = layer.self_attn.out_proj.weight, layer.self_attn.out_proj.bias
            out[p + "norm2.weight"], out[p + "norm2.bias"] = layer.norm2.weight, layer.norm2.bias
            out[p + "mlp.fc1.weight"], out[p + "mlp.fc1.bias"] = layer.linear1.weight, layer.linear1.bias
            out[p + "mlp.fc2.weight"], out[p + "mlp.fc2.bias"] = layer.linear2.weight, layer.linear2.bias
    return out


def encoder(post):
    B, L, C, H, FF = 2, 5, 8, 2, 16
    layers = nn.ModuleList([nn.TransformerEncoderLayer(C, H, FF, dropout=0.0, activation="gelu", batch_first=True, norm_first=not post) for _ in range(2)]).double()
    randomise(layers)
    x = leaf(rand(B, L, C, lo=-1, hi=1))
    mask = torch.tensor([[False] * L, [False, False, False, False, True]])
    h = x
    for layer in layers:
        h = layer(h, src_key_padding_mask=mask)
    r = with_dout(h)
    state = encoder_state(layers, post)
    tensors = {"x": x, "mask": mask.double(), "y": h, "dout": r, "dx": x.grad}
    for k, v in state.items():
        tensors["param." + k] = v
        tensors["grad." + k] = v.grad if v.grad is not None else None
    # grads of q/k/v slices come from the fused in_proj grad
    for k in list(tensors):
        if tensors[k] is None:
            layer_i = int(k.split(".")[2])
            name = k[len("grad."):]
            j = ["q_lin", "k_lin", "v_lin"].index(name.split(".")[3])
            C_ = layers[layer_i].self_attn.in_proj_weight.shape[1]
            g = layers[layer_i].self_attn.in_proj_weight.grad if name.endswith("weight") else layers[layer_i].self_attn.in_proj_bias.grad
            tensors[k] = g[j * C_:(j + 1) * C_]
    save("encoder_post_norm" if post else "encoder_pre_norm", tensors, heads=H, eps=1e-5, layers=2)


def clip_loss():
    N, E = 5, 6
    m, t = leaf(rand(N, E)), leaf(rand(N, E))
    s = leaf(torch.tensor([np.log(1 / 0.07)], dtype=torch.float64).float().double())
    mn, tn = F.normalize(m, dim=-1), F.normalize(t, dim=-1)
    logits = s.exp() * tn @ mn.t()
    target = torch.arange(N)
    loss = (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target)) / 2
    loss.backward()
    save("clip_loss", {"motion": m, "text": t, "logit_scale": s, "loss": loss.reshape(1), "dmotion": m.grad, "dtext": t.grad, "dlogit_scale": s.grad})


def adam_steps():
    torch.manual_seed(SEED + 1)
    model = nn.Sequential(nn.Linear(6, 8), nn.GELU(), nn.Linear(8, 3)).double()
    randomise(model)
    x, target = rand(10, 6, lo=-1, hi=1), rand(10, 3, lo=-1, hi=1)
    tensors = {"x": x, "target": target}
    for k, v in model.state_dict().items():
        tensors["param." + k.replace("0.", "fc1.").replace("2.", "fc2.")] = v.clone()
    for name, opt_cls, kw in [("adam", torch.optim.Adam, dict(lr=1e-2, weight_decay=0.01)), ("adamw", torch.optim.AdamW, dict(lr=1e-2, weight_decay=0.1))]:
        m = nn.Sequential(nn.Linear(6, 8), nn.GELU(), nn.Linear(8, 3)).double()
        m.load_state_dict(model.state_dict())
        opt = opt_cls(m.parameters(), **kw)
        losses = []
        for _ in range(10):
            opt.zero_grad()
            loss = F.mse_loss(m(x), target)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        tensors[name + ".losses"] = torch.tensor(losses)
    save("adam_steps", tensors, adam_lr=1e-2, adam_weight_decay=0.01, adamw_lr=1e-2, adamw_weight_decay=0.1)


def safetensors_file():
    """A safetensors file written by hand (struct + json) from numpy arrays of four dtypes, plus the expected values."""
    rng = np.random.default_rng(SEED)
    arrays = {
        "f32": rng.uniform(-2, 2, (2, 3)).astype(np.float32),
        "f16": rng.uniform(-2, 2, (4,)).astype(np.float16),
        "f64": rng.uniform(-2, 2, (3, 1)).astype(np.float64),
    }
    bf = rng.uniform(-2, 2, (5,)).astype(np.float32)
    bf16_bits = (bf.view(np.uint32) >> 16).astype(np.uint16)  # truncation to bfloat16
    header, blobs, offset = {"__metadata__": {"generator": GEN, "torch": torch.__version__, "format": str(FORMAT)}}, [], 0
    for name, a, dtype in [("f32", arrays["f32"], "F32"), ("f16", arrays["f16"], "F16"), ("bf16", bf16_bits, "BF16"), ("f64", arrays["f64"], "F64")]:
        raw = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    hb = json.dumps(header).encode()
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(os.path.join(OUT, "numpy_written.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(hb)) + hb + b"".join(blobs))
    expected = {
        "f32": arrays["f32"].astype(np.float64), "f16": arrays["f16"].astype(np.float64), "f64": arrays["f64"],
        "bf16": (bf16_bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64),
    }
    save("numpy_written_safetensors", expected, file="numpy_written.safetensors")


def main():
    torch.manual_seed(SEED)
    os.makedirs(OUT, exist_ok=True)
    for fn in [linear, layer_norm, gelu, softmax, attention, lambda: encoder(False), lambda: encoder(True), clip_loss, adam_steps, safetensors_file]:
        fn()


if __name__ == "__main__":
    sys.exit(main())
