"""Everything a replication needs, read once from the scenario and the plan into arrays.

``build_inputs`` follows ``engine.economics`` for every rate, probability and price, so that with
unlimited reps and stock the simulated mean equals the plan's expected value. Indices: ``R``
regions, ``C`` channels (the scenario's, then ``organic`` last), ``G`` lead segments, ``K`` funnel
stages, ``P`` products, ``W`` weeks.

Rep capacity: each region's reps of one role are split over the funnel stages that role works, in
proportion to the rep hours those stages are expected to need under the plan (the plan's
"allocation of staff by funnel stage"). Each (region, stage, role) pool is a FIFO queue served by
``servers`` reps; a pool's reps work at ``speed[w]`` times a tenured rep's pace in week ``w``, which
carries ramping hires, field overheads (visits, key accounts) and sub-agents' hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine import economics as ec
from engine.plan import Plan
from engine.scenario.schema import Scenario
from engine.scenario.schema.common import ROLES, Distribution
from engine.scenario.schema.operations import RoleSpec
from engine.simulate.management import Levers, build_levers


@dataclass(frozen=True)
class Pools:
    """Rep pools: one per (region, stage, role) that needs rep work."""

    region: np.ndarray
    stage: np.ndarray
    role: np.ndarray
    servers: np.ndarray
    """Reps serving the pool (whole people)."""
    speed: np.ndarray
    """(pools x W) pace of each rep relative to a tenured rep working its full hours."""
    hours_per_day: np.ndarray
    """Hours per day a tenured rep of the pool's role gives (``hours_per_week / 7``)."""
    of_stage: np.ndarray
    """(K x R x C) pool index of a lead of region r, channel c in stage k; -1: no queue."""


@dataclass(frozen=True)
class Stock:
    """Inventory policy arrays by product (products without a stock item are unlimited)."""

    stocked: np.ndarray
    on_hand: np.ndarray
    safety: np.ndarray
    reorder_point: np.ndarray
    reorder_qty: np.ndarray
    backup_qty: np.ndarray
    has_backup: np.ndarray
    primary: tuple[Distribution | None, ...]
    backup: tuple[Distribution | None, ...]
    primary_extra: np.ndarray
    """(P x W) extra lead-time days for orders placed in week w (disruptions)."""
    backup_extra: np.ndarray
    primary_capacity: np.ndarray
    backup_capacity: np.ndarray
    backup_premium: np.ndarray
    """Extra cost per unit bought from the backup supplier (money)."""
    lost_sales: bool


@dataclass(frozen=True)
class SimInputs:
    """Arrays of one scenario x plan (see the module docstring for the index letters)."""

    name: str
    weeks: int
    month_ends: np.ndarray
    regions: tuple[str, ...]
    channels: tuple[str, ...]
    segments: tuple[str, ...]
    stages: tuple[str, ...]
    products: tuple[str, ...]
    lines: tuple[str, ...]
    lead_rate: np.ndarray
    """(W x R x C) expected leads per day."""
    segment_share: np.ndarray
    order_multiplier: np.ndarray
    conversion: np.ndarray
    """(R x C x G x K) stage conversion probabilities."""
    durations: tuple[Distribution, ...]
    stage_hours: np.ndarray
    patience: float
    """Days a lead waits for a rep before going cold (inf: forever)."""
    pools: Pools
    mix_cum: np.ndarray
    """(C x P) cumulative product mix of won orders."""
    units_per_order: np.ndarray
    unit_revenue: np.ndarray
    """(C x W x P) money per unit of an order whose lead arrived in week w."""
    price: np.ndarray
    unit_cost: np.ndarray
    new_product: np.ndarray
    product_line: np.ndarray
    repeat_buyers: np.ndarray
    """(segments x 3): customers, probability that one who stays orders in the quarter
    (repurchase or reactivation rate), order multiplier."""
    repeat_churn: np.ndarray
    """(segments x 2): customers who may churn, churn probability."""
    repeat_names: tuple[str, ...]
    potential_share: np.ndarray
    stock: Stock
    tier_share: np.ndarray
    tier_terms: np.ndarray
    tier_late_probability: np.ndarray
    tier_late_days: np.ndarray
    targets: np.ndarray
    """(R x W) revenue target per region and week (money); all NaN when the plan has none."""
    spend: float
    rep_cost: float
    lead_rate_cv: float = 0.0
    """Coefficient of variation of each source's lead-rate factor across replications."""
    conversion_cv: float = 0.0
    """Coefficient of variation of each stage's conversion factor across replications."""
    levers: Levers | None = None
    """Management's rules and what they can move (``None``: the quarter runs unmanaged)."""

    @property
    def days(self) -> float:
        """Days in the quarter."""
        return float(ec.DAYS_PER_WEEK * self.weeks)

    @property
    def leads(self) -> float:
        """Expected new leads in the quarter (what a replication's work grows with)."""
        return float(self.lead_rate.sum()) * ec.DAYS_PER_WEEK


