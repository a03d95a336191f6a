#!/usr/bin/env python3
"""Reference scores for MotionWorkbench.Evaluation.Captioning, written from the published formulas (no captioning
library is used or copied):

  BLEU (Papineni et al., ACL 2002): modified n-gram precision p_n = sum over the corpus of the candidate n-gram counts,
    each clipped by its largest count in one reference of that candidate, over the number of candidate n-grams;
    BLEU-N = BP * exp(sum_{n<=N} log(p_n) / N); BP = exp(1 - r/c) if c < r, with c the total candidate length and r
    the effective reference length. Corpus conventions of the COCO caption evaluation: r sums, per candidate, the
    reference length closest to the candidate's length (the shorter one on a tie); p_n = (m_n + 1e-15) / (g_n + 1e-9)
    and c/r = (c + 1e-15) / (r + 1e-9), so an order with no candidate n-gram is near 0 rather than undefined.
  ROUGE-L (Lin, 2004): LCS-based P = LCS/|c|, R = LCS/|r|; with several references the COCO evaluation takes the best
    P and the best R over the references separately, then F = (1 + b^2) P R / (R + b^2 P), b = 1.2 (0 when P or R is 0),
    averaged over candidates. As in the COCO code, a caption without tokens counts as one empty token.
  CIDEr-D (Vedantam et al., CVPR 2015): for n = 1..4, each caption is a TF-IDF vector g^n over n-grams with
    tf = the raw n-gram count (the COCO code's choice: the paper's division by the caption's n-gram total cancels in
    the cosine, not in the clip) and idf = log(|I| / max(1, df)), df = the number of reference sets (images/motions)
    whose references contain the n-gram, |I| = the number of reference sets;
    CIDEr-D_n(c, S) = 10/m * sum_j exp(-(l(c) - l(s_j))^2 / (2 sigma^2)) * sum_g min(g^n_c, g^n_sj) g^n_sj / (|g^n_c| |g^n_sj|),
    sigma = 6, l = caption length in words, m = |S| (0 where a norm is 0); CIDEr-D = mean over n; the corpus score is the
    mean over candidates.

Captions here are already tokenised (lower case, no punctuation): the scores are those of whitespace-split tokens.
Values are written on the scales of the COCO code (BLEU, ROUGE-L in 0..1; CIDEr-D in 0..10); the C# API prints x100.

Run from the repository root with the system Python:
  /usr/bin/python3 environment/reference/caption_metrics_reference.py > tests/MotionWorkbench.Evaluation.Tests/Fixtures/caption_metrics_reference.json
"""
import json
import math
import random
import sys
from collections import Counter

import numpy as np

SEED = 20261203
BETA = 1.2
SIGMA = 6.0
ORDERS = 4


def grams(tokens, n):
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def bleu(cands, refsets, max_n=ORDERS):
    matched = np.zeros(max_n)
    total = np.zeros(max_n)
    c_len = 0
    r_len = 0
    for cand, refs in zip(cands, refsets):
        c_len += len(cand)
        lengths = sorted(len(r) for r in refs)
        r_len += min(lengths, key=lambda l: (abs(l - len(cand)), l))
        for n in range(1, max_n + 1):
            cg = grams(cand, n)
            best = Counter()
            for r in refs:
                best |= grams(r, n)  # Counter union = element-wise max
            matched[n - 1] += sum(min(k, best[g]) for g, k in cg.items())
            total[n - 1] += max(0, len(cand) - n + 1)
    p = (matched + 1e-15) / (total + 1e-9)
    ratio = (c_len + 1e-15) / (r_len + 1e-9)
    bp = math.exp(1.0 - 1.0 / ratio) if ratio < 1 else 1.0
    return [bp * math.exp(np.log(p[:n]).sum() / n) for n in range(1, max_n + 1)]


def lcs(a, b):
    table = np.zeros((len(a) + 1, len(b) + 1), dtype=np.int64)
    for i, x in enumerate(a, 1):
        for j, y in enumerate(b, 1):
            table[i, j] = table[i - 1, j - 1] + 1 if x == y else max(table[i - 1, j], table[i, j - 1])
    return int(table[len(a), len(b)])


def rouge_l_one(cand, refs):
    c = cand if cand else [""]
    precisions, recalls = [], []
    for ref in refs:
        r = ref if ref else [""]
        m = lcs(c, r)
        precisions.append(m / len(c))
        recalls.append(m / len(r))
    p, r = max(precisions), max(recalls)
    if p == 0 or r == 0:
        return 0.0
    return (1 + BETA ** 2) * p * r / (r + BETA ** 2 * p)


