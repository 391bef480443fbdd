"""Shadow prices in the planner's words, and the constraints that bind.

Sign convention (one for every row): ``value`` is the change in the optimal objective (money)
when the business quantity named in ``unit`` rises by one — one more unit of currency of budget,
one more rep, one more unit of stock, one more point (0.01) of a margin floor or of the
new-product share, one more intent customer required. Loosening a limit has a value >= 0,
tightening a floor a value <= 0. Values come from the row duals (``d objective / d rhs``) and
the envelope theorem: a floor ``f`` on a share of revenue ``R`` moves the row's bound by
``R`` per unit of ``f``. For a MILP they are those of the LP with the hires fixed. Rep
capacity is priced per hour here; what a whole rep is worth comes from re-solving the model
with it (``engine.optimize.worth``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from engine.optimize.model import INTERNAL, PlanModel, Row
from engine.optimize.solution import Solution

SHADOW_COLUMNS = ["constraint", "family", "meaning", "value", "unit", "holds_from", "holds_to"]
"""``holds_from``/``holds_to``: the limit's values between which ``value`` holds (HiGHS ranging
of the LP the duals come from; NaN for floors stated as shares, and for rows worth nothing)."""
RANGED = {"budget": "", "channel_min": "", "channel_max": "", "region_min": "",
          "region_max": "", "rep_capacity": " hours", "supply": " units",
          "pilot_intent": " intent customers", "headcount_cap": " heads",
          "hiring_limit": " hires"}
"""Families whose row bound is the business limit itself, and its unit ("": money)."""
BINDING_COLUMNS = ["constraint", "family", "meaning", "activity", "bound"]
POINT = 0.01


def _key(row: Row) -> list[str]:
    return row.name[row.name.index("[") + 1 : -1].split(",") if "[" in row.name else []


def row_revenue(m: PlanModel, sol: Solution, row: Row) -> float:
    """Revenue (money) the row's floor applies to, at the solution."""
    d = m.inputs
    leads = np.where(m.index["leads"] >= 0, sol.x[np.maximum(m.index["leads"], 0)], 0.0)
    rates = np.hstack([leads, d.organic[:, None]])
    revenue = rates[:, :, None] * d.revenue
    if row.family == "margin_floor":
        return float(revenue[:, d.channels.index(_key(row)[0])].sum())
    repeat = d.repeat_revenue.sum(axis=0)
    if row.family == "product_margin_floor":
        p = d.products.index(_key(row)[0])
        return float(revenue[:, :, p].sum() + repeat[p])
    return float(revenue.sum() + repeat.sum())


def goal_words(objective: str) -> str:
    """What the objective is called in sentences: the ``gross_profit`` objective maximises gross
    profit after marketing, reps and the backup premium, i.e. net contribution."""
    return "net contribution" if objective == "gross_profit" else objective.replace("_", " ")


def _signed(currency: str) -> Callable[[float], str]:
    """Money with its sign; cents below 100."""
    return lambda v: f"{'-' if v < 0 else ''}{currency}{abs(v):,.{2 if abs(v) < 100 else 0}f}"


def _phrase(m: PlanModel, sol: Solution, row: Row, dual: float) -> tuple[float, str, str]:
    """(value, unit, sentence) for one row."""
    d = m.inputs
    goal = goal_words(d.scenario.policy.objective)
    key = [*_key(row), ""]
    k0 = key[0]
    worth = _signed(d.scenario.currency)
    if row.family == "budget":
        cents = f"{d.scenario.currency}{dual:,.2f}"
        return (
            dual,
            "per unit of budget",
            f"one more {d.scenario.currency} of budget is worth {cents} of {goal}",
        )
    if row.family == "rep_capacity":
        return (
            dual,
            "per rep-hour",
            f"one more hour of {key[1]} time in {k0} is worth {worth(dual)} of {goal} at the "
            "margin (a whole rep: see the rep values)",
        )
    if row.family in ("margin_floor", "product_margin_floor", "new_product_share"):
        value = dual * row_revenue(m, sol, row) * POINT
        what = {
            "margin_floor": f"the margin floor on {k0}",
            "product_margin_floor": f"the margin floor on {k0}",
            "new_product_share": "the new-product share",
        }[row.family]
        return value, "per point", f"raising {what} by one point changes {goal} by {worth(value)}"
    units = {
        "supply": ("per unit", f"one more unit of {k0} in stock"),
        "pilot_intent": ("per intent customer", f"one more intent customer required in {k0}"),
        "headcount_cap": ("per head", "one more head under the cap"),
        "hiring_limit": ("per hire", "one more hire allowed"),
        "channel_min": ("per unit of spend", f"raising the minimum spend on {k0}"),
        "channel_max": ("per unit of spend", f"raising the maximum spend on {k0}"),
        "region_min": ("per unit of spend", f"raising the minimum spend in {k0}"),
        "region_max": ("per unit of spend", f"raising the maximum spend in {k0}"),
    }
    unit, subject = units.get(row.family, ("per unit", row.name))
    verb = f"by {d.scenario.currency}1 " if row.family.endswith(("_min", "_max")) else ""
    return dual, unit, f"{subject} {verb}changes {goal} by {worth(dual)}"


