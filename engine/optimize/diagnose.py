"""Why a plan is infeasible, in the planner's words.

Two answers: the conflicting set — HiGHS's irreducible infeasible set (``Highs.getIis``) of the
LP relaxation, mapped to business constraints — and the smallest relaxation that makes the plan
feasible, from an elastic re-solve: every business constraint gets a slack priced at one over
its size (its bound, or what its left-hand side reaches at full throttle), so the re-solve
finds the least total relative relaxation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import highspy

from engine.optimize.elastic import Relaxation, elastic_relaxation
from engine.optimize.highs import new_highs, to_highs_lp
from engine.optimize.model import INTERNAL, PlanModel

_MAX_LISTED = 12
_PRIORITY = (
    "new_product_share",
    "pilot_intent",
    "supply",
    "product_margin_floor",
    "margin_floor",
    "budget",
    "channel_min",
    "region_min",
    "channel_max",
    "region_max",
    "headcount_cap",
    "hiring_limit",
)
"""Families listed first in a diagnosis: the policies a planner can argue about."""
IIS_SECONDS = 60.0
"""Time HiGHS may take to find the irreducible infeasible set."""


@dataclass(frozen=True)
class IIS:
    """An irreducible infeasible set: rows and column bounds of the model (indices)."""

    rows: tuple[int, ...]
    row_bounds: tuple[int, ...]
    """HiGHS bound status per row: 2 lower, 3 upper, 4 boxed."""
    cols: tuple[int, ...]
    col_bounds: tuple[int, ...]
    """HiGHS bound status per column, as for rows."""
    irreducible: bool = True
    """Whether HiGHS proved the set irreducible (else it is a conflicting set that may hold
    more members than needed)."""


@dataclass(frozen=True)
class Diagnosis:
    """The diagnosis of an infeasible plan."""

    message: str
    conflicts: list[str] = field(default_factory=list)
    """The IIS members in business words."""
    relaxations: list[Relaxation] = field(default_factory=list)
    iis: IIS | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "message": self.message,
            "conflicts": self.conflicts,
            "relaxations": [r.to_dict() for r in self.relaxations],
        }


def find_iis(m: PlanModel, time_limit: float = IIS_SECONDS) -> IIS | None:
    """An infeasible set of ``m``'s LP relaxation, irreducible when HiGHS can prove it
    (``IIS.irreducible``); ``None`` when the relaxation is feasible or HiGHS finds none."""
    h = new_highs()
    lp = to_highs_lp(m)
    lp.integrality_ = []
    h.passModel(lp)
    strategy = int(highspy.IisStrategy.kIisStrategyFromLp) | int(
        highspy.IisStrategy.kIisStrategyIrreducible
    )
    h.setOptionValue("iis_strategy", strategy)
    h.setOptionValue("time_limit", float(time_limit))
    h.run()
    status, iis = h.getIis()
    if status == highspy.HighsStatus.kError or not (len(iis.row_index_) or len(iis.col_index_)):
        return None
    return IIS(
        tuple(iis.row_index_),
        tuple(iis.row_bound_),
        tuple(iis.col_index_),
        tuple(iis.col_bound_),
        bool(iis.valid_) and status == highspy.HighsStatus.kOk,
    )


def relaxation_is_feasible(m: PlanModel) -> bool:
    """Whether ``m`` becomes feasible once hires may be fractional."""
    h = new_highs()
    lp = to_highs_lp(m)
    lp.integrality_ = []
    h.passModel(lp)
    h.run()
    return h.getModelStatus() == highspy.HighsModelStatus.kOptimal


def _col_words(m: PlanModel, col: int, bound: int) -> str | None:
    """A column bound of the IIS in business words (``None`` for internal bounds)."""
    if bound not in (2, 3, 4):  # the column's bounds are not part of the set
        return None
    name, upper = m.names[col], bound in (3, 4)
    key = name[name.index("[") + 1 : -1] if "[" in name else name
    cur = m.inputs.scenario.currency
    if name.startswith("spend["):
        if m.lower[col] == m.upper[col]:
            return f"spend on {key} is locked at {cur}{m.lower[col]:,.0f}"
        if upper:
            return f"spend on {key} <= {cur}{m.upper[col]:,.0f} (budget and spend bounds)"
        return f"spend on {key} cannot be negative"
    if name.startswith("added["):
        region, role = key.split(",")
        if upper:
            return f"{role} hires added in {region} <= {m.upper[col]:,.0f} (max_hires)"
        return f"the plan cannot lay off {role} reps in {region}"
    if name.startswith("backup[") and upper:
        return f"the backup supplier delivers <= {m.upper[col]:,.0f} units of {key} in time"
    return None


def conflict_words(m: PlanModel, iis: IIS) -> list[str]:
    """The IIS's business members, one line each, plus a count of response-curve rows."""
    rows = sorted(
        (i for i in iis.rows if m.rows[i].family not in INTERNAL),
        key=lambda i: _PRIORITY.index(m.rows[i].family) if m.rows[i].family in _PRIORITY else 99,
    )
    lines = [f"{m.rows[i].meaning} [{m.rows[i].name}]" for i in rows]
    words = [_col_words(m, j, b) for j, b in zip(iis.cols, iis.col_bounds, strict=True)]
    lines += list(dict.fromkeys(w for w in words if w is not None))
    curves = sum(m.rows[i].family in INTERNAL for i in iis.rows)
    if curves:
        lines.append(f"how spend buys leads on the response curves ({curves} rows)")
    return lines


def _message(
    m: PlanModel, iis: IIS | None, conflicts: list[str], relaxations: list[Relaxation]
) -> str:
    name = m.inputs.scenario.name or "the scenario"
    if iis is None:
        out = [f"{name}: the plan is infeasible (HiGHS found no conflicting set in time)."]
    else:
        which = "these constraints" if iis.irreducible else "constraints among these"
        out = [f"{name}: the plan is infeasible: {which} cannot all hold:"]
    out += [f"  - {c}" for c in conflicts[:_MAX_LISTED]]
    if len(conflicts) > _MAX_LISTED:
        out.append(f"  - and {len(conflicts) - _MAX_LISTED} more")
    if relaxations:
        out.append("The smallest relaxation that makes the plan feasible:")
        out += [f"  - {r.advice}" for r in relaxations[:_MAX_LISTED]]
    return "\n".join(out)


def diagnose(m: PlanModel) -> Diagnosis:
    """Explain why ``m`` is infeasible: the IIS and the smallest relaxation."""
    if any(m.integer) and relaxation_is_feasible(m):
        name = m.inputs.scenario.name or "the scenario"
        return Diagnosis(
            f"{name}: the plan is infeasible only with whole-person hires; with fractional "
            "hires it is feasible (try --relax-reps, or allow more hires)"
        )
    iis = find_iis(m)
    conflicts = conflict_words(m, iis) if iis is not None else []
    relaxations = elastic_relaxation(m)
    return Diagnosis(_message(m, iis, conflicts, relaxations), conflicts, relaxations, iis)
