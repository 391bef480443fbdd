"""The compiled quarter against a per-lead SimPy model of the whole funnel with stock.

One replication of a small quarter (one region and channel, two stages worked by two rep pools
with impatient leads, one stocked product with a reorder point and a backup supplier, back-
orders) runs through the compiled kernels; the same randomness (each lead's arrival, stage
durations and conversion uniforms, the suppliers' lead times) then drives an independent SimPy
model: one process per lead through ``simpy.Resource`` rep pools, one per customer order against
stock, one per delivery. Every lead's pick-up day in every stage, every win and every shipment
must agree. The managed case adds a review every two weeks whose rule expedites from the backup
supplier when stock is under safety stock: the SimPy model's own review process must place the
same orders and the shipments must still agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import simpy

from engine import build_scenario
from engine.plan import even_plan
from engine.simulate.clock import run_quarter
from engine.simulate.inputs import build_inputs
from engine.simulate.state import QuarterState
from engine.simulate.streams import replication_streams
from engine.simulate.world import World

DOC: dict[str, Any] = {
    "name": "simpy-quarter",
    "horizon": {"weeks": 13, "months": [4, 4, 5]},
    "budget": {"total": 0.0, "reserve_share": 0.0},
    "regions": [{"id": "solo", "kind": "core", "potential": 1.0,
                 "reps": {"telesales": 2, "field": 2}}],
    "products": [{"id": "widget", "line": "core", "price": 100.0, "unit_cost": 60.0,
                  "mix": 1.0, "units_per_order": 2.0}],
    "channels": [{"id": "direct", "response": {"kind": "fixed", "max_leads": 60.0},
                  "role": "telesales"}],
    "funnel": {"patience_days": 2.0, "stages": [
        {"id": "qualify", "conversion": 0.6, "hours": 1.3, "role": "telesales",
         "duration": {"dist": "exponential", "mean": 1.5}},
        {"id": "close", "conversion": 0.5, "hours": 1.6, "role": "field",
         "duration": {"dist": "lognormal", "mean": 3.0, "sd": 1.0}}]},
    "inventory": {"shortage": "backorder", "suppliers": [
        {"id": "slow", "lead_time": {"dist": "lognormal", "mean": 12.0, "sd": 3.0}},
        {"id": "fast", "lead_time": {"dist": "lognormal", "mean": 3.0, "sd": 1.0},
         "cost_premium": 0.2}],
        "stock": [{"product": "widget", "on_hand": 30.0, "safety_stock": 20.0,
                   "reorder_point": 30.0, "reorder_qty": 50.0, "supplier": "slow",
                   "backup": "fast"}]},
}
RULE = {"review_every": 2, "rules": [
    {"id": "expedite", "once": False, "when": [{"metric": "below_safety", "above": 0}],
     "then": {"do": "expedite"}}]}


def compiled(managed: bool, replication: int) -> tuple[World, Any, list[Any]]:
    doc = {**DOC, "management": RULE} if managed else DOC
    s = build_scenario(doc, "simpy-quarter")
    inp = build_inputs(s, even_plan(s))
    world, firings = run_quarter(inp, replication_streams(11, replication), QuarterState(),
                                 keep_trail=True)
    return world, inp, firings


class Reference:
    """The SimPy model fed with the compiled run's draws."""

    def __init__(self, world: World, inp: Any, review: bool) -> None:
        self.env = simpy.Environment()
        self.world, self.inp = world, inp
        n, K = world.funnel.leads.arrival.size, len(world.trail)
        self.length, self.u = np.full((K, n), np.nan), np.full((K, n), np.nan)
        for k, st in enumerate(world.trail):
            self.length[k, st.idx], self.u[k, st.idx] = st.length, st.u
        self.start = np.full((K, n), np.inf)
        self.won: dict[int, float] = {}
        pools = inp.pools
        self.desks = [simpy.Resource(self.env, int(pools.servers[pools.of_stage[k, 0, 0]]))
                      for k in range(K)]
        st = inp.stock
        self.oh, self.on_order, self.backup_open = float(st.on_hand[0]), 0.0, False
        self.lead1, self.lead2 = (list(x) for x in world.leads[0])
        self.backlog: list[list[float]] = []
        self.ships: list[tuple[float, float]] = []
        for i in range(n):
            self.env.process(self.lead(i))
        self.replenish()
        if review:
            self.env.process(self.reviews())

    def work(self, k: int, i: int) -> float:
        p = self.inp.pools.of_stage[k, 0, 0]
        dist = self.inp.durations[k]
        return float(self.inp.stage_hours[k] * self.length[k, i] / dist.expected
                     / self.inp.pools.hours_per_day[p])

    def hold(self, k: int, req: Any, days: float) -> Any:
        yield self.env.timeout(days)
        self.desks[k].release(req)

    def lead(self, i: int) -> Any:
        yield self.env.timeout(self.world.funnel.leads.arrival[i])
        for k, desk in enumerate(self.desks):
            req = desk.request()
            got = yield req | self.env.timeout(self.inp.patience)
            if req not in got:
                req.cancel()
                return
            self.start[k, i] = self.env.now
            self.env.process(self.hold(k, req, self.work(k, i)))
            yield self.env.timeout(self.length[k, i])
            if self.u[k, i] >= self.inp.conversion[0, 0, 0, k]:
                return
        self.won[i] = self.env.now
        self.order(float(self.inp.units_per_order[0]))

    def order(self, units: float) -> None:
        if self.backlog:
            self.backlog.append([units])
        else:
            give = min(self.oh, units)
            if give > 0:
                self.ships.append((self.env.now, give))
                self.oh -= give
            if units - give > 1e-9:
                self.backlog.append([units - give])
        self.replenish()

    def replenish(self) -> None:
        """The (r, Q) policy and the backup supplier, after each customer order (and at the
        start)."""
        st = self.inp.stock
        back = sum(b[0] for b in self.backlog)
        while self.oh + self.on_order - back <= st.reorder_point[0] + 1e-9 and self.lead1:
            self.supply(self.lead1.pop(0), float(st.reorder_qty[0]), backup=False)
        if self.oh < st.safety[0] - 1e-9 and not self.backup_open and self.lead2:
            self.supply(self.lead2.pop(0), float(st.backup_qty[0]), backup=True)

    def supply(self, lead: float, units: float, backup: bool) -> None:
        self.on_order += units
        self.backup_open = self.backup_open or backup
        self.env.process(self.deliver(lead, units, backup))

    def deliver(self, lead: float, units: float, backup: bool) -> Any:
        yield self.env.timeout(lead)
        self.oh += units
        self.on_order -= units
        self.backup_open = self.backup_open and not backup
        while self.backlog and self.oh > 1e-9:
            give = min(self.oh, self.backlog[0][0])
            self.ships.append((self.env.now, give))
            self.oh -= give
            self.backlog[0][0] -= give
            if self.backlog[0][0] <= 1e-9:
                self.backlog.pop(0)

    def reviews(self) -> Any:
        for week in range(2, 13, 2):
            yield self.env.timeout(7.0 * week - self.env.now)
            if self.oh < self.inp.stock.safety[0] - 1e-9 and self.lead2:
                self.supply(self.lead2.pop(0), float(self.inp.stock.backup_qty[0]), backup=True)

    def run(self) -> Reference:
        self.env.run(until=self.inp.days)
        return self


