"""Drawing durations (days) from the scenario's ``Distribution`` families."""

from __future__ import annotations

import math

import numpy as np

from engine.scenario.schema.common import Distribution


def lognormal_parameters(mean: float, sd: float) -> tuple[float, float]:
    """``(mu, sigma)`` of the underlying normal for a lognormal of ``mean`` and ``sd``."""
    sigma2 = math.log1p((sd / mean) ** 2)
    return math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)


def draw(rng: np.random.Generator, dist: Distribution, size: int) -> np.ndarray:
    """``size`` draws of ``dist`` (days); ``fixed`` draws nothing from ``rng``.

    >>> from engine.scenario.schema.common import Distribution
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


def draw_remaining(rng: np.random.Generator, dist: Distribution, elapsed: np.ndarray
                   ) -> np.ndarray:
    """The rest of a duration of ``dist`` that has already lasted ``elapsed`` days: one draw of
    ``D - e`` given ``D > e`` per entry ``e`` (days; by inversion of the distribution function,
    one uniform each, except for the memoryless exponential and ``fixed``).

    >>> from engine.scenario.schema.common import Distribution
    >>> d = Distribution(dist="fixed", mean=3.0)
    >>> draw_remaining(np.random.default_rng(1), d, np.array([1.0, 4.0])).tolist()
    [2.0, 0.0]
    """
    e = np.asarray(elapsed, dtype=float)
    if dist.dist == "fixed":
        return np.maximum(dist.mean - e, 0.0)
    if dist.dist == "exponential":
        return rng.exponential(dist.mean, e.size)
    u = rng.random(e.size)
    if dist.dist == "uniform":
        low = np.minimum(np.maximum(dist.low, e), dist.high)
        return np.maximum(low + u * (dist.high - low) - e, 0.0)
    from scipy import special

    if dist.dist == "gamma":
        shape, scale = (dist.mean / dist.sd) ** 2, dist.sd**2 / dist.mean
        below = special.gammainc(shape, e / scale)
        p = np.minimum(below + u * (1.0 - below), 1.0 - 1e-12)
        return np.maximum(special.gammaincinv(shape, p) * scale - e, 0.0)
    mu, sigma = lognormal_parameters(dist.mean, dist.sd)
    with np.errstate(divide="ignore"):
        below = special.ndtr((np.log(e) - mu) / sigma)
    p = np.minimum(below + u * (1.0 - below), 1.0 - 1e-12)
    return np.maximum(np.exp(mu + sigma * special.ndtri(p)) - e, 0.0)
