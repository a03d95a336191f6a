#!/usr/bin/python3
"""Writes the PyTorch reference fixtures for tests/MotionWorkbench.Models.Tests/Fixtures/.

Run by hand with Debian's PyTorch (python3-torch 1.13, CPU): /usr/bin/python3 environment/reference/models_fixtures.py
Never run by tests or CI; the tests only read the committed files.

timm and transformers are not installed here, so the reference architectures are written below in plain torch with
exactly timm's (VisionTransformer, timm 0.9.5) and Hugging Face's (DistilBertModel/DistilBertForMaskedLM,
BertModel/BertForPreTraining, transformers 4.31) parameter names and forward semantics. Checkpoints are written as
.safetensors by hand (struct + json; the safetensors package is absent). Each fixture is a pair:
  NAME.safetensors  the weights (F32), header "__metadata__" = {generator, torch, seed, fixture}
  NAME.json         {"header": {generator, torch, seed, format, fixture, ...}, "tensors": {name: {shape, data}}}
Forward passes run in float64 from float32 weights and inputs (the C# side computes in float32).
Motion inputs are not stored: element i of the flattened input is float32(((i*7919 + 13) % 2001 - 1000) / 1000).
"""
import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from fixture_io import FORMAT, saver

SEED = 1234
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "MotionWorkbench.Models.Tests", "Fixtures")
GEN = "environment/reference/models_fixtures.py"


def header(name, **extra):
    h = {"generator": GEN, "torch": torch.__version__, "seed": SEED, "format": FORMAT, "fixture": name}
    h.update(extra)
    return h


def write_safetensors(name, state):
    meta = {k: str(v) for k, v in header(name).items()}
    hdr = {"__metadata__": meta}
    blobs = []
    off = 0
    for k, v in state.items():
        a = v.detach().to(torch.float32).contiguous().numpy().astype("<f4")
        b = a.tobytes()
        hdr[k] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    hb = json.dumps(hdr, separators=(",", ":")).encode()
    hb += b" " * ((8 - len(hb) % 8) % 8)
    path = os.path.join(OUT, name + ".safetensors")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for b in blobs:
            f.write(b)
    print("wrote", os.path.relpath(path), off // 4, "floats")


# the engine fixtures' JSON layout (fixture_io), into this generator's folder
write_json = saver(GEN, SEED, OUT)


def formula_input(*shape):
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.int64)
    v = (((i * 7919 + 13) % 2001) - 1000) / 1000.0
    return torch.from_numpy(v.astype(np.float32).astype(np.float64).reshape(shape))