def cider_d_each(cands, refsets):
    n_sets = len(refsets)
    vocab = {}
    df = Counter()
    for refs in refsets:
        present = set()
        for r in refs:
            for n in range(1, ORDERS + 1):
                present.update(grams(r, n))
        df.update(present)
    for cand, refs in zip(cands, refsets):
        for t in [cand] + list(refs):
            for n in range(1, ORDERS + 1):
                for g in grams(t, n):
                    vocab.setdefault(g, len(vocab))
    idf = np.zeros(len(vocab))
    order = np.zeros(len(vocab), dtype=np.int64)
    for g, k in vocab.items():
        idf[k] = math.log(n_sets / max(1.0, df[g]))
        order[k] = len(g)

    def vec(tokens):
        v = np.zeros(len(vocab))
        for n in range(1, ORDERS + 1):
            for g, k in grams(tokens, n).items():
                v[vocab[g]] = k
        return v * idf

    scores = []
    for cand, refs in zip(cands, refsets):
        vc = vec(cand)
        total = np.zeros(ORDERS)
        for r in refs:
            vr = vec(r)
            penalty = math.exp(-((len(cand) - len(r)) ** 2) / (2 * SIGMA ** 2))
            for n in range(1, ORDERS + 1):
                mask = order == n
                a, b = vc[mask], vr[mask]
                na, nb = np.linalg.norm(a), np.linalg.norm(b)
                num = float(np.minimum(a, b) @ b)
                total[n - 1] += penalty * (num / (na * nb) if na > 0 and nb > 0 else num)
        scores.append(10.0 * total.mean() / len(refs))
    return scores


WORDS = ("a person walks forward slowly then turns left right around and sits down stands up jumps raises arm hand "
         "waves kicks with the leg foot steps back circle runs quickly stops bends over picks something").split()


def random_caption(rng, lo=3, hi=14):
    return [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]


def perturb(rng, tokens):
    t = list(tokens)
    for _ in range(rng.randint(0, 3)):
        op = rng.randrange(3)
        if op == 0 and t:
            del t[rng.randrange(len(t))]
        elif op == 1:
            t.insert(rng.randint(0, len(t)), rng.choice(WORDS))
        elif t:
            t[rng.randrange(len(t))] = rng.choice(WORDS)
    return t


def random_case(rng, name):
    n = rng.randint(1, 12)
    cands, refsets = [], []
    for _ in range(n):
        base = random_caption(rng)
        refs = [perturb(rng, base) for _ in range(rng.randint(1, 4))]
        refs = [r if r else ["walks"] for r in refs]
        kind = rng.random()
        cand = perturb(rng, base) if kind < 0.6 else random_caption(rng, 1, 16) if kind < 0.9 else list(rng.choice(refs))
        cands.append(cand)
        refsets.append(refs)
    return name, cands, refsets


def split(s):
    return s.split()


def fixed_cases():
    c = []
    c.append(("identical", [split("a person walks forward"), split("a man jumps up and down")],
              [[split("a person walks forward")], [split("a man jumps up and down")]]))
    c.append(("empty candidate", [[], split("a person walks")], [[split("a person walks forward")], [split("a person walks")]]))
    c.append(("all empty candidates", [[], []], [[split("someone runs")], [split("a person sits down")]]))
    c.append(("one word", [split("walks")], [[split("a person walks"), split("walks")]]))
    c.append(("one reference set", [split("a person walks forward slowly")], [[split("a person walks forward"), split("the person walks slowly")]]))
    c.append(("repeated words clipped", [split("the the the the the the the")], [[split("the cat is on the mat")], ]))
    c.append(("repeated words clipped, two sets", [split("the the the the the the the"), split("a person walks")],
              [[split("the cat is on the mat"), split("there is a cat on the mat")], [split("a person walks forward")]]))
    c.append(("longer than references", [split("a person walks forward and then turns around and walks back again")],
              [[split("a person walks forward"), split("someone walks and turns")]]))
    c.append(("closest length tie", [split("a b c d e")], [[split("a b c d"), split("a b c d e f")]]))
    c.append(("no overlap", [split("jumps high"), split("sits down")], [[split("a person walks forward")], [split("someone runs quickly")]]))
    c.append(("empty reference", [split("a person walks"), []], [[split("a person walks"), []], [[] , split("walks")]]))
    c.append(("word order", [split("forward walks person a")], [[split("a person walks forward")]]))
    return c


def main():
    rng = random.Random(SEED)
    cases = fixed_cases()
    while len(cases) < 32:
        cases.append(random_case(rng, f"random {len(cases)}"))
    out = []
    for name, cands, refsets in cases:
        out.append({
            "name": name,
            "candidates": [" ".join(t) for t in cands],
            "references": [[" ".join(r) for r in refs] for refs in refsets],
            "bleu": bleu(cands, refsets),
            "rouge_l": float(np.mean([rouge_l_one(c, r) for c, r in zip(cands, refsets)])),
            "rouge_l_each": [rouge_l_one(c, r) for c, r in zip(cands, refsets)],
            "cider_d": float(np.mean(cider_d_each(cands, refsets))),
            "cider_d_each": cider_d_each(cands, refsets),
        })
    json.dump({
        "generator": "environment/reference/caption_metrics_reference.py",
        "scale": "BLEU and ROUGE-L in 0..1, CIDEr-D in 0..10 (the COCO code's scales); captions are whitespace tokens",
        "cases": out,
    }, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
