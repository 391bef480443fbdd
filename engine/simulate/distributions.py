"""Drawing durations (days) from the scenario's ``Distribution`` families."""

from __future__ import annotations

import math

import numpy as np

from engine.schema.common import Distribution


def lognormal_parameters(mean: float, sd: float) -> tuple[float, float]:
    """``(mu, sigma)`` of the underlying normal for a lognormal of ``mean`` and ``sd``."""
    sigma2 = math.log1p((sd / mean) ** 2)
    return math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)


def draw(rng: np.random.Generator, dist: Distribution, size: int) -> np.ndarray:
    """``size`` draws of ``dist`` (days); ``fixed`` draws nothing from ``rng``.

    >>> from engine.schema.common import Distribution
    >>> draw(np.random.default_rng(1), Distribution(dist="fixed", mean=3.0), 2).tolist()
    [3.0, 3.0]
    """
    if dist.dist == "fixed":
        return np.full(size, dist.mean)
    if dist.dist == "exponential":
        return rng.exponential(dist.mean, size)
    if dist.dist == "uniform":
        return rng.uniform(dist.low, dist.high, size)
    if dist.dist == "gamma":
        shape = (dist.mean / dist.sd) ** 2
        return rng.gamma(shape, dist.sd**2 / dist.mean, size)
    mu, sigma = lognormal_parameters(dist.mean, dist.sd)
    return rng.lognormal(mu, sigma, size)
