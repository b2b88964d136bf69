"""EBGM prior fit and posterior against openEBGM 0.9.1 on CAERS (see shared/data/README.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import stats

from kg.ebgm import Prior, ebgm_scores, fit_prior, negative_log_likelihood, squash
from kg.reference_counts import count_pairs
from loaders.openebgm import read_openebgm_csv
from pvkg.errors import InputError

OPENEBGM_MLE = Prior(3.25596685, 0.39998994, 2.02376139, 1.90614108, 0.06530755)
OPENEBGM_NLL = 4162.456
REUMOFAN_PRIOR = Prior(3.25379356, 0.39988854, 2.02612692, 1.90807970, 0.06534557)


@pytest.fixture(scope="module")
def caers_counts(shared_data: Path) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    pairs = count_pairs(read_openebgm_csv(shared_data / "openebgm" / "caers.csv"))
    return np.array([p.a for p in pairs], float), np.array([p.E for p in pairs])


def test_fit_reproduces_openebgm_prior(
    caers_counts: tuple[NDArray[np.float64], NDArray[np.float64]],
) -> None:
    n, e = caers_counts
    fit = fit_prior(n, e)
    assert fit.converged
    assert fit.n_pairs == 17_189
    assert fit.neg_log_likelihood == pytest.approx(OPENEBGM_NLL, abs=1e-3)
    got, want = fit.prior.as_tuple(), OPENEBGM_MLE.as_tuple()
    assert got == pytest.approx(want, abs=1e-3)


def test_likelihood_matches_openebgm_and_has_a_second_better_optimum(
    caers_counts: tuple[NDArray[np.float64], NDArray[np.float64]],
) -> None:
    n, e = caers_counts
    assert negative_log_likelihood(OPENEBGM_MLE, n, e) == pytest.approx(OPENEBGM_NLL, abs=1e-3)
    # openEBGM stops at a local optimum: from alpha1 ~ 21 the likelihood is higher still.
    other = fit_prior(n, e, starts=[Prior(21.0, 1.66, 1.74, 1.56, 0.035)])
    assert other.neg_log_likelihood == pytest.approx(4162.1808, abs=1e-3)
    assert other.prior.alpha1 == pytest.approx(20.96, abs=0.05)


def test_truncated_and_untruncated_likelihoods_agree_with_scipy_nbinom() -> None:
    prior = Prior(1.5, 0.7, 3.0, 2.0, 0.3)
    n = np.array([0, 1, 2, 5, 9], float)
    e = np.array([0.2, 0.5, 1.0, 3.0, 0.8])

    def pmf(alpha: float, beta: float) -> NDArray[np.float64]:
        return np.asarray(stats.nbinom.pmf(n, alpha, beta / (beta + e)))

    f1, f2 = pmf(prior.alpha1, prior.beta1), pmf(prior.alpha2, prior.beta2)
    mixture = prior.p * f1 + (1 - prior.p) * f2
    assert negative_log_likelihood(prior, n, e, n_star=0) == pytest.approx(-np.log(mixture).sum())
    zero1 = (prior.beta1 / (prior.beta1 + e)) ** prior.alpha1
    zero2 = (prior.beta2 / (prior.beta2 + e)) ** prior.alpha2
    truncated = prior.p * f1 / (1 - zero1) + (1 - prior.p) * f2 / (1 - zero2)
    assert negative_log_likelihood(prior, n[1:], e[1:]) == pytest.approx(
        -np.log(truncated[1:]).sum()
    )


def test_reumofan_plus_posterior_matches_openebgm() -> None:
    ebgm, eb05, eb95 = ebgm_scores([16], [0.40643623], REUMOFAN_PRIOR)
    assert ebgm[0] == pytest.approx(23.26, abs=0.01)
    assert eb05[0] == pytest.approx(15.68, abs=0.01)
    assert eb95[0] == pytest.approx(33.48, abs=0.01)


def test_quantiles_solve_the_posterior_mixture_cdf() -> None:
    prior = REUMOFAN_PRIOR
    n = np.array([0, 1, 3, 16, 200], float)
    e = np.array([0.5, 0.03, 2.0, 0.4, 150.0])
    ebgm, eb05, eb95 = ebgm_scores(n, e, prior)
    assert np.all((eb05 < ebgm) & (ebgm < eb95))
    f1, f2 = (
        stats.nbinom.pmf(n, a, b / (b + e))
        for a, b in ((prior.alpha1, prior.beta1), (prior.alpha2, prior.beta2))
    )
    qn = prior.p * f1 / (prior.p * f1 + (1 - prior.p) * f2)
    for q, x in ((0.05, eb05), (0.95, eb95)):
        cdf = qn * stats.gamma.cdf(x, prior.alpha1 + n, scale=1 / (prior.beta1 + e)) + (
            1 - qn
        ) * stats.gamma.cdf(x, prior.alpha2 + n, scale=1 / (prior.beta2 + e))
        assert cdf == pytest.approx(np.full(n.size, q), abs=1e-9)


def test_a_zero_count_shrinks_below_one() -> None:
    ebgm, eb05, eb95 = ebgm_scores([0], [2.0], REUMOFAN_PRIOR)
    assert 0 < eb05[0] < ebgm[0] < 1 < eb95[0]


def test_bad_priors_and_inputs_are_refused() -> None:
    with pytest.raises(InputError, match="positive"):
        Prior(-1.0, 1.0, 1.0, 1.0, 0.5)
    with pytest.raises(InputError, match="mixture fraction"):
        Prior(1.0, 1.0, 1.0, 1.0, 1.0)
    with pytest.raises(InputError, match="too few pairs"):
        fit_prior([1, 2], [0.5, 0.5])
    with pytest.raises(InputError, match="differ in length"):
        ebgm_scores([1, 2], [0.5], REUMOFAN_PRIOR)
    with pytest.raises(InputError, match="non-negative"):
        ebgm_scores([1], [-0.5], REUMOFAN_PRIOR)


def test_a_fit_without_interior_optimum_says_so() -> None:
    # Counts exactly at their expectation carry no overdispersion: the MLE runs to the edge.
    e = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0] * 3)
    fit = fit_prior(e, e)
    assert not fit.converged
    assert np.isfinite(fit.neg_log_likelihood)


def test_squashed_fit_lands_near_the_exact_one(
    caers_counts: tuple[NDArray[np.float64], NDArray[np.float64]],
) -> None:
    n, e = caers_counts
    squashed = fit_prior(n, e, squash_above=0)
    # Judged on the unsquashed likelihood: within 0.5 of the exact optimum's 4162.456.
    assert negative_log_likelihood(squashed.prior, n, e) == pytest.approx(OPENEBGM_NLL, abs=0.5)
    assert squashed.prior.alpha1 == pytest.approx(OPENEBGM_MLE.alpha1, abs=0.5)


def test_squash_keeps_weights_and_the_weighted_mean_of_e() -> None:
    n = np.array([1.0, 1.0, 1.0, 2.0, 2.0])
    e = np.array([0.3, 0.1, 0.2, 1.0, 3.0])
    w = np.array([1.0, 2.0, 1.0, 1.0, 1.0])
    sq_n, sq_e, sq_w = squash(n, e, w, bin_size=2, keep=0, min_points=0)
    assert sq_n.tolist() == [1.0, 1.0, 2.0]
    assert sq_w.tolist() == [3.0, 1.0, 2.0]
    assert sq_e.tolist() == pytest.approx([(0.1 * 2 + 0.2) / 3, 0.3, 2.0])
    kept = squash(n, e, w, bin_size=2, keep=1, min_points=3)
    assert kept[2].tolist() == [3.0, 1.0, 1.0, 1.0]  # N=1: two pooled, largest E kept
    assert kept[1].tolist() == pytest.approx([(0.1 * 2 + 0.2) / 3, 0.3, 1.0, 3.0])
