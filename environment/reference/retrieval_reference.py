#!/usr/bin/env python3
"""Reference numbers for MotionWorkbench.Evaluation, mirroring the logic of the reference evaluation code with numpy:
Motion Patches scripts/test.py ("all": np.argsort(100 * S row)[::-1], rank = min position over identical captions),
scripts/test_batch.py ("small batches", here with the order np.random.seed(seed); np.random.permutation(N)),
and TMR src/model/metrics.py + retrieval.py ("normal": diagonal GT, ties averaged, rounded to 2 decimals; "guo":
sorted keyids, np.random.seed(0); np.random.shuffle, batches of 32, mean over batches rounded to 2 decimals).
Also raw MT19937 draws, legacy permutations, np.argsort tie orders, Python round() and np.mean cases.

Run from the repository root with the system Python and numpy (Debian python3-numpy):
  /usr/bin/python3 environment/reference/retrieval_reference.py > tests/MotionWorkbench.Evaluation.Tests/Fixtures/retrieval_reference.json
"""
import json
import sys

import numpy as np

SEED = 20241122
KS = [1, 2, 3, 5, 10]


def short32(x):
    """The shortest decimal that reads back as this float32 (C# reads it with JsonElement.GetSingle)."""
    return float(np.format_float_positional(np.float32(x), unique=True))


def mp_ranks(sims, captions):
    """Motion Patches: positives are identical captions; rank = min position in argsort(score)[::-1]."""
    captions = np.array(captions)
    pairs = {i: np.where(captions == c)[0] for i, c in enumerate(captions)}
    ranks = np.zeros(sims.shape[0])
    for index, score in enumerate(sims):
        inds = np.argsort(score)[::-1]
        rank = 1e20
        for i in pairs[index]:
            tmp = np.where(inds == i)[0][0]
            if tmp < rank:
                rank = tmp
        ranks[index] = rank
    return ranks


def mp_metrics(ranks):
    return [100.0 * len(np.where(ranks < k)[0]) / len(ranks) for k in KS] + [float(np.median(ranks) + 1)]


def mp_all(sims, captions):
    s = 100 * sims  # float32, as 100 * features.dot(features.T) in the reference
    return mp_metrics(mp_ranks(s, captions)), mp_metrics(mp_ranks(s.T, captions))


def mp_small_batches(sims, captions, seed, batch_size=32):
    np.random.seed(seed)
    order = np.random.permutation(len(captions))
    captions = np.array(captions)
    num_batch = len(order) // batch_size
    t2m, m2t = [0] * 6, [0] * 6
    for b in range(num_batch):
        items = order[batch_size * b: batch_size * (b + 1)]
        s = 100 * sims[np.ix_(items, items)]
        caps = captions[items]
        a, c = mp_metrics(mp_ranks(s, caps)), mp_metrics(mp_ranks(s.T, caps))
        for j in range(6):
            t2m[j] += a[j]
            m2t[j] += c[j]
    return [x / num_batch for x in t2m], [x / num_batch for x in m2t]


def tmr_cols(sims):
    dists = -sims
    sorted_dists = np.sort(dists, axis=1)
    gt = np.diag(dists)[:, None]
    rows, cols = np.where((sorted_dists - gt) == 0)
    if rows.size > sims.shape[0]:
        locs = np.argwhere((sorted_dists - gt) == 0)
        splits = np.insert(np.nonzero(np.diff(locs[:, 0]))[0] + 1, 0, 0)
        summed = np.add.reduceat(locs[:, 1], splits)
        counts = np.diff(np.append(splits, locs.shape[0]))
        cols = summed / counts
    return cols


def tmr_metrics(cols, rounding):
    m = [100 * float(np.sum(cols < k)) / len(cols) for k in KS] + [float(np.median(cols) + 1)]
    return [round(x, rounding) for x in m] if rounding is not None else m


def tmr_normal(sims):
    return tmr_metrics(tmr_cols(sims), 2), tmr_metrics(tmr_cols(sims.T), 2)