@pytest.mark.parametrize("managed", [False, True])
@pytest.mark.parametrize("replication", [0, 1, 2])
def test_compiled_quarter_equals_simpy_lead_for_lead(managed: bool, replication: int) -> None:
    world, inp, firings = compiled(managed, replication)
    ref = Reference(world, inp, review=managed).run()
    for k, st in enumerate(world.trail):
        ours, theirs = st.start, ref.start[k, st.idx]
        assert np.array_equal(np.isfinite(ours) & (ours < inp.days), np.isfinite(theirs))
        done = np.isfinite(theirs)
        assert np.allclose(ours[done], theirs[done], rtol=0, atol=1e-9)
    assert world.trail[0].idx.size > 500 and np.isinf(world.trail[0].start).sum() > 10
    wins = {int(world.funnel.won[j]): d for j, d in enumerate(world.funnel.won_day)}
    assert wins.keys() == ref.won.keys()
    assert np.allclose([wins[i] for i in ref.won], list(ref.won.values()), rtol=0, atol=1e-9)
    ships = world.ships
    ours_ships = sorted(zip(ships.day[ships.day < inp.days].round(9),
                            ships.units[ships.day < inp.days].round(9), strict=True))
    theirs_ships = sorted((round(d, 9), round(u, 9)) for d, u in ref.ships)
    assert ours_ships == theirs_ships
    assert len(ours_ships) > 50
    if managed:
        assert firings, "the rule should fire in this small quarter"
