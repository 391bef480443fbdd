"""Parameter uncertainty: the quarter's lead rates and conversions are not known exactly.

Each replication draws its own world: every lead source (each channel, and ``organic``) gets a
mean-one lognormal factor on its lead rate with coefficient of variation
``simulation.lead_rate_cv``, and every funnel stage a mean-one lognormal factor on its conversion
with ``simulation.conversion_cv`` (the product capped at 1). A source's factor is shared by all
regions and weeks, so the spread of a quarter's total grows with its expected value
(``Var = E + E^2 cv^2`` for Poisson leads of one source), not with its square root.

The factors come from the replication's own ``uncertainty`` sub-stream, one standard normal per
source then one per stage, whatever the coefficients: two scenarios run on the same seed share
their worlds (common random numbers), and the other streams draw exactly what they drew without
uncertainty.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from engine.simulate.inputs import SimInputs


def mean_one_lognormal(z: np.ndarray, cv: float) -> np.ndarray:
    """Lognormal factors of mean 1 and coefficient of variation ``cv`` from standard normals.

    >>> mean_one_lognormal(np.zeros(2), 0.0).tolist()
    [1.0, 1.0]
    """
    sigma2 = math.log1p(cv * cv)
    return np.exp(math.sqrt(sigma2) * z - sigma2 / 2.0)


def factors(inp: SimInputs, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """This replication's lead-rate factor per source (C) and conversion factor per stage
    (K), both 1 when the scenario's coefficients are 0 (nothing is drawn then)."""
    C, K = len(inp.channels), len(inp.stages)
    if inp.lead_rate_cv == 0.0 and inp.conversion_cv == 0.0:
        return np.ones(C), np.ones(K)
    z = rng.standard_normal(C + K)
    return mean_one_lognormal(z[:C], inp.lead_rate_cv), mean_one_lognormal(z[C:], inp.conversion_cv)


def uncertain_inputs(inp: SimInputs, rng: np.random.Generator) -> SimInputs:
    """``inp`` with this replication's lead rates and conversions (``inp`` is not changed)."""
    lead, conversion = factors(inp, rng)
    if np.all(lead == 1.0) and np.all(conversion == 1.0):
        return inp
    return dataclasses.replace(
        inp,
        lead_rate=inp.lead_rate * lead,
        conversion=np.minimum(inp.conversion * conversion, 1.0),
    )
