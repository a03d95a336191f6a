#!/usr/bin/python3
"""PyTorch peer for `mw bench`: times one full training step (zero_grad, forward, loss, backward, Adam) of the same
three models in Debian's PyTorch 1.13 (CPU) and prints one JSON object per model, with the same keys as `mw bench --json`.

    /usr/bin/python3 environment/reference/bench_torch.py [--model vit-tiny|vit-small|clip-tiny|lex-tiny|resnet18-clip|minilm-clip|all] [--batch N]
        [--dropout P] [--threads N or N,M,... (e.g. 1,2,4,8,16)] [--steps N] [--warmup N]

It re-executes itself in the tuned environment of perf-anchors.md (OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = N,
OMP_WAIT_POLICY=PASSIVE, MALLOC_MMAP_THRESHOLD_=33554432, MALLOC_TRIM_THRESHOLD_=68719476736, MALLOC_TOP_PAD_=536870912),
one process per model and thread count (the environment must be set before torch, OpenMP and glibc start; peak RSS is
per process). With several counts (run smallest first, as mw bench does) each JSON line also has speedup, efficiency
and efficiency_base_threads (speed-up against the smallest count, divided by the thread ratio) and a scaling table
per model goes to stderr. Default --threads: the CPUs of this process's affinity mask. Steps are flagged contended when
other processes used >= 5 % of the CPUs (from /proc/stat minus this process); the headline is the median of the quiet
steps. Never run by tests or CI.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

MODELS = ["vit-tiny", "vit-small", "clip-tiny", "lex-tiny", "resnet18-clip", "minilm-clip"]


def tuned_env(threads):
    env = dict(os.environ)
    env.update({
        "OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads), "OMP_WAIT_POLICY": "PASSIVE",
        "MALLOC_MMAP_THRESHOLD_": "33554432", "MALLOC_TRIM_THRESHOLD_": "68719476736", "MALLOC_TOP_PAD_": "536870912",
        "MW_BENCH_TUNED": "1",
    })
    return env


def proc_stat():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return sum(v) - v[3] - v[4], sum(v)


def own_ticks():
    t = os.times()
    return (t.user + t.system) * os.sysconf("SC_CLK_TCK")


def run_one(args):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(args.threads)
    torch.manual_seed(1234)
    p = args.dropout

    class Vit(nn.Module):
        def __init__(self, d, depth, heads, ff):
            super().__init__()
            self.patch_embed = nn.Conv2d(3, d, 16, stride=16)
            self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
            self.pos_embed = nn.Parameter(torch.randn(1, 71, d) * 0.02)
            layer = nn.TransformerEncoderLayer(d, heads, ff, dropout=p, activation="gelu", batch_first=True, norm_first=True)
            self.encoder = nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)
            self.norm = nn.LayerNorm(d)
            self.head = nn.Linear(d, 256)

        def tokens(self, img):  # (B, 3, 80, 224) -> (B, 71, d)
            x = self.patch_embed(img).flatten(2).transpose(1, 2)  # (B, 70, d)
            x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1) + self.pos_embed
            return self.norm(self.encoder(x))

        def forward(self, img):
            return self.head(self.tokens(img)[:, 0])

    class Text(nn.Module):
        def __init__(self, d=256, depth=4, heads=4, ff=1024, vocab=30522, tokens=24):
            super().__init__()
            self.token_embed = nn.Embedding(vocab, d)
            self.pos_embed = nn.Parameter(torch.randn(1, tokens, d) * 0.02)
            self.embed_norm = nn.LayerNorm(d)
            layer = nn.TransformerEncoderLayer(d, heads, ff, dropout=p, activation="gelu", batch_first=True, norm_first=True)
            self.encoder = nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)
            self.norm = nn.LayerNorm(d)
            self.head = nn.Linear(d, 256)

        def tokens(self, ids, pad):
            x = self.embed_norm(self.token_embed(ids) + self.pos_embed)
            return self.norm(self.encoder(x, src_key_padding_mask=pad))

        def forward(self, ids, pad):
            return self.head(self.tokens(ids, pad)[:, 0])

    class MiniLm(nn.Module):
        """minilm-clip's text tower: all-MiniLM-L6-v2's BERT (6 x 384, 12 heads, FFN 1536, post-norm, erf-GELU, eps 1e-12,
        word + position + token-type embeddings), attention-mask mean, Linear(384, 256)."""
        def __init__(self):
            super().__init__()
            self.words, self.positions, self.types = nn.Embedding(30522, 384), nn.Embedding(512, 384), nn.Embedding(2, 384)
            self.embed_norm = nn.LayerNorm(384, eps=1e-12)
            self.drop = nn.Dropout(p)
            layer = nn.TransformerEncoderLayer(384, 12, 1536, dropout=p, activation="gelu", batch_first=True, norm_first=False, layer_norm_eps=1e-12)
            self.encoder = nn.TransformerEncoder(layer, 6, enable_nested_tensor=False)
            self.head = nn.Linear(384, 256)

        def forward(self, ids, pad):
            L = ids.shape[1]
            x = self.words(ids) + self.positions(torch.arange(L))[None] + self.types(torch.zeros_like(ids))
            x = self.encoder(self.drop(self.embed_norm(x)), src_key_padding_mask=pad)
            keep = (~pad)[:, :, None].to(x.dtype)
            return self.head((x * keep).sum(1) / keep.sum(1))

    B = args.batch or (32 if args.model == "vit-small" else 64)
    img = torch.randn(B, 3, 80, 224)

    def enc_flops(b, L, d, ff, depth):
        return b * L * depth * (2 * (4 * d * d + 2 * d * ff) + 2 * (2 * L * d))

    def vit_flops(b, d, depth, ff):
        return enc_flops(b, 71, d, ff, depth) + 2 * b * 70 * 768 * d + 2 * b * d * 256

    def clip_step(motion, text, image):
        # a caption batch (lengths 8-24 of 24, pads 0) and the symmetric InfoNCE of the two towers, as mw bench's CLIP step
        logit_scale = nn.Parameter(torch.tensor(float(torch.log(torch.tensor(1 / 0.07)))))
        params = list(motion.parameters()) + list(text.parameters()) + [logit_scale]
        lengths = torch.randint(8, 25, (B,))
        ids = torch.randint(1, 30522, (B, 24))
        pad = torch.arange(24)[None, :] >= lengths[:, None]
        ids[pad] = 0
        target = torch.arange(B)

        def loss_fn():
            m = F.normalize(motion(image), dim=-1)
            t = F.normalize(text(ids, pad), dim=-1)
            logits = logit_scale.exp() * t @ m.t()
            return (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target)) / 2
        return params, loss_fn

    if args.model == "lex-tiny":
        # Lex lexical heads, the natural PyTorch way (SPLADE): full (B, L, V) MLM logits, masked max over tokens,
        # log1p(relu), L2-normalise; InfoNCE at tau 0.05 + 0.002 FLOPS on each side
        vit, text = Vit(192, 12, 3, 768), Text()
        m_tr, m_ln = nn.Linear(192, 256), nn.LayerNorm(256)
        t_tr, t_ln = nn.Linear(256, 256), nn.LayerNorm(256)
        m_vocab = nn.Parameter(text.token_embed.weight.detach().clone())
        m_bias, t_bias = nn.Parameter(torch.zeros(30522)), nn.Parameter(torch.zeros(30522))
        params = list(vit.parameters()) + list(text.parameters()) + list(m_tr.parameters()) + list(m_ln.parameters()) \
            + list(t_tr.parameters()) + list(t_ln.parameters()) + [m_vocab, m_bias, t_bias]
        lengths = torch.randint(8, 25, (B,))
        ids = torch.randint(1, 30522, (B, 24))
        pad = torch.arange(24)[None, :] >= lengths[:, None]
        ids[pad] = 0
        target = torch.arange(B)

        def lexical(h, weight, bias, pad_mask=None):
            logits = h @ weight.t() + bias  # (B, L, V) materialised
            if pad_mask is not None:
                logits = logits.masked_fill(pad_mask[:, :, None], float("-inf"))
            return F.normalize(torch.log1p(torch.relu(logits.max(dim=1).values)), dim=-1)

        def flops_reg(w):
            return (w.abs().mean(0) ** 2).sum()

        def loss_fn():
            m = lexical(m_ln(F.gelu(m_tr(vit.tokens(img)))), m_vocab, m_bias)
            t = lexical(t_ln(F.gelu(t_tr(text.tokens(ids, pad)))), text.token_embed.weight, t_bias, pad)
            logits = t @ m.t() / 0.05
            nce = (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target)) / 2
            return nce + 0.002 * (flops_reg(m) + flops_reg(t))

        flops = 3 * (vit_flops(B, 192, 12, 768) + enc_flops(B, 24, 256, 1024, 4)
                     + 2 * B * (71 * 192 + 24 * 256) * 256 + 2 * B * (71 + 24) * 256 * 30522)
        modules = [vit, text, m_tr, m_ln, t_tr, t_ln]
    elif args.model == "resnet18-clip":
        # torchvision's resnet18 (stages [2, 2, 2, 2], BatchNorm in training mode) over (B, 3, 224, 80) motion-patch images,
        # its fc replaced by Linear(512, 256), + the 4-layer BERT-256 text tower; dropout only in the text tower (ResNet has none)
        import torchvision
        resnet = torchvision.models.resnet18()
        resnet.fc = nn.Linear(512, 256)
        text = Text()
        params, loss_fn = clip_step(resnet, text, torch.randn(B, 3, 224, 80))

        def resnet_flops(b, H, W):
            # 2 x multiply-adds of every conv (stem, blocks, 1x1/2 shortcuts) and the fc, as mw bench counts them
            def out(n, k, s, p):
                return (n + 2 * p - k) // s + 1
            total, h, w = 0, out(H, 7, 2, 3), out(W, 7, 2, 3)
            total += 64 * 3 * 49 * h * w
            h, w = out(h, 3, 2, 1), out(w, 3, 2, 1)
            c = 64
            for stage, width in enumerate([64, 128, 256, 512]):
                for block in range(2):
                    s = 2 if stage > 0 and block == 0 else 1
                    h2, w2 = out(h, 3, s, 1), out(w, 3, s, 1)
                    total += width * c * 9 * h2 * w2 + width * width * 9 * h2 * w2
                    if s != 1 or c != width:
                        total += width * c * h2 * w2
                    h, w, c = h2, w2, width
            return 2 * b * (total + 512 * 256)

        flops = 3 * (resnet_flops(B, 224, 80) + enc_flops(B, 24, 256, 1024, 4) + 2 * B * 256 * 256 + 2 * B * B * 256)
        modules = [resnet, text]
    elif args.model in ("clip-tiny", "minilm-clip"):
        vit, text = Vit(192, 12, 3, 768), (Text() if args.model == "clip-tiny" else MiniLm())
        params, loss_fn = clip_step(vit, text, img)

        flops = 3 * (vit_flops(B, 192, 12, 768) + (enc_flops(B, 24, 256, 1024, 4) + 2 * B * 256 * 256 if args.model == "clip-tiny"
                                                   else enc_flops(B, 24, 384, 1536, 6) + 2 * B * 384 * 256) + 2 * B * B * 256)
        modules = [vit, text]
    else:
        d, depth, heads, ff = (192, 12, 3, 768) if args.model == "vit-tiny" else (384, 12, 6, 1536)
        vit = Vit(d, depth, heads, ff)
        params = list(vit.parameters())
        y = torch.randn(B, 256)

        def loss_fn():
            return F.mse_loss(vit(img), y)

        flops = 3 * vit_flops(B, d, depth, ff)
        modules = [vit]
    for m in modules:
        m.train()
    opt = torch.optim.Adam(params, lr=1e-4)
    times, quiet, cpu = [], [], []
    for s in range(args.warmup + args.steps):
        b0, t0, o0 = *proc_stat(), own_ticks()
        start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn()
        loss.backward()
        opt.step()
        elapsed = (time.perf_counter() - start) * 1000
        b1, t1, o1 = *proc_stat(), own_ticks()
        others = max(0.0, (b1 - b0) - (o1 - o0)) / (t1 - t0) if t1 > t0 else 0.0
        print(f"  {args.model} step {s + 1}/{args.warmup + args.steps}: {elapsed:.0f} ms" + (" (warm-up)" if s < args.warmup else "") + (f" contended {others:.0%}" if others >= 0.05 else ""), file=sys.stderr)
        if s < args.warmup:
            continue
        times.append(elapsed)
        cpu.append((o1 - o0) * 1000.0 / os.sysconf("SC_CLK_TCK"))
        if others < 0.05:
            quiet.append(elapsed)
    basis = sorted(quiet or times)
    n = len(basis)
    median = basis[n // 2] if n % 2 else (basis[n // 2 - 1] + basis[n // 2]) / 2
    print(json.dumps({
        "model": args.model, "batch": B, "dropout": p, "threads": args.threads, "steps": args.steps, "quiet_steps": len(quiet),
        "ms_per_step": round(median, 1), "ms_min": round(basis[0], 1), "ms_max": round(basis[-1], 1),
        "samples_per_s": round(B / (median / 1000), 2), "gflop_per_step": round(flops / 1e9, 2),
        "gflops": round(flops / 1e9 / (median / 1000), 1),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "loss": float(loss),
        "cpu_ms_per_step": round(sorted(cpu)[len(cpu) // 2]),
        "engine": f"torch {torch.__version__} (tuned env)",
    }), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="all", choices=MODELS + ["all"])
    ap.add_argument("--batch", type=int, default=None)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--threads", default=str(len(os.sched_getaffinity(0))),
                    help="a thread count or a comma-separated list (e.g. 1,2,4,8,16)")
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--warmup", type=int, default=2)
    args = ap.parse_args()
    try:
        counts = sorted(set(int(x) for x in str(args.threads).split(",")))
    except ValueError:
        ap.error(f"--threads: '{args.threads}' is not a thread count or a comma-separated list of them (e.g. 1,2,4,8)")
    if not counts or min(counts) < 1 or max(counts) > 1024:
        ap.error(f"--threads: each count must be a whole number from 1 to 1024, got '{args.threads}'")
    if args.model == "all" or len(counts) > 1 or os.environ.get("MW_BENCH_TUNED") != "1":
        # one tuned process per model and thread count (the env must be set before torch/OpenMP/glibc start)
        for m in (MODELS if args.model == "all" else [args.model]):
            rows = []
            for t in counts:
                cmd = [sys.executable, os.path.abspath(__file__), "--model", m, "--dropout", str(args.dropout), "--threads", str(t),
                       "--steps", str(args.steps), "--warmup", str(args.warmup)] + (["--batch", str(args.batch)] if args.batch else [])
                child = subprocess.run(cmd, env=tuned_env(t), stdout=subprocess.PIPE, text=True)
                if child.returncode != 0:
                    sys.stdout.write(child.stdout)
                    return child.returncode
                result = json.loads(child.stdout.strip().splitlines()[-1])
                if len(counts) > 1:
                    t0, rate0 = (rows[0]["threads"], rows[0]["samples_per_s"]) if rows else (t, result["samples_per_s"])
                    speedup = result["samples_per_s"] / rate0 if rate0 > 0 else 0.0
                    result.update({"speedup": round(speedup, 3), "efficiency": round(speedup * t0 / t, 3), "efficiency_base_threads": t0})
                rows.append(result)
                print(json.dumps(result), flush=True)
            if len(rows) > 1:
                print(f"scaling {m} (torch, tuned env; against {rows[0]['threads']} thread(s)):", file=sys.stderr)
                print("  threads  samples/s  speed-up  efficiency  quiet steps", file=sys.stderr)
                for r in rows:
                    print(f"  {r['threads']:7d}  {r['samples_per_s']:9.2f}  {r['speedup']:7.2f}x  {r['efficiency']:10.2f}  {r['quiet_steps']:5d}/{r['steps']}", file=sys.stderr)
        return 0
    args.threads = counts[0]
    run_one(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