def randomise(module, gen, std=0.2):
    """Every parameter: LayerNorm weights 1 + N(0, 0.1), others N(0, std); rounded to float32."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if ("norm" in name.lower()) and name.endswith("weight"):
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=gen, dtype=torch.float64))
            else:
                p.copy_(std * torch.randn(p.shape, generator=gen, dtype=torch.float64))
            p.copy_(p.float().double())


# ----------------------------------------------------------------------------------------------- timm ViT (0.9.5)
class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.num_heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = (q * self.scale) @ k.transpose(-2, -1)
        attn = attn.softmax(dim=-1)
        self.last_attn = attn
        x = (attn @ v).transpose(1, 2).reshape(B, N, C)
        return self.proj(x)


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, hidden)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, dim, patch):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, kernel_size=patch, stride=patch, bias=True)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)  # NCHW -> NLC, time-major


class VisionTransformer(nn.Module):
    def __init__(self, img_size, patch, dim, depth, heads, hidden, global_pool="avg", num_classes=0):
        super().__init__()
        self.global_pool = global_pool
        self.patch_embed = PatchEmbed(dim, patch)
        n = (img_size[0] // patch) * (img_size[1] // patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, dim))
        self.blocks = nn.ModuleList([Block(dim, heads, hidden) for _ in range(depth)])
        use_fc_norm = global_pool == "avg"
        self.norm = nn.LayerNorm(dim, eps=1e-6) if not use_fc_norm else nn.Identity()
        self.fc_norm = nn.LayerNorm(dim, eps=1e-6) if use_fc_norm else nn.Identity()
        self.head = nn.Linear(dim, num_classes) if num_classes > 0 else nn.Identity()

    def forward_features(self, x):
        x = self.patch_embed(x)
        x = torch.cat((self.cls_token.expand(x.shape[0], -1, -1), x), dim=1)
        x = x + self.pos_embed
        for b in self.blocks:
            x = b(x)
        return self.norm(x)

    def forward_head(self, x):
        x = x[:, 1:].mean(dim=1) if self.global_pool == "avg" else x[:, 0]
        return self.head(self.fc_norm(x))

    def forward(self, x):
        return self.forward_head(self.forward_features(x))


def resample_abs_pos_embed(posemb, new_size, num_prefix_tokens=1):
    """timm/layers/pos_embed.py (0.9.5), bicubic + antialias."""
    hw = int(math.sqrt(posemb.shape[1] - num_prefix_tokens))
    prefix, posemb = posemb[:, :num_prefix_tokens], posemb[:, num_prefix_tokens:]
    dim = posemb.shape[-1]
    orig = posemb.dtype
    posemb = posemb.float().reshape(1, hw, hw, -1).permute(0, 3, 1, 2)
    posemb = F.interpolate(posemb, size=new_size, mode="bicubic", antialias=True)
    posemb = posemb.permute(0, 2, 3, 1).reshape(1, -1, dim).to(orig)
    return torch.cat([prefix, posemb], dim=1)


def vit_fixture(gen):
    dim, depth, heads, hidden, patch = 32, 2, 2, 64, 16
    # the "pretrained" classifier: 224 x 224, 14 x 14 grid, 7 classes, final norm (global_pool="token" layout)
    pre = VisionTransformer((224, 224), patch, dim, depth, heads, hidden, global_pool="token", num_classes=7).double()
    randomise(pre, gen)
    state = pre.state_dict()
    write_safetensors("vit_tiny_timm", state)
    # the motion encoder as the reference builds it: img (224, 80), avg pool, fresh fc_norm, head dropped
    motion = VisionTransformer((224, 80), patch, dim, depth, heads, hidden, global_pool="avg", num_classes=0).double()
    filtered = {k: v for k, v in state.items() if not k.startswith("head.")}
    filtered["pos_embed"] = resample_abs_pos_embed(state["pos_embed"], (14, 5))
    missing, unexpected = motion.load_state_dict(filtered, strict=False)
    assert sorted(missing) == ["fc_norm.bias", "fc_norm.weight"], missing
    assert sorted(unexpected) == ["norm.bias", "norm.weight"], unexpected
    x = formula_input(2, 3, 224, 80)
    with torch.no_grad():
        tokens = motion.forward_features(x)
        pooled = motion.forward_head(tokens)
        attn0 = motion.blocks[0].attn.last_attn[0, 1]  # batch 0, head 1
    write_json("vit_tiny_timm", {"pos_embed_resampled": filtered["pos_embed"], "tokens": tokens, "pooled": pooled,
                                 "attention_block0_b0_h1": attn0},
               width=dim, depth=depth, heads=heads, mlp=hidden, patch=patch, frames=224, parts=5, batch=2,
               checkpoint="vit_tiny_timm.safetensors", pooling="avg (fc_norm fresh)")


def resize_fixture():
    """The antialiased bicubic weight matrices, read off F.interpolate applied to identity grids."""
    out = {}
    for n_in, n_out in [(14, 5), (14, 4), (14, 7), (5, 14), (14, 28), (7, 3)]:
        eye = torch.eye(n_in, dtype=torch.float32).reshape(1, n_in, 1, n_in)  # N=1, C=n_in, H=1, W=n_in
        w = F.interpolate(eye, size=(1, n_out), mode="bicubic", antialias=True).reshape(n_in, n_out).t()
        out[f"w_{n_in}_{n_out}"] = w
    # a 2-D case through timm's function: 14 x 14 grid of 3 channels -> (4, 5)
    g = torch.Generator().manual_seed(SEED + 7)
    pe = torch.randn(1, 1 + 196, 3, generator=g).float()
    out["pos_in"] = pe
    out["pos_4x5"] = resample_abs_pos_embed(pe, (4, 5))
    write_json("bicubic_aa", out, note="w_IN_OUT is (OUT, IN): new[c] = sum_k w[c, k] old[k]")


# ------------------------------------------------------------------------------------ Hugging Face DistilBERT / BERT
class DistilEmbeddings(nn.Module):
    def __init__(self, vocab, dim, maxpos):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, dim)
        self.position_embeddings = nn.Embedding(maxpos, dim)
        self.LayerNorm = nn.LayerNorm(dim, eps=1e-12)

    def forward(self, ids):
        pos = torch.arange(ids.shape[1]).unsqueeze(0).expand_as(ids)
        return self.LayerNorm(self.word_embeddings(ids) + self.position_embeddings(pos))


class DistilMHSA(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.n_heads = heads
        self.q_lin, self.k_lin, self.v_lin, self.out_lin = (nn.Linear(dim, dim) for _ in range(4))

    def forward(self, x, mask):
        bs, L, dim = x.shape
        dh = dim // self.n_heads
        shape = lambda t: t.view(bs, -1, self.n_heads, dh).transpose(1, 2)
        q = shape(self.q_lin(x)) / math.sqrt(dh)
        k, v = shape(self.k_lin(x)), shape(self.v_lin(x))
        scores = q @ k.transpose(2, 3)
        m = (mask == 0).view(bs, 1, 1, L).expand_as(scores)
        scores = scores.masked_fill(m, torch.tensor(torch.finfo(scores.dtype).min))
        w = F.softmax(scores, dim=-1)
        ctx = (w @ v).transpose(1, 2).reshape(bs, -1, dim)
        return self.out_lin(ctx)


class FFN(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.lin1 = nn.Linear(dim, hidden)
        self.lin2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.lin2(F.gelu(self.lin1(x)))


class TransformerBlock(nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.attention = DistilMHSA(dim, heads)
        self.sa_layer_norm = nn.LayerNorm(dim, eps=1e-12)
        self.ffn = FFN(dim, hidden)
        self.output_layer_norm = nn.LayerNorm(dim, eps=1e-12)

    def forward(self, x, mask):
        x = self.sa_layer_norm(self.attention(x, mask) + x)
        return self.output_layer_norm(self.ffn(x) + x)


class Transformer(nn.Module):
    def __init__(self, dim, depth, heads, hidden):
        super().__init__()
        self.layer = nn.ModuleList([TransformerBlock(dim, heads, hidden) for _ in range(depth)])

    def forward(self, x, mask):
        for l in self.layer:
            x = l(x, mask)
        return x


class DistilBertModel(nn.Module):
    def __init__(self, vocab, dim, depth, heads, hidden, maxpos):
        super().__init__()
        self.embeddings = DistilEmbeddings(vocab, dim, maxpos)
        self.transformer = Transformer(dim, depth, heads, hidden)

    def forward(self, ids, mask):
        return self.transformer(self.embeddings(ids), mask)


class DistilBertForMaskedLM(nn.Module):
    def __init__(self, vocab, dim, depth, heads, hidden, maxpos):
        super().__init__()
        self.distilbert = DistilBertModel(vocab, dim, depth, heads, hidden, maxpos)
        self.vocab_transform = nn.Linear(dim, dim)
        self.vocab_layer_norm = nn.LayerNorm(dim, eps=1e-12)
        self.vocab_projector = nn.Linear(dim, vocab)
        self.vocab_projector.weight = self.distilbert.embeddings.word_embeddings.weight  # tied

    def forward(self, ids, mask):
        h = self.distilbert(ids, mask)
        return h, self.vocab_projector(self.vocab_layer_norm(F.gelu(self.vocab_transform(h))))


class BertEmbeddings(nn.Module):
    def __init__(self, vocab, dim, maxpos, types):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, dim)
        self.position_embeddings = nn.Embedding(maxpos, dim)
        self.token_type_embeddings = nn.Embedding(types, dim)
        self.LayerNorm = nn.LayerNorm(dim, eps=1e-12)

    def forward(self, ids):
        pos = torch.arange(ids.shape[1]).unsqueeze(0).expand_as(ids)
        return self.LayerNorm(self.word_embeddings(ids) + self.position_embeddings(pos) + self.token_type_embeddings(torch.zeros_like(ids)))


class BertSelfAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.h = heads
        self.query, self.key, self.value = (nn.Linear(dim, dim) for _ in range(3))

    def forward(self, x, ext_mask):
        B, L, C = x.shape
        dh = C // self.h
        sh = lambda t: t.view(B, L, self.h, dh).permute(0, 2, 1, 3)
        q, k, v = sh(self.query(x)), sh(self.key(x)), sh(self.value(x))
        s = q @ k.transpose(-1, -2) / math.sqrt(dh) + ext_mask
        p = F.softmax(s, dim=-1)
        return (p @ v).permute(0, 2, 1, 3).reshape(B, L, C)


class DenseNorm(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.dense = nn.Linear(i, o)
        self.LayerNorm = nn.LayerNorm(o, eps=1e-12)

    def forward(self, h, res):
        return self.LayerNorm(self.dense(h) + res)


class BertAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.self = BertSelfAttention(dim, heads)
        self.output = DenseNorm(dim, dim)

    def forward(self, x, m):
        return self.output(self.self(x, m), x)


class Dense(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.dense = nn.Linear(i, o)

    def forward(self, x):
        return F.gelu(self.dense(x))


class BertLayer(nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.attention = BertAttention(dim, heads)
        self.intermediate = Dense(dim, hidden)
        self.output = DenseNorm(hidden, dim)

    def forward(self, x, m):
        a = self.attention(x, m)
        return self.output(self.intermediate(a), a)


class BertEncoder(nn.Module):
    def __init__(self, dim, depth, heads, hidden):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(dim, heads, hidden) for _ in range(depth)])

    def forward(self, x, m):
        for l in self.layer:
            x = l(x, m)
        return x


class BertPooler(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dense = nn.Linear(dim, dim)


class BertModel(nn.Module):
    def __init__(self, vocab, dim, depth, heads, hidden, maxpos, types):
        super().__init__()
        self.embeddings = BertEmbeddings(vocab, dim, maxpos, types)
        self.encoder = BertEncoder(dim, depth, heads, hidden)
        self.pooler = BertPooler(dim)

    def forward(self, ids, mask):
        ext = (1.0 - mask[:, None, None, :].to(torch.float64)) * torch.finfo(torch.float64).min
        return self.encoder(self.embeddings(ids), ext)


class Transform(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dense = nn.Linear(dim, dim)
        self.LayerNorm = nn.LayerNorm(dim, eps=1e-12)

    def forward(self, h):
        return self.LayerNorm(F.gelu(self.dense(h)))


class Predictions(nn.Module):
    def __init__(self, dim, vocab, emb):
        super().__init__()
        self.transform = Transform(dim)
        self.decoder = nn.Linear(dim, vocab, bias=False)
        self.decoder.weight = emb
        self.bias = nn.Parameter(torch.zeros(vocab))

    def forward(self, h):
        return self.decoder(self.transform(h)) + self.bias


class PreTrainingHeads(nn.Module):
    def __init__(self, dim, vocab, emb):
        super().__init__()
        self.predictions = Predictions(dim, vocab, emb)
        self.seq_relationship = nn.Linear(dim, 2)


class BertForPreTraining(nn.Module):
    def __init__(self, vocab, dim, depth, heads, hidden, maxpos, types):
        super().__init__()
        self.bert = BertModel(vocab, dim, depth, heads, hidden, maxpos, types)
        self.cls = PreTrainingHeads(dim, vocab, self.bert.embeddings.word_embeddings.weight)

    def forward(self, ids, mask):
        h = self.bert(ids, mask)
        return h, self.cls.predictions(h)


TEXT = dict(vocab=50, dim=32, depth=2, heads=2, hidden=64, maxpos=16)
IDS = torch.tensor([[2, 17, 33, 5, 41, 9, 3], [2, 8, 12, 30, 3, 0, 0], [2, 49, 3, 0, 0, 0, 0]])
MASK = (IDS != 0).long()
MASK[0] = 1


def hf_state(model):
    """state_dict with HF's safetensors convention: tied decoder weights appear once (the embedding)."""
    st = model.state_dict()
    return {k: v for k, v in st.items()}


