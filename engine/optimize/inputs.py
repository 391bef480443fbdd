"""``build_inputs``: the scenario read through ``engine.economics`` into the model's numbers.

Everything the linear model and ``check_plan`` need is here as NumPy arrays, per unit of a
decision: for each region x source (the channels plus ``organic``), the quarter's wins, units,
revenue, rep hours and intent customers that one lead per week brings. Leads arrive at a
constant weekly rate, shaped by the week's demand factor; deals close ``funnel_days`` later and
count when they close inside the quarter (``economics.in_quarter_fraction``); a promotion's
discount applies to leads that arrive while it runs (the convention of
``economics.demand_factor``). Rep hours count for every lead that arrives in the quarter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine import economics as eco
from engine.optimize.options import OptimizeOptions
from engine.optimize.response import DEFAULT_SEGMENTS, Pieces, pieces, worthwhile
from engine.optimize.supply import SupplyLimits, supply_limits
from engine.scenario.schema import RoleSpec, Scenario
from engine.scenario.schema.common import ROLES


@dataclass(frozen=True)
class ModelInputs:
    """The numbers of one plan model (``R`` regions, ``S`` sources = channels + organic,
    ``P`` products, ``O`` roles, ``H`` weeks). Coefficients are per lead per week of a
    region x source over the whole quarter."""

    scenario: Scenario
    regions: tuple[str, ...]
    channels: tuple[str, ...]
    products: tuple[str, ...]
    lines: tuple[str, ...]
    line_of: np.ndarray
    """Index into ``lines`` of each product (P)."""
    demand: np.ndarray
    """Demand factor by region, source and arrival week (R x S x H)."""
    price: np.ndarray
    """Realised price per unit by source, arrival week and product (S x H x P; money)."""
    win_prob: np.ndarray
    """Probability a lead is won, by region and source (R x S)."""
    units_per_win: np.ndarray
    """Units per won deal by region, source and product (R x S x P)."""
    mix: np.ndarray
    """Share of won orders by source and product (S x P)."""
    close_share: np.ndarray
    """Share of week-a arrivals that close in week w (H x H); rows sum to the in-quarter
    fraction."""
    wins: np.ndarray
    """In-quarter wins (R x S)."""
    units: np.ndarray
    """Units sold in the quarter (R x S x P)."""
    revenue: np.ndarray
    """Revenue in the quarter (R x S x P; money)."""
    hours: np.ndarray
    """Rep hours over the quarter (R x S x O)."""
    intent: np.ndarray
    """Leads entering the intent stage inside month one (R x S; zero without the policy)."""
    lead_weeks: np.ndarray
    """Leads over the quarter per lead per week of rate (R x S)."""
    organic: np.ndarray
    """Organic leads per week (R)."""
    repeat_units: np.ndarray
    """Repeat-order units in the quarter (R x P)."""
    unit_cost: np.ndarray
    """Cost per unit (P; money)."""
    list_price: np.ndarray
    """List price per unit (P; money); repeat orders pay it."""
    new: np.ndarray
    """Whether each product is new (P)."""
    pieces: tuple[Pieces, ...]
    """Piecewise-linear response per region x channel, region-major (R*C)."""
    spendable: float
    """Money the plan may spend (money per quarter)."""
    locked: dict[tuple[int, int], float]
    """Spend fixed per (region index, channel index)."""
    on_hand: np.ndarray
    """Tenured reps (R x O)."""
    hires: np.ndarray
    """Planned hires (R x O)."""
    max_added: np.ndarray
    """Most hires the plan may add (R x O)."""
    hours_tenured: np.ndarray
    """Hours a tenured rep gives over the quarter (O)."""
    hours_hire: np.ndarray
    """Hours a new hire gives over the quarter, at ramp productivity (O)."""
    overhead: np.ndarray
    """Hours over the quarter reps must give outside the funnel (R x O; visits, key accounts
    less sub-agents)."""
    rep_cost: np.ndarray
    """Cost of one rep for the quarter (O; money)."""
    supply: SupplyLimits
    segments: int
    integer_reps: bool
    premium: float = 0.0
    """Expected premium paid to backup suppliers under the scenario's reorder policy (money per
    quarter; measured by simulating the plan, ``engine.optimize.calibrate``)."""

    @property
    def repeat_revenue(self) -> np.ndarray:
        """Repeat-order revenue at full price (R x P; money)."""
        return self.repeat_units * self.list_price[None, :]

    @property
    def weeks(self) -> int:
        """Weeks in the quarter."""
        return self.scenario.horizon.weeks


def close_share(weeks: int, lag_days: float) -> np.ndarray:
    """Share of arrivals in week a (spread evenly) that close in week w, ``lag_days`` later.

    Returns an ``H x H`` array; row ``a`` sums to ``economics.in_quarter_fraction``'s value.
    """
    start = np.arange(weeks)[:, None] * eco.DAYS_PER_WEEK + lag_days
    lo = np.arange(weeks)[None, :] * eco.DAYS_PER_WEEK
    overlap = np.minimum(start + eco.DAYS_PER_WEEK, lo + eco.DAYS_PER_WEEK) - np.maximum(start, lo)
    return np.clip(overlap, 0.0, None) / eco.DAYS_PER_WEEK


def _intent_weeks(s: Scenario) -> tuple[np.ndarray, int]:
    """Share of week-a arrivals reaching the intent stage inside month one, and its index."""
    policy = s.policy.pilot_intent
    if policy is None:
        return np.zeros(s.horizon.weeks), 0
    k = [st.id for st in s.funnel.stages].index(policy.stage)
    lag = sum(st.duration.expected for st in s.funnel.stages[:k])
    end = s.horizon.months[0] * eco.DAYS_PER_WEEK - lag
    start = np.arange(s.horizon.weeks) * eco.DAYS_PER_WEEK
    return np.clip((end - start) / eco.DAYS_PER_WEEK, 0.0, 1.0), k


def _source_tables(s: Scenario, sources: list[str]) -> dict[str, np.ndarray]:
    """Per region x source economics (the region's conversion multiplier included): win
    probability, units per win, hours, reach of the intent stage; per source: mix, price."""
    _, stage = _intent_weeks(s)
    price = np.stack([eco.revenue_per_unit(s, c, eco.promotion_discounts(s, c)) for c in sources])
    regions = [r.id for r in s.regions]
    return {
        "win_prob": np.array([[eco.win_probability(s, c, r) for c in sources] for r in regions]),
        "units_per_win": np.array(
            [[eco.units_per_win(s, c, r) for c in sources] for r in regions]
        ),
        "mix": np.stack([eco.product_mix(s, c) for c in sources]),
        "price": price,
        "hours": np.array(
            [[[eco.hours_per_lead(s, c, r)[o] for o in ROLES] for c in sources] for r in regions]
        ),
        "reach": np.array([[eco.stage_reach(s, c, r)[stage] for c in sources] for r in regions]),
    }


def _upper_spend(s: Scenario, spendable: float) -> np.ndarray:
    """Most each region x channel may spend (R x C; money per quarter)."""
    inf = float("inf")
    by_region = np.array([r.spend.max if r.spend.max is not None else inf for r in s.regions])
    by_channel = np.array([c.spend.max if c.spend.max is not None else inf for c in s.channels])
    return np.minimum(np.minimum(by_region[:, None], by_channel[None, :]), spendable)


def _locks(s: Scenario, options: OptimizeOptions) -> dict[tuple[int, int], float]:
    regions = [r.id for r in s.regions]
    channels = [c.id for c in s.channels]
    return {
        (regions.index(r), channels.index(c)): float(v)
        for (r, c), v in options.locked_spend.items()
    }


def _pieces(
    s: Scenario, upper: np.ndarray, segments: int, value: np.ndarray | None
) -> tuple[Pieces, ...]:
    """Response pieces per region x channel; ``value`` (money per lead per week, R x C) places
    them where spending can pay (gross-profit objective), ``None`` over the whole range."""
    weeks, out = s.horizon.weeks, []
    for i, r in enumerate(s.regions):
        for j, c in enumerate(s.channels):
            useful = (
                float("inf") if value is None else worthwhile(c.response, r.potential, value[i, j])
            )
            out.append(pieces(c.response, r.potential, weeks, float(upper[i, j]), segments, useful))
    return tuple(out)


def _segments(s: Scenario, options: OptimizeOptions) -> int:
    if options.segments is not None:
        return max(1, options.segments)
    return s.policy.segments or DEFAULT_SEGMENTS


def _reps(s: Scenario) -> dict[str, np.ndarray]:
    roles = [s.salesforce.roles.get(o, RoleSpec()) for o in ROLES]  # type: ignore[call-overload]
    ramp = float(eco.ramp_productivity(s).sum())
    weeks = s.horizon.weeks
    return {
        "on_hand": np.array([[r.reps.get(o) for o in ROLES] for r in s.regions], dtype=float),
        "hires": np.array([[r.hires.get(o) for o in ROLES] for r in s.regions], dtype=float),
        "max_added": np.array(
            [[r.max_hires.get(o) if r.max_hires else 0 for o in ROLES] for r in s.regions],
            dtype=float,
        ),
        "hours_tenured": np.array([x.hours_per_week * weeks for x in roles]),
        "hours_hire": np.array([x.hours_per_week * ramp for x in roles]),
        "overhead": weeks
        * np.array([[eco.overhead_hours(s, r.id)[o] for o in ROLES] for r in s.regions]),
        "rep_cost": np.array([x.cost for x in roles]),
    }


def _repeat_units(s: Scenario) -> np.ndarray:
    """Units of repeat orders by region and product (full price, the products' own mix)."""
    share = eco.potential_shares(s)
    orders = eco.repeat_orders(s) * np.array([share[r.id] for r in s.regions])
    per_order = eco.product_mix(s, eco.ORGANIC) * np.array([p.units_per_order for p in s.products])
    return orders[:, None] * per_order[None, :]


def build_inputs(s: Scenario, options: OptimizeOptions | None = None) -> ModelInputs:
    """Read ``s`` into the plan model's numbers; ``options`` may override budget and pieces."""
    opts = options or OptimizeOptions()
    sources = [c.id for c in s.channels] + [eco.ORGANIC]
    tables = _source_tables(s, sources)
    demand = np.stack(
        [np.stack([eco.demand_factor(s, r.id, c) for c in sources]) for r in s.regions]
    )
    iqf = eco.in_quarter_fraction(s)
    intent_weeks, _ = _intent_weeks(s)
    spendable = s.budget.spendable if opts.budget is None else float(opts.budget)
    wins = tables["win_prob"] * (demand @ iqf)
    revenue = np.einsum(
        "rsa,a,rs,rsp,sap->rsp",
        demand,
        iqf,
        tables["win_prob"],
        tables["units_per_win"],
        tables["price"],
    )
    units = wins[:, :, None] * tables["units_per_win"]
    profit = (revenue - units * eco.unit_costs(s)).sum(axis=2)[:, : len(s.channels)]
    worth = profit if s.policy.objective == "gross_profit" else None
    locks = _locks(s, opts)
    upper = _upper_spend(s, spendable)
    for (i, j), value in locks.items():
        upper[i, j] = max(upper[i, j], value)
    lines = tuple(dict.fromkeys(p.line for p in s.products))
    return ModelInputs(
        scenario=s,
        regions=tuple(r.id for r in s.regions),
        channels=tuple(c.id for c in s.channels),
        products=tuple(p.id for p in s.products),
        lines=lines,
        line_of=np.array([lines.index(p.line) for p in s.products]),
        demand=demand,
        price=tables["price"],
        win_prob=tables["win_prob"],
        units_per_win=tables["units_per_win"],
        mix=tables["mix"],
        close_share=close_share(s.horizon.weeks, eco.funnel_days(s)),
        wins=wins,
        units=units,
        revenue=revenue,
        hours=demand.sum(axis=2)[:, :, None] * tables["hours"],
        intent=tables["reach"] * (demand @ intent_weeks),
        lead_weeks=demand.sum(axis=2),
        organic=np.array([r.organic_leads for r in s.regions]),
        repeat_units=_repeat_units(s),
        unit_cost=eco.unit_costs(s),
        list_price=np.array([p.price for p in s.products]),
        new=np.array([p.new for p in s.products]),
        pieces=_pieces(s, upper, _segments(s, opts), worth),
        spendable=spendable,
        locked=locks,
        supply=supply_limits(s),
        segments=_segments(s, opts),
        integer_reps=s.policy.integer_reps and not opts.relax_reps,
        **_reps(s),  # type: ignore[arg-type]
    )