def _lead_rate(s: Scenario, plan: Plan) -> np.ndarray:
    rate = np.zeros((s.horizon.weeks, len(s.regions), len(s.channels) + 1))
    for i, r in enumerate(s.regions):
        for j, c in enumerate(s.channels):
            spend = plan.spend_of(r.id, c.id)
            base = c.response.leads_per_week(spend, r.potential, s.horizon.weeks)
            rate[:, i, j] = base * ec.demand_factor(s, r.id, c.id) / ec.DAYS_PER_WEEK
        organic = r.organic_leads * ec.demand_factor(s, r.id, ec.ORGANIC)
        rate[:, i, -1] = organic / ec.DAYS_PER_WEEK
    return rate


def _role(s: Scenario, role: str) -> RoleSpec | None:
    return next((spec for name, spec in s.salesforce.roles.items() if name == role), None)


def _capacity(s: Scenario, plan: Plan, region: str, role: str) -> np.ndarray:
    """Rep hours per week of ``role`` in ``region`` (tenured, ramping hires, overheads)."""
    spec = _role(s, role)
    hours = spec.hours_per_week if spec is not None else 0.0
    tenured, ramping = plan.reps_of(region, role)
    cap = hours * (tenured + ramping * ec.ramp_productivity(s)) - ec.overhead_hours(s, region)[role]
    return np.clip(cap, 0.0, None)


def _stage_roles(s: Scenario, channels: tuple[str, ...]) -> np.ndarray:
    return np.array([[ROLES.index(ro) for ro in ec.stage_roles(s, c)] for c in channels]).T


def _pools(s: Scenario, plan: Plan, channels: tuple[str, ...], rate: np.ndarray) -> Pools:
    K, R, C = len(s.funnel.stages), len(s.regions), len(channels)
    roles = _stage_roles(s, channels)
    hours = np.array([st.hours for st in s.funnel.stages])
    reach = np.array([[ec.stage_reach(s, c, r.id) for c in channels] for r in s.regions])
    weekly = rate.mean(axis=0) * ec.DAYS_PER_WEEK
    need = (weekly[:, :, None] * reach * hours[None, None, :]).transpose(2, 0, 1)
    rows: list[tuple[int, int, int, int, np.ndarray, float]] = []
    of_stage = np.full((K, R, C), -1, dtype=np.int64)
    for i, region in enumerate(s.regions):
        for o, role in enumerate(ROLES):
            demand = np.where(roles == o, need[:, i, :], 0.0).sum(axis=1)
            if s.salesforce.unlimited or demand.sum() <= 0:
                continue
            cap = _capacity(s, plan, region.id, role)
            spec = _role(s, role)
            per_rep = spec.hours_per_week if spec is not None and spec.hours_per_week > 0 else 1.0
            for k in np.flatnonzero((demand > 0) & (hours > 0)):
                share = demand[k] / demand.sum()
                servers = int(max(1, round(share * cap.mean() / per_rep))) if cap.sum() > 0 else 0
                speed = share * cap / (max(servers, 1) * per_rep)
                of_stage[k, i, roles[k] == o] = len(rows)
                rows.append((i, int(k), o, servers, speed, per_rep / 7.0))
    W = s.horizon.weeks
    return Pools(
        region=np.array([r[0] for r in rows], dtype=np.int64),
        stage=np.array([r[1] for r in rows], dtype=np.int64),
        role=np.array([r[2] for r in rows], dtype=np.int64),
        servers=np.array([r[3] for r in rows], dtype=np.int64),
        speed=np.array([r[4] for r in rows]).reshape(len(rows), W),
        hours_per_day=np.array([r[5] for r in rows]),
        of_stage=of_stage,
    )


def _stock(s: Scenario) -> Stock:
    P, W = len(s.products), s.horizon.weeks
    ids = [p.id for p in s.products]
    suppliers = {x.id: x for x in s.inventory.suppliers}
    arr = {k: np.zeros(P) for k in ("on_hand", "safety", "r", "q", "bq", "prem")}
    cap1, cap2 = np.full(P, np.inf), np.full(P, np.inf)
    extra1, extra2 = np.zeros((P, W)), np.zeros((P, W))
    stocked, has_backup = np.zeros(P, dtype=bool), np.zeros(P, dtype=bool)
    primary: list[Distribution | None] = [None] * P
    backup: list[Distribution | None] = [None] * P
    for item in s.inventory.stock:
        j = ids.index(item.product)
        stocked[j] = True
        arr["on_hand"][j], arr["safety"][j] = item.on_hand, item.safety_stock
        arr["r"][j], arr["q"][j] = item.reorder_point, item.reorder_qty
        arr["bq"][j] = item.reorder_qty if item.reorder_qty > 0 else item.safety_stock
        sup = suppliers[item.supplier]
        primary[j] = sup.lead_time
        cap1[j] = np.inf if sup.capacity is None else sup.capacity
        for d in sup.disruptions:
            extra1[j, [w - 1 for w in d.weeks]] += d.extra_days
        if item.backup is not None:
            bk = suppliers[item.backup]
            has_backup[j], backup[j] = True, bk.lead_time
            cap2[j] = np.inf if bk.capacity is None else bk.capacity
            arr["prem"][j] = bk.cost_premium * s.products[j].unit_cost
            for d in bk.disruptions:
                extra2[j, [w - 1 for w in d.weeks]] += d.extra_days
    return Stock(
        stocked, arr["on_hand"], arr["safety"], arr["r"], arr["q"], arr["bq"], has_backup,
        tuple(primary), tuple(backup), extra1, extra2, cap1, cap2, arr["prem"],
        s.inventory.shortage == "lost",
    )