def tmr_guo(sims, keyids):
    order_sorted = sorted(range(len(keyids)), key=lambda i: keyids[i])
    n = len(keyids)
    idx = np.arange(n)
    np.random.seed(0)
    np.random.shuffle(idx)
    batches = [idx[32 * i: 32 * (i + 1)] for i in range(n // 32)]
    t2m, m2t = [], []
    for batch in batches:
        items = [order_sorted[p] for p in batch]
        s = sims[np.ix_(items, items)]
        t2m.append(tmr_metrics(tmr_cols(s), None))
        m2t.append(tmr_metrics(tmr_cols(s.T), None))
    avg = lambda per: [round(float(np.mean([m[k] for m in per])), 2) for k in range(6)]
    return avg(t2m), avg(m2t)


def case(name, sims, captions, keyids, seed):
    doc = {"name": name, "n": int(sims.shape[0]), "sims": [short32(x) for x in sims.ravel()], "captions": captions,
           "keyids": keyids, "small_batch_seed": seed}
    a = mp_all(sims, captions)
    doc["all"] = {"t2m": a[0], "m2t": a[1]}
    if sims.shape[0] >= 32:
        b = mp_small_batches(sims, captions, seed)
        doc["small_batches"] = {"t2m": b[0], "m2t": b[1]}
        g = tmr_guo(sims, keyids)
        doc["tmr_guo"] = {"t2m": g[0], "m2t": g[1]}
    t = tmr_normal(sims)
    doc["tmr_normal"] = {"t2m": t[0], "m2t": t[1]}
    return doc


def main():
    rng = np.random.default_rng(SEED)
    cases = []
    # 1. Heavy ties: similarities on a grid of 17 levels, captions from a pool of 12 (many duplicates).
    n = 40
    sims = (np.round(rng.uniform(-1, 1, (n, n)) * 8) / 8).astype(np.float32)
    caps = [f"a person does move {int(k)}" for k in rng.integers(0, 12, n)]
    cases.append(case("grid-ties", sims, caps, [f"{i:05d}" for i in range(n)], 0))
    # 2. Near-ties that the x100 in float32 merges: values within a few ulps of 0.5.
    base = np.float32(0.5)
    steps = rng.integers(0, 6, (n, n))
    sims = (base + steps.astype(np.float32) * np.float32(6e-8)).astype(np.float32)
    caps = [f"caption {int(k)}" for k in rng.integers(0, 30, n)]
    cases.append(case("ulp-ties", sims, caps, [f"k{i}" for i in range(n)], 0))
    # 3. A collapsed model: every similarity equal, so every rank comes from numpy's tie order.
    sims = np.full((n, n), 0.25, dtype=np.float32)
    caps = [f"same {int(k)}" for k in rng.integers(0, 10, n)]
    cases.append(case("collapsed", sims, caps, [f"{i:03d}" for i in range(n)], 3))
    # 4. Batches: 70 items (two groups of 32, remainder 6 dropped), realistic scores with a diagonal signal,
    #    some exact duplicate captions and a few tied entries; keyids unsorted with mirrors.
    n = 70
    t = rng.normal(size=(n, 16)).astype(np.float32)
    m = (t + 1.2 * rng.normal(size=(n, 16))).astype(np.float32)
    t /= np.linalg.norm(t, axis=1, keepdims=True)
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    sims = (t @ m.T).astype(np.float32)
    sims[3, 5] = sims[3, 3]
    sims[10, :4] = sims[10, 10]
    caps = [f"motion {int(k)}" for k in rng.integers(0, 45, n)]
    keyids = [("M" if i % 2 else "") + f"{int(k):06d}" for i, k in enumerate(rng.permutation(n))]
    cases.append(case("batches", sims, caps, keyids, 7))

    np.random.seed(0)
    perm4384 = np.random.permutation(4384)
    np.random.seed(5)
    perm100 = np.random.permutation(100)
    argsort_rows = []
    for length in (10, 17, 40, 300):
        row = (np.round(rng.uniform(0, 1, length) * 5) / 5).astype(np.float32)
        argsort_rows.append({"values": [short32(x) for x in row], "argsort": [int(i) for i in np.argsort(row)],
                             "heapsort": [int(i) for i in np.argsort(row, kind="heapsort")]})
    round_in = [2.675, 0.125, 0.375, 1.005, 12.345, 50.0, 100 / 3, 200 / 3, 2.5, 0.0, 99.995, 1e-9, 66.665, 3.14159]
    means = [rng.uniform(0, 100, k).round(6).tolist() for k in (5, 8, 31, 137, 300)]
    doc = {
        "generator": "environment/reference/retrieval_reference.py",
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "seed": SEED,
        "format_version": 1,
        "cases": cases,
        "permutation_seed0_n4384_head": [int(x) for x in perm4384[:64]],
        "permutation_seed0_n4384_sum_of_i_times_p": int(np.sum(np.arange(4384, dtype=np.int64) * perm4384)),
        "permutation_seed5_n100": [int(x) for x in perm100],
        "argsort": argsort_rows,
        "round2": [{"x": x, "rounded": round(x, 2)} for x in round_in],
        "mean": [{"values": v, "mean": float(np.mean(v))} for v in means],
    }
    json.dump(doc, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
