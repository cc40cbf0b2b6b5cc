#!/usr/bin/env python3
"""Writes test/fixtures/fid-scipy.json: fixed random feature sets and their Fréchet distance as
numpy/scipy compute it (scipy.linalg.sqrtm, the pytorch-fid / TF-GAN formula), so
test/eval-math.test.ts can check src/eval/frechet.ts against an independent implementation
without needing python. Run once: python3 scripts/fid-reference.py  (numpy + scipy; Debian
python3-scipy)."""
import json
import sys

import numpy as np
import scipy
import scipy.linalg

OUT = sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/fid-scipy.json"


def fid(a, b):
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1.dot(s2))
    covmean = covmean.real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def case(name, rng, n1, n2, d, relu=False, dead=0):
    mix1 = rng.normal(size=(d, d)) / np.sqrt(d)
    mix2 = mix1 + 0.3 * rng.normal(size=(d, d)) / np.sqrt(d)
    a = rng.normal(size=(n1, d)) @ mix1 + rng.normal(size=d)
    b = 1.3 * rng.normal(size=(n2, d)) @ mix2 + rng.normal(size=d)
    if relu:  # like the classifier's ReLU feature layer: exact zeros, and dead units
        a, b = np.maximum(a, 0), np.maximum(b, 0)
        a[:, :dead] = 0
        b[:, :dead] = 0
    # The fixture stores 6 decimals; the reference is computed from exactly those values.
    a, b = np.round(a, 6), np.round(b, 6)
    return {"name": name, "n1": n1, "n2": n2, "dim": d, "a": a.ravel().tolist(), "b": b.ravel().tolist(), "fid": fid(a, b)}


rng = np.random.default_rng(20240601)
cases = [
    case("full rank, n >> d", rng, 250, 200, 16),
    case("ill-conditioned, n close to d", rng, 30, 40, 24),
    case("relu features with 3 dead units", rng, 200, 150, 12, relu=True, dead=3),
]
doc = {
    "generated_by": "scripts/fid-reference.py",
    "numpy": np.__version__,
    "scipy": scipy.__version__,
    "cases": cases,
}
with open(OUT, "w") as f:
    json.dump(doc, f)
for c in cases:
    print(c["name"], c["fid"])