def distilbert_fixture(gen):
    m = DistilBertForMaskedLM(TEXT["vocab"], TEXT["dim"], TEXT["depth"], TEXT["heads"], TEXT["hidden"], TEXT["maxpos"]).double()
    randomise(m, gen)
    st = hf_state(m)
    write_safetensors("distilbert_tiny", st)
    with torch.no_grad():
        h, logits = m(IDS, MASK)
    write_json("distilbert_tiny", {"input_ids": IDS, "attention_mask": MASK, "last_hidden_state": h, "mlm_logits": logits},
               kind="distilbert", **TEXT, checkpoint="distilbert_tiny.safetensors")


def bert_fixture(gen):
    m = BertForPreTraining(TEXT["vocab"], TEXT["dim"], TEXT["depth"], TEXT["heads"], TEXT["hidden"], TEXT["maxpos"], 2).double()
    randomise(m, gen)
    st = hf_state(m)
    st["cls.predictions.decoder.bias"] = st["cls.predictions.bias"].clone()  # HF stores the decoder bias (= bias) too
    write_safetensors("bert_tiny", st)
    with torch.no_grad():
        h, logits = m(IDS, MASK)
    write_json("bert_tiny", {"input_ids": IDS, "attention_mask": MASK, "last_hidden_state": h, "mlm_logits": logits},
               kind="bert", **TEXT, checkpoint="bert_tiny.safetensors")