def _repeat(s: Scenario) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    buyers, churn, names = [], [], []
    for g in s.customers:
        if g.kind in ("existing", "key_account"):
            buyers.append((g.size, g.repurchase_rate, g.order_multiplier))
            churn.append((g.size, g.churn_rate))
            names.append(g.id)
        elif g.kind == "dormant":
            buyers.append((g.size, g.reactivation_rate, g.order_multiplier))
            churn.append((0, 0.0))
            names.append(g.id)
    return np.array(buyers).reshape(-1, 3), np.array(churn).reshape(-1, 2), tuple(names)


def _targets(s: Scenario, plan: Plan) -> np.ndarray:
    regions = [r.id for r in s.regions]
    out = np.full((len(regions), s.horizon.weeks), np.nan)
    if plan.targets.empty:
        return out
    out[:] = 0.0
    t = plan.targets
    for region, week, target in zip(t.region.tolist(), t.week.tolist(), t.target.tolist(),
                                    strict=True):
        if region in regions and 1 <= int(week) <= s.horizon.weeks:
            out[regions.index(str(region)), int(week) - 1] += float(target)
    return out


def _mix_cum(s: Scenario, channels: tuple[str, ...]) -> np.ndarray:
    mix = np.array([ec.product_mix(s, c) for c in channels])
    total = mix.sum(axis=1, keepdims=True)
    return np.cumsum(np.divide(mix, total, out=np.zeros_like(mix), where=total > 0), axis=1)


def _unit_revenue(s: Scenario, channels: tuple[str, ...]) -> np.ndarray:
    return np.array(
        [ec.revenue_per_unit(s, c, ec.promotion_discounts(s, c)) for c in channels]
    ).reshape(len(channels), s.horizon.weeks, len(s.products))


def _rep_cost(s: Scenario, plan: Plan) -> float:
    total = 0.0
    for role, reps in zip(plan.reps.role.tolist(), plan.reps.reps.tolist(), strict=True):
        spec = _role(s, str(role))
        total += float(reps) * (spec.cost if spec is not None else 0.0)
    return total


def build_inputs(s: Scenario, plan: Plan) -> SimInputs:
    """Read ``s`` and ``plan`` into the arrays a replication runs on (nothing is mutated)."""
    channels = (*[c.id for c in s.channels], ec.ORGANIC)
    seg = ec.lead_segments(s)
    rate = _lead_rate(s, plan)
    tiers = s.collections.tiers
    buyers, churn, names = _repeat(s)
    shares = ec.potential_shares(s)
    lines = tuple(dict.fromkeys(p.line for p in s.products))
    return SimInputs(
        name=s.name,
        weeks=s.horizon.weeks,
        month_ends=np.cumsum(s.horizon.months),
        regions=tuple(r.id for r in s.regions),
        channels=channels,
        segments=seg.ids,
        stages=tuple(st.id for st in s.funnel.stages),
        products=tuple(p.id for p in s.products),
        lines=lines,
        lead_rate=rate,
        segment_share=seg.share / seg.share.sum(),
        order_multiplier=seg.order,
        conversion=np.array(
            [[ec.stage_conversions(s, c, r.id) for c in channels] for r in s.regions]
        ),
        durations=tuple(st.duration for st in s.funnel.stages),
        stage_hours=np.array([st.hours for st in s.funnel.stages]),
        patience=np.inf if s.funnel.patience_days is None else s.funnel.patience_days,
        pools=_pools(s, plan, channels, rate),
        mix_cum=_mix_cum(s, channels),
        units_per_order=np.array([p.units_per_order for p in s.products]),
        unit_revenue=_unit_revenue(s, channels),
        price=np.array([p.price for p in s.products]),
        unit_cost=ec.unit_costs(s),
        new_product=np.array([p.new for p in s.products]),
        product_line=np.array([lines.index(p.line) for p in s.products]),
        repeat_buyers=buyers,
        repeat_churn=churn,
        repeat_names=names,
        potential_share=np.array([shares[r.id] for r in s.regions]),
        stock=_stock(s),
        tier_share=np.array([t.share for t in tiers]),
        tier_terms=np.array([t.terms_days for t in tiers]),
        tier_late_probability=np.array([t.late_probability for t in tiers]),
        tier_late_days=np.array([t.late_days for t in tiers]),
        targets=_targets(s, plan),
        spend=plan.total_spend,
        rep_cost=_rep_cost(s, plan),
        lead_rate_cv=s.simulation.lead_rate_cv,
        conversion_cv=s.simulation.conversion_cv,
        levers=build_levers(s, plan, lambda region, role: _capacity(s, plan, region, role)),
    )

