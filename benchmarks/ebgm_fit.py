"""Time the EBGM prior fit on CAERS and compare it with openEBGM 0.9.1's prior.

    .venv/bin/python benchmarks/ebgm_fit.py [--repeat 3] [--data ../shared/data]

Counts come from the openEBGM CSV loader and the reference counter (unique report ids,
E = n_drug * n_event / n_reports); the fit is `kg.ebgm.fit_prior` with its default starts.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from kg.ebgm import Prior, ebgm_scores, fit_prior, negative_log_likelihood
from kg.reference_counts import count_pairs
from loaders.openebgm import read_openebgm_csv

ROOT = Path(__file__).resolve().parent.parent
OPENEBGM = Prior(3.25596685, 0.39998994, 2.02376139, 1.90614108, 0.06530755)
WIDER_STARTS = (Prior(21.0, 1.66, 1.74, 1.56, 0.035),)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()

    started = time.perf_counter()
    pairs = count_pairs(read_openebgm_csv(args.data / "openebgm" / "caers.csv"))
    n = np.array([p.a for p in pairs], dtype=np.float64)
    e = np.array([p.E for p in pairs])
    print(f"load + count: {time.perf_counter() - started:.2f} s, {len(pairs)} pairs")

    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        fit = fit_prior(n, e)
        times.append(time.perf_counter() - started)
    print(f"fit_prior: median {np.median(times):.2f} s over {args.repeat} runs, "
          f"converged={fit.converged}")  # fmt: skip
    print(f"{'':10}{'alpha1':>12}{'beta1':>12}{'alpha2':>12}{'beta2':>12}{'p':>12}{'-logL':>12}")
    reference_nll = negative_log_likelihood(OPENEBGM, n, e)
    other = fit_prior(n, e, starts=WIDER_STARTS)
    for label, prior, nll in (
        ("pvkg", fit.prior, fit.neg_log_likelihood),
        ("openEBGM", OPENEBGM, reference_nll),
        ("alpha1~21", other.prior, other.neg_log_likelihood),
    ):
        print(f"{label:10}" + "".join(f"{v:12.6f}" for v in prior.as_tuple()) + f"{nll:12.4f}")

    started = time.perf_counter()
    ebgm_scores(n, e, fit.prior)
    print(f"ebgm_scores (EBGM, EB05, EB95 for all pairs): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
