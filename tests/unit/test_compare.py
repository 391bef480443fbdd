"""Paired differences: against a hand computation, zero for a scenario with itself, and narrower
than the unpaired interval when the randomness is shared."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from engine.jobs.compare import compare_kpis, paired_difference


def _kpis(values: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"replication": i, "metric": m, "value": float(v)}
            for m, arr in values.items()
            for i, v in enumerate(arr)
        ]
    )


def test_paired_difference_by_hand() -> None:
    base = np.array([10.0, 12.0, 11.0, 13.0])
    other = np.array([11.0, 12.5, 12.0, 13.5])
    diff = other - base  # 1, .5, 1, .5 -> mean .75, sd .288675
    half = stats.t.ppf(0.975, 3) * diff.std(ddof=1) / 2
    out = paired_difference(base, other)
    assert out["diff_mean"] == pytest.approx(0.75)
    assert out["diff_lo"] == pytest.approx(0.75 - half)
    assert out["diff_hi"] == pytest.approx(0.75 + half)
    assert out["prob_better"] == 1.0
    assert paired_difference(base, other, higher_is_better=False)["prob_better"] == 0.0


def test_comparing_a_scenario_with_itself_gives_zero() -> None:
    rng = np.random.default_rng(3)
    k = _kpis({"revenue": rng.normal(100, 10, 50), "dso": rng.normal(40, 3, 50)})
    table = compare_kpis(["a", "a-again"], [k, k.copy()])
    other = table[table.scenario == "a-again"]
    assert (other.diff_mean == 0).all() and (other.diff_lo == 0).all()
    assert (other.diff_hi == 0).all() and (other.prob_better == 0.5).all()
    assert table[table.scenario == "a"].diff_mean.isna().all()


def test_common_randomness_narrows_the_interval() -> None:
    rng = np.random.default_rng(11)
    shared = rng.normal(100, 20, 400)
    base, better = shared, shared + 2 + rng.normal(0, 1, 400)
    paired = paired_difference(base, better)
    independent = rng.normal(100, 20, 400) + 2
    unpaired_half = 1.96 * np.sqrt(base.var(ddof=1) / 400 + independent.var(ddof=1) / 400)
    assert paired["diff_hi"] - paired["diff_lo"] < 0.2 * 2 * unpaired_half
    assert paired["diff_lo"] > 0


def test_lower_is_better_metrics_flip_the_probability() -> None:
    k1 = _kpis({"dso": np.full(10, 40.0)})
    k2 = _kpis({"dso": np.full(10, 35.0)})
    table = compare_kpis(["base", "faster"], [k1, k2])
    assert table.iloc[1].prob_better == 1.0 and table.iloc[1].diff_mean == -5.0
