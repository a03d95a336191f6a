#!/usr/bin/env python3
"""Reference numbers for TMR's "threshold" protocol (MotionWorkbench.Evaluation RetrievalProtocols.EvaluateTmrThreshold),
mirroring the logic of TMR src/model/metrics.py (contrastive_metrics with text_selfsim and threshold 0.95) with numpy:
text_selfsim = E @ E.T (float32); items j with selfsim[i, j] > 2 * 0.95 - 1 count for query i; the ground-truth distance
of row i is the smallest -sim over them; the rank is the mean position of the entries of the sorted row equal to it
(ties averaged); R@k = 100 * #(rank < k) / n, MedR = median + 1, rounded to 2 decimals; motion->text uses sims.T with the
same text_selfsim.

Run from the repository root with the system Python and numpy (Debian python3-numpy):
  /usr/bin/python3 environment/reference/threshold_reference.py > tests/MotionWorkbench.Evaluation.Tests/Fixtures/threshold_reference.json
"""
import json
import sys

import numpy as np

SEED = 20261206
KS = [1, 2, 3, 5, 10]


def short32(x):
    """The shortest decimal that reads back as this float32 (C# reads it with JsonElement.GetSingle)."""
    return float(np.format_float_positional(np.float32(x), unique=True))


def threshold_cols(sims, selfsim, threshold):
    dists = -sims
    sorted_dists = np.sort(dists, axis=1)
    real = 2 * threshold - 1
    gt = np.array([dists[i][selfsim[i] > real].min() for i in range(sims.shape[0])])[:, None]
    cols = np.empty(sims.shape[0])
    for i in range(sims.shape[0]):
        where = np.nonzero(sorted_dists[i] - gt[i] == 0)[0]
        cols[i] = where.mean()
    return cols


def metrics(cols):
    m = [100 * float(np.sum(cols < k)) / len(cols) for k in KS] + [float(np.median(cols) + 1)]
    return [round(x, 2) for x in m]


def case(name, sims, emb, threshold=0.95):
    selfsim = (emb @ emb.T).astype(np.float32)
    similar = [int((selfsim[i] > 2 * threshold - 1).sum()) for i in range(len(emb))]
    return {"name": name, "n": int(sims.shape[0]), "dim": int(emb.shape[1]),
            "sims": [short32(x) for x in sims.ravel()], "embeddings": [short32(x) for x in emb.ravel()],
            "similar_counts": similar,
            "t2m": metrics(threshold_cols(sims, selfsim, threshold)), "m2t": metrics(threshold_cols(sims.T, selfsim, threshold))}


def unit(x):
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def main():
    rng = np.random.default_rng(SEED)
    cases = []
    # 1. 48 items whose captions form 12 families of near-paraphrases (cosine > 0.9 inside a family, well below across),
    #    motions a noisy copy of their text.
    n, d = 48, 24
    family = rng.integers(0, 12, n)
    centres = unit(rng.normal(size=(12, d)))
    emb = unit(centres[family] + 0.045 * rng.normal(size=(n, d)))
    t = unit(rng.normal(size=(n, 16)))
    m = unit(t + 1.1 * rng.normal(size=(n, 16)))
    cases.append(case("families", (t @ m.T).astype(np.float32), emb))
    # 2. Grid similarities (many ties) and sentence embeddings with exact duplicates: ties around the best similar item.
    n = 40
    sims = (np.round(rng.uniform(-1, 1, (n, n)) * 6) / 6).astype(np.float32)
    base = unit(rng.normal(size=(10, d)))
    emb = base[rng.integers(0, 10, n)]
    cases.append(case("grid-duplicates", sims, emb))
    # 3. No caption similar to another: the protocol is TMR "normal".
    n = 36
    emb = unit(rng.normal(size=(n, 64)))
    t = unit(rng.normal(size=(n, 16)))
    m = unit(t + 0.9 * rng.normal(size=(n, 16)))
    cases.append(case("distinct", (t @ m.T).astype(np.float32), emb))
    doc = {"generator": "environment/reference/threshold_reference.py", "numpy": np.__version__, "python": sys.version.split()[0],
           "seed": SEED, "format_version": 1, "threshold": 0.95, "cases": cases}
    json.dump(doc, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
