#!/usr/bin/env python3
"""Writes patch_fixture.json: motion patches built the way line/MotionPatches datasets/dataset.py builds them
(reference-facts section 1), with numpy and OpenCV, for MotionWorkbench.Patches.Tests/ReferenceFixtureTests.cs.

Pipeline per motion (float32 throughout, as the reference):
  KIT only: re-time 12.5 -> 20 fps with the block rule of facts 1.5 (our own implementation of the rule);
  statistics: Mean / population Std over all frames (np.mean / np.std on the concatenated float32 frames);
  z-score: (motion - Mean) / Std;
  per body part: cv2.resize(z[:, chain, :], (N, T), interpolation=cv2.INTER_LINEAR)  -> (T, N, 3);
  concatenate the five parts along the width -> (T, 5N, 3) -> transpose to (3, T, 5N).
Only the motion frames are stored (padding is zeros and is checked separately).

Run with Debian's python3-opencv (OpenCV 4.6) and python3-numpy:  /usr/bin/python3 make_patch_fixture.py
Never run by tests or CI; the tests only read the JSON.
"""
import json
import math

import cv2
import numpy as np

SMPL_CHAINS = [[0, 2, 5, 8, 11], [0, 1, 4, 7, 10], [0, 3, 6, 9, 12, 15], [9, 14, 17, 19, 21], [9, 13, 16, 18, 20]]
KIT_CHAINS = [[0, 11, 12, 13, 14, 15], [0, 16, 17, 18, 19, 20], [0, 1, 2, 3, 4], [3, 5, 6, 7], [3, 8, 9, 10]]


def retime(frames, orig_fps, out_fps):
    """Source indices of the block re-timing (facts 1.5), for int(orig) % int(out) != 0."""
    orig_i, out_i = int(orig_fps), int(out_fps)
    assert orig_i % out_i != 0
    sel = np.floor(orig_fps / out_fps * np.arange(out_i)).astype(int)
    idx = []
    blocks = frames // orig_i
    for i in range(blocks):
        idx += list(i * orig_i + sel)
    if frames % orig_i:
        last = blocks * orig_i
        idx += [int(s) + last for s in sel if s + last < frames]
    return np.array(idx, dtype=int)


def motion(rng, frames, joints):
    base = rng.uniform(-0.5, 1.5, size=(1, joints, 3)).astype(np.float32)
    steps = rng.normal(0, 0.05, size=(frames, joints, 3)).astype(np.float32)
    return (base + np.cumsum(steps, axis=0)).astype(np.float32)


def patches(z, chains, N):
    T = z.shape[0]
    parts = [cv2.resize(np.ascontiguousarray(z[:, chain, :]), (N, T), interpolation=cv2.INTER_LINEAR) for chain in chains]
    img = np.concatenate(parts, axis=1)            # (T, 5N, 3)
    return np.transpose(img, (2, 0, 1)).copy()     # (3, T, 5N)


def case(name, rng, frames, joints, chains, fps, sizes):
    clips = [motion(rng, frames, joints), motion(rng, frames + 3, joints)]
    allframes = np.concatenate(clips, axis=0)
    mean = allframes.mean(axis=0)
    std = allframes.std(axis=0)
    m = clips[0]
    if fps != 20.0:
        m = m[retime(m.shape[0], fps, 20.0)]
    z = (m - mean) / std
    out = {"name": name, "fps": fps, "joints": joints,
           "motions": [c.reshape(-1).tolist() for c in clips], "frames": [c.shape[0] for c in clips],
           "mean": mean.reshape(-1).tolist(), "std": std.reshape(-1).tolist(),
           "retimed_frames": int(m.shape[0]), "patches": {}}
    for N in sizes:
        out["patches"][str(N)] = patches(z, chains, N).reshape(-1).tolist()
    return out


def main():
    rng = np.random.RandomState(20240505)
    fixture = {
        "generator": "tests/MotionWorkbench.Patches.Tests/Fixtures/make_patch_fixture.py",
        "framework": f"OpenCV {cv2.__version__}, numpy {np.__version__}",
        "seed": 20240505,
        "format": 1,
        "cases": [
            case("smpl22", rng, 6, 22, SMPL_CHAINS, 20.0, [8, 16, 32]),
            case("kit21", rng, 5, 21, KIT_CHAINS, 12.5, [16]),
        ],
    }
    with open("patch_fixture.json", "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    n = sum(len(v) for c in fixture["cases"] for v in c["patches"].values())
    print("wrote patch_fixture.json,", n, "patch values")


if __name__ == "__main__":
    main()