def _range(m: PlanModel, sol: Solution, i: int, row: Row, dual: float) -> tuple[float, float]:
    """The values of row ``i``'s limit between which ``dual`` holds (NaN when not known)."""
    if dual == 0.0 or row.family not in RANGED or len(sol.row_range) != len(m.rows):
        return float("nan"), float("nan")
    low, high = (float(v) for v in sol.row_range[i])
    return (low if low > -1e29 else -np.inf), (high if high < 1e29 else np.inf)


def range_words(currency: str, family: str, low: float, high: float) -> str:
    """``holds from A to B`` for a limit of ``family`` ("" when the range is not known).

    >>> range_words("¥", "budget", 2.0e6, np.inf)
    'holds from ¥2,000,000 up'
    """
    if not (np.isfinite(low) or np.isfinite(high)) or np.isnan(low) or np.isnan(high):
        return ""
    unit = RANGED[family]
    places = 0 if not np.isfinite(high) or high - low >= 100 else 2 if high - low < 1 else 1

    def amount(v: float) -> str:
        return f"{currency}{v:,.{places}f}" if not unit else f"{v:,.{places}f}{unit}"

    if not np.isfinite(high):
        return f"holds from {amount(max(low, 0.0))} up"
    return f"holds from {amount(max(low, 0.0))} to {amount(high)}"


def shadow_prices(m: PlanModel, sol: Solution) -> pd.DataFrame:
    """``constraint, family, meaning, value, unit, holds_from, holds_to`` for every business
    row, largest first; a non-zero value says over what range of its limit it holds."""
    if len(sol.row_dual) != len(m.rows):
        return pd.DataFrame(columns=SHADOW_COLUMNS)
    records = []
    currency = m.inputs.scenario.currency
    for i, (row, raw) in enumerate(zip(m.rows, sol.row_dual, strict=True)):
        if row.family in INTERNAL:
            continue
        dual = float(raw) if abs(raw) > 1e-9 else 0.0
        value, unit, meaning = _phrase(m, sol, row, dual)
        low, high = _range(m, sol, i, row, dual)
        words = range_words(currency, row.family, low, high) if row.family in RANGED else ""
        if words:
            meaning = (f"{meaning[:-1]}; {words})" if meaning.endswith(")")
                       else f"{meaning} ({words})")
        records.append((row.name, row.family, meaning, value, unit, low, high))
    frame = pd.DataFrame(records, columns=SHADOW_COLUMNS)
    order = frame.value.abs().sort_values(ascending=False, kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def binding(m: PlanModel, sol: Solution, tol: float = 1e-6) -> pd.DataFrame:
    """Business rows at one of their bounds (within ``tol`` relative to the bound)."""
    activity = m.activity(sol.x) if len(sol.x) else np.zeros(len(m.rows))
    records = []
    for row, value in zip(m.rows, activity, strict=True):
        if row.family in INTERNAL:
            continue
        for bound in (row.lower, row.upper):
            if np.isfinite(bound) and abs(value - bound) <= tol * max(1.0, abs(bound)):
                records.append((row.name, row.family, row.meaning, float(value), bound))
                break
    return pd.DataFrame(records, columns=BINDING_COLUMNS)