# ------------------------------------------------------------------------------------ projection head and CLIP model
class ProjectionHead(nn.Module):
    """line/MotionPatches models/clip.py."""

    def __init__(self, embedding_dim, projection_dim=256, dropout=0.5):
        super().__init__()
        self.projection = nn.Linear(embedding_dim, projection_dim)
        self.gelu = nn.GELU()
        self.fc = nn.Linear(projection_dim, projection_dim)
        self.dropout = nn.Dropout(dropout)
        self.layer_norm = nn.LayerNorm(projection_dim)

    def forward(self, x):
        projected = self.projection(x)
        x = self.fc(self.gelu(projected))
        x = self.dropout(x)
        x = x + projected
        return self.layer_norm(x)


def head_fixture(gen):
    head = ProjectionHead(32, 16, dropout=0.5).double().eval()
    randomise(head, gen)
    write_safetensors("projection_head", head.state_dict())
    x = (torch.randn(3, 32, generator=gen, dtype=torch.float64)).float().double()
    with torch.no_grad():
        y = head(x)
    write_json("projection_head", {"x": x, "y": y}, input_dim=32, embedding_dim=16, checkpoint="projection_head.safetensors")


class MotionTextModel(nn.Module):
    """The reference CLIP model with our composite names: motion_encoder, text_encoder, motion_head, text_head."""

    def __init__(self):
        super().__init__()
        self.motion_encoder = VisionTransformer((32, 80), 16, 32, 1, 2, 64, global_pool="avg")
        self.text_encoder = DistilBertModel(TEXT["vocab"], TEXT["dim"], 1, TEXT["heads"], TEXT["hidden"], TEXT["maxpos"])
        self.motion_head = ProjectionHead(32, 16, dropout=0.0)
        self.text_head = ProjectionHead(32, 16, dropout=0.0)
        self.logit_scale = nn.Parameter(torch.tensor(np.log(1 / 0.07)))

    def forward(self, x, ids, mask):
        m = F.normalize(self.motion_head(self.motion_encoder(x)), dim=-1)
        t = F.normalize(self.text_head(self.text_encoder(ids, mask)[:, 0]), dim=-1)
        logits = self.logit_scale.exp() * t @ m.t()
        labels = torch.arange(len(logits))
        return m, t, (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2


def clip_fixture(gen):
    model = MotionTextModel().double()
    randomise(model, gen)
    with torch.no_grad():
        model.logit_scale.fill_(float(np.log(1 / 0.07)))
    st = {k: v for k, v in model.state_dict().items() if k != "logit_scale"}
    write_safetensors("clip_tiny", st)
    x = formula_input(3, 3, 32, 80)
    m, t, loss = model(x, IDS, MASK)
    loss.backward()
    grads = {"grad." + k: p.grad for k, p in model.named_parameters()
             if k in ("motion_encoder.patch_embed.proj.bias", "motion_encoder.blocks.0.attn.qkv.weight", "motion_encoder.pos_embed",
                      "motion_encoder.cls_token", "motion_encoder.fc_norm.weight", "text_encoder.embeddings.word_embeddings.weight",
                      "text_encoder.transformer.layer.0.attention.q_lin.weight", "motion_head.projection.weight", "text_head.layer_norm.bias")}
    write_json("clip_tiny", {"input_ids": IDS, "attention_mask": MASK, "motion": m, "text": t, "loss": loss.reshape(1), **grads},
               frames=32, checkpoint="clip_tiny.safetensors", temperature=0.07, batch=3)


# ------------------------------------------------------------------------------------------------- Lex (lexical CLIP)
class LexHead(nn.Module):
    """A SPLADE/LexLIP lexical head: Dense -> GELU -> LayerNorm -> vocabulary projection + bias, max over the valid
    tokens, log1p(ReLU). Materialised (B, L, V) logits: the naive reference of our fused Ops.LexicalMaxPool."""

    def __init__(self, width, vocab, own_weight):
        super().__init__()
        self.transform = nn.Linear(width, width)
        self.layer_norm = nn.LayerNorm(width, eps=1e-12)
        self.bias = nn.Parameter(torch.zeros(vocab))
        if own_weight:
            self.weight = nn.Parameter(torch.zeros(vocab, width))

    def forward(self, tokens, valid, weight):
        h = self.layer_norm(F.gelu(self.transform(tokens)))
        logits = (h @ weight.t() + self.bias).masked_fill(~valid[:, :, None], float("-inf"))
        return torch.log1p(torch.relu(logits.max(dim=1).values))


class LexModel(nn.Module):
    """Our LexicalModel's towers and heads with its names: motion_encoder, text_encoder, text_lex (tied to the word
    embeddings), motion_lex (own weight); loss = InfoNCE at tau 0.05 + 0.002 (FLOPS(motion) + FLOPS(text))."""

    def __init__(self):
        super().__init__()
        self.motion_encoder = VisionTransformer((32, 80), 16, 32, 1, 2, 64, global_pool="avg")
        self.text_encoder = DistilBertModel(TEXT["vocab"], TEXT["dim"], 1, TEXT["heads"], TEXT["hidden"], TEXT["maxpos"])
        self.text_lex = LexHead(32, TEXT["vocab"], own_weight=False)
        self.motion_lex = LexHead(32, TEXT["vocab"], own_weight=True)

    def forward(self, x, ids, mask):
        mt = self.motion_encoder.forward_features(x)                                   # (B, 1 + patches, C), all valid
        m = F.normalize(self.motion_lex(mt, torch.ones(mt.shape[:2], dtype=torch.bool), self.motion_lex.weight), dim=-1)
        tt = self.text_encoder(ids, mask)
        t = F.normalize(self.text_lex(tt, mask.bool(), self.text_encoder.embeddings.word_embeddings.weight), dim=-1)
        logits = t @ m.t() / 0.05
        labels = torch.arange(len(logits))
        nce = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2
        flops = lambda w: (w.abs().mean(dim=0) ** 2).sum()
        return m, t, nce + 0.002 * (flops(m) + flops(t))


LEX_GRADS = ("motion_encoder.blocks.0.attn.qkv.weight", "motion_encoder.patch_embed.proj.bias", "text_encoder.embeddings.word_embeddings.weight",
             "text_encoder.transformer.layer.0.attention.q_lin.weight", "text_lex.transform.weight", "text_lex.layer_norm.bias", "text_lex.bias",
             "motion_lex.weight", "motion_lex.transform.weight", "motion_lex.bias")


def lex_fixture(gen):
    model = LexModel().double()
    randomise(model, gen)
    write_safetensors("lex_tiny", model.state_dict())
    x = formula_input(3, 3, 32, 80)
    m, t, loss = model(x, IDS, MASK)
    loss.backward()
    grads = {"grad." + k: p.grad for k, p in model.named_parameters() if k in LEX_GRADS}
    assert len(grads) == len(LEX_GRADS)
    write_json("lex_tiny", {"input_ids": IDS, "attention_mask": MASK, "motion": m, "text": t, "loss": loss.reshape(1), **grads},
               frames=32, checkpoint="lex_tiny.safetensors", temperature=0.05, flops_weight=0.002, batch=3)


def main():
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    os.makedirs(OUT, exist_ok=True)
    resize_fixture()
    vit_fixture(gen)
    distilbert_fixture(gen)
    bert_fixture(gen)
    head_fixture(gen)
    clip_fixture(gen)
    lex_fixture(gen)


if __name__ == "__main__":
    main()
