"""Infeasible plans: the conflicting set HiGHS reports is irreducible (infeasible alone, and
feasible once any one member is dropped), and the diagnosis speaks in business terms."""

from __future__ import annotations

from typing import Any

import highspy
import numpy as np
import pytest

from engine import load_scenario
from engine.errors import InfeasiblePlanError
from engine.optimize import OptimizeOptions, build_inputs, build_model, optimize
from engine.optimize.diagnose import IIS, find_iis
from engine.optimize.highs import new_highs, to_highs_lp
from engine.optimize.model import INF, PlanModel, Row
from tests.conftest import SCENARIOS

LOWER, UPPER, BOXED = 2, 3, 4


def pilots(least: float) -> Any:
    s = load_scenario(SCENARIOS / "base.yaml")
    intent = s.policy.pilot_intent.model_copy(update={"min_per_region": least})
    return s.model_copy(update={"policy": s.policy.model_copy(update={"pilot_intent": intent})})


def new_share(share: float) -> Any:
    s = load_scenario(SCENARIOS / "base.yaml")
    return s.model_copy(
        update={"policy": s.policy.model_copy(update={"new_product_share_min": share})}
    )


def _keep(lower: float, upper: float, status: int) -> tuple[float, float]:
    return (lower if status in (LOWER, BOXED) else -INF, upper if status in (UPPER, BOXED) else INF)


def subsystem_status(m: PlanModel, iis: IIS, drop: tuple[str, int] | None = None) -> Any:
    """HiGHS status of the IIS alone (other rows dropped, other column bounds freed), less
    one member ``("row", k)`` or ``("col", k)``."""
    sub = PlanModel(
        m.inputs, list(m.names), [-INF] * m.num_cols, [INF] * m.num_cols, [False] * m.num_cols
    )
    for k, (col, status) in enumerate(zip(iis.cols, iis.col_bounds, strict=True)):
        if drop != ("col", k):
            sub.lower[col], sub.upper[col] = _keep(m.lower[col], m.upper[col], status)
    for k, (i, status) in enumerate(zip(iis.rows, iis.row_bounds, strict=True)):
        if drop != ("row", k):
            row = m.rows[i]
            lo, up = _keep(row.lower, row.upper, status)
            sub.rows.append(Row(row.name, row.family, row.cols, row.coefs, lo, up))
    sub.cost = np.zeros(m.num_cols)
    h = new_highs()
    h.passModel(to_highs_lp(sub))
    h.run()
    return h.getModelStatus()


@pytest.mark.parametrize("scenario", [pilots(1000.0), new_share(0.5)], ids=["pilots", "share"])
def test_iis_is_infeasible_and_irreducible(scenario: Any) -> None:
    m = build_model(build_inputs(scenario, OptimizeOptions(relax_reps=True)))
    iis = find_iis(m)
    assert iis is not None and iis.irreducible
    infeasible = highspy.HighsModelStatus.kInfeasible
    assert subsystem_status(m, iis) == infeasible
    members = [("row", k) for k in range(len(iis.rows))]
    members += [("col", k) for k, b in enumerate(iis.col_bounds) if b in (LOWER, UPPER, BOXED)]
    for member in members:
        assert subsystem_status(m, iis, member) != infeasible, member


def test_pilot_diagnosis_names_business_constraints_and_a_relaxation() -> None:
    with pytest.raises(InfeasiblePlanError) as caught:
        optimize(pilots(1000.0))
    message = str(caught.value)
    assert "pilot_intent[urumqi]" in message and "intent customers" in message
    assert "The smallest relaxation" in message and "fewer intent customers" in message
    relaxed = {r.constraint for r in caught.value.diagnosis.relaxations}
    assert {"pilot_intent[kunming]", "pilot_intent[urumqi]"} <= relaxed


def test_elastic_relaxation_of_the_share_alone_makes_the_plan_feasible() -> None:
    lp = OptimizeOptions(relax_reps=True, congestion=False, pilot=0)
    with pytest.raises(InfeasiblePlanError) as caught:
        optimize(new_share(0.30), lp)
    relaxations = caught.value.diagnosis.relaxations
    assert [r.constraint for r in relaxations] == ["new_product_share"]
    points = float(relaxations[0].advice.split("to ")[1].rstrip("%)"))
    assert 20 < points < 30
    assert optimize(new_share(points / 100 - 0.001), lp).status.has_plan
    with pytest.raises(InfeasiblePlanError):
        optimize(new_share(points / 100 + 0.001), lp)
