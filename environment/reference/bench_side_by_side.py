#!/usr/bin/env python3
"""Own engine against the PyTorch peer, measured side by side: interleaved rounds of `environment/mw bench --json` and
`bench_torch.py`, one after the other in each round, so that both see the same machine load. Prints one markdown table
(samples/s per round, own / PyTorch per round and on the means, peak RSS) and, with --json, the raw results.

    /usr/bin/python3 environment/reference/bench_side_by_side.py --model resnet18-clip --rounds 4 --steps 6 --threads 2
    ... --before ../other-checkout      # also an older checkout's own engine, in the same rounds ("before" / "after")

Speed figures are never asserted by tests; this is how the README's side-by-side tables are measured. Pause other jobs on
the machine first (a busy host moves a single round by 10-20 %), and read the per-round spread, not one round.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def last_json(command, cwd):
    """Runs command in cwd and returns the JSON object on its last stdout line (an error names the command)."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    lines = [l for l in done.stdout.splitlines() if l.strip().startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        sys.exit(f"bench_side_by_side: '{' '.join(command)}' in {cwd} failed (exit {done.returncode}): {' / '.join(tail)}")
    return json.loads(lines[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="resnet18-clip")
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--before", help="another checkout of the workbench whose own engine runs too, labelled 'before'")
    p.add_argument("--json", action="store_true", help="also print every run's JSON")
    a = p.parse_args()
    if a.rounds < 1 or a.steps < 1 or a.threads < 1:
        sys.exit("bench_side_by_side: --rounds, --steps and --threads must be at least 1")
    if a.before and not os.path.isfile(os.path.join(a.before, "environment", "mw")):
        sys.exit(f"bench_side_by_side: --before {a.before} is not a workbench checkout (no environment/mw)")

    mw = ["environment/mw", "bench", "--model", a.model, "--steps", str(a.steps), "--threads", str(a.threads), "--json"]
    torch = [sys.executable, os.path.join(HERE, "bench_torch.py"), "--model", a.model, "--steps", str(a.steps), "--threads", str(a.threads)]
    runs = [("before", mw, os.path.abspath(a.before))] if a.before else []
    runs += [("own", mw, ROOT), ("PyTorch", torch, ROOT)]
    results = {label: [] for label, _, _ in runs}
    for r in range(a.rounds):
        for label, command, cwd in runs:
            d = last_json(command, cwd)
            results[label].append(d)
            print(f"round {r + 1} {label}: {d.get('samples_per_s')} samples/s, peak RSS {d.get('peak_rss_mib')} MiB", file=sys.stderr, flush=True)

    def sps(label):
        return [d["samples_per_s"] for d in results[label]]

    head = f"| {a.model}, b{results['own'][0].get('batch', '?')}, {a.threads} threads | " + " | ".join(f"round {i + 1}" for i in range(a.rounds)) + " | mean | peak RSS MiB |"
    print(head)
    print("|---" * (a.rounds + 3) + "|")
    for label, _, _ in runs:
        rss = [d.get("peak_rss_mib") for d in results[label]]
        print(f"| {label} | " + " | ".join(f"{v:.2f}" for v in sps(label)) + f" | {statistics.mean(sps(label)):.2f} | {min(rss)}-{max(rss)} |")
    ratios = [o / t for o, t in zip(sps("own"), sps("PyTorch"))]
    rss_ratio = statistics.mean(d["peak_rss_mib"] for d in results["own"]) / statistics.mean(d["peak_rss_mib"] for d in results["PyTorch"])
    print("| own / PyTorch | " + " | ".join(f"{x:.2f}x" for x in ratios) + f" | {statistics.mean(sps('own')) / statistics.mean(sps('PyTorch')):.2f}x | {rss_ratio:.2f}x |")
    if a.json:
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
