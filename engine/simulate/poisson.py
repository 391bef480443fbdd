"""Poisson counts by inversion: one uniform per count, so the draws of two scenarios with the same
streams move together (common random numbers). numpy's Poisson sampler uses a varying number of
uniforms per draw, which would shift every later draw when one rate changes.
"""

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(cache=True)
def _invert(u, lam):
    """Smallest k with P(N <= k) >= u for N ~ Poisson(lam), searching from the mode."""
    if lam <= 0.0:
        return 0
    m = math.floor(lam)
    pm = math.exp(m * math.log(lam) - lam - math.lgamma(m + 1.0))
    below, p, k = 0.0, pm, m
    while k >= 0 and p > 1e-17 * pm:
        below += p
        p *= k / lam
        k -= 1
    if u <= below:
        k, p, cdf = m, pm, below
        while k > 0 and cdf - p >= u:
            cdf -= p
            p *= k / lam
            k -= 1
        return k
    k, p, cdf = m, pm, below
    while cdf < u and p > 0.0:
        k += 1
        p *= lam / k
        cdf += p
    return k


@numba.njit(cache=True)
def _poisson(u, lam):
    out = np.empty(u.shape[0], dtype=np.int64)
    for i in range(u.shape[0]):
        out[i] = _invert(u[i], lam[i])
    return out


def poisson(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray:
    """Poisson counts of means ``lam`` (any shape), one uniform of ``rng`` each."""
    flat = np.ascontiguousarray(lam, dtype=float).ravel()
    return _poisson(rng.random(flat.size), flat).reshape(np.shape(lam))
