"""Waiting for reps, seen by the plan model: what each rep pool's queue does to a plan's leads.

The simulator runs every (region, stage, role) rep pool as a first-come-first-served queue of
``c`` reps, with leads that go cold after ``patience`` days of waiting. The plan model is linear
in leads, so it cannot hold that queue itself; instead ``congestion(d, plan)`` evaluates the
queues of a given plan analytically and returns, per region x source, the share of the plan's
in-quarter wins that survive them (``served``): leads lost to patience, and deals that close after
the quarter's end because they waited. ``engine.optimize.calibrate`` feeds these shares back into
the model's coefficients and re-solves until plan and shares agree.

The queue of one pool in one week is the M/M/c+D queue (Poisson arrivals, ``c`` servers,
deterministic patience ``tau``), solved exactly through its virtual waiting time ``V``: with
``a = lambda / mu`` the states with a free rep have ``pi_n = pi_0 a^n / n!`` (``n < c``), and ``V``
has the density ``f(v) = lambda pi_{c-1} exp(-(beta - lambda) v)`` on ``(0, tau]`` and
``f(tau) exp(-beta (v - tau))`` beyond it, with ``beta = c mu``. A lead arriving at ``V > tau``
goes cold; one arriving at ``V = v <= tau`` waits ``v``. Service that is not exponential (the
stage's duration family sets the shape of a lead's rep work) scales the waiting by the
Allen-Cunneen factor ``(1 + cs^2) / 2``, i.e. ``beta = c mu 2 / (1 + cs^2)``. Each week is taken
as stationary at that week's arrival rate and pace (the pointwise-stationary approximation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

from engine import economics as eco
from engine.optimize.inputs import ModelInputs
from engine.plan import Plan
from engine.scenario.schema.common import ROLES, Distribution
from engine.simulate.inputs import SimInputs
from engine.simulate.inputs import build_inputs as build_sim_inputs

NEVER = 1e9
"""Patience (days) standing in for "waits forever" in the formulas."""


@dataclass(frozen=True)
class QueueState:
    """Stationary measures of one pool over the weeks (arrays of length W)."""

    cold: np.ndarray
    """Share of arriving leads that go cold."""
    wait: np.ndarray
    """Mean wait of the leads a rep picks up (days)."""
    utilisation: np.ndarray
    """Offered load per rep (can exceed 1: more work arrives than the reps can do)."""


@dataclass(frozen=True)
class Congestion:
    """What the rep queues of one plan do to it, by region x source (``S`` = channels +
    organic) and by pool.

    ``served`` multiplies the model's in-quarter wins, units and revenue; ``intent`` its
    month-one intent customers. (Rep hours are not scaled: ``engine.optimize.calibrate``.)
    """

    served: np.ndarray
    """(R x S) share of the congestion-free in-quarter wins that the queues let through."""
    intent: np.ndarray
    """(R x S) share of leads reaching the intent stage that were not lost before it."""
    pools: tuple[tuple[str, str, str], ...]
    """(region, stage, role) of each pool."""
    servers: np.ndarray
    """Reps serving each pool."""
    utilisation: np.ndarray
    """Mean offered load per rep of each pool over the quarter."""
    cold_share: np.ndarray
    """Share of each pool's leads gone cold."""
    wait_days: np.ndarray
    """Mean wait of each pool's served leads (days)."""

    @classmethod
    def none(cls, d: ModelInputs) -> Congestion:
        """No queueing at all (unlimited reps)."""
        R, S = d.wins.shape
        empty = np.zeros(0)
        return cls(np.ones((R, S)), np.ones((R, S)), (), empty, empty, empty, empty)


def service_scv(dist: Distribution) -> float:
    """Squared coefficient of variation of a stage's duration (and so of its rep work)."""
    mean = dist.expected
    if mean <= 0 or dist.dist == "fixed":
        return 0.0
    if dist.dist == "exponential":
        return 1.0
    if dist.dist == "uniform":
        return ((dist.high - dist.low) ** 2 / 12.0) / mean**2
    return (dist.sd / mean) ** 2


def mmc_patience(lam: np.ndarray, mu: np.ndarray, servers: int, patience: float,
                 scv: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Share gone cold and mean wait of the served (days) of the M/M/c+D queue, per entry of
    ``lam`` (arrivals per day) and ``mu`` (services per day per rep), with the waiting scaled
    by ``(1 + scv) / 2`` for non-exponential service.

    >>> cold, wait = mmc_patience(np.array([0.5]), np.array([1.0]), 1, np.inf)
    >>> round(float(wait[0]), 6)  # M/M/1: rho / (mu - lambda)
    1.0
    """
    lam = np.asarray(lam, dtype=float)
    mu = np.asarray(mu, dtype=float)
    cold, wait = np.zeros(lam.shape), np.zeros(lam.shape)
    live = lam > 0
    if servers <= 0:
        cold[live] = 1.0
        return cold, wait
    ok = live & (mu > 0)
    cold[live & ~ok] = 1.0
    if not ok.any():
        return cold, wait
    lam_, mu_ = lam[ok], mu[ok]
    stretch = (1.0 + scv) / 2.0
    beta = servers * mu_
    n = np.arange(servers)
    log_a = np.log(lam_ / mu_)
    log_p = n[None, :] * log_a[:, None] - gammaln(n + 1.0)[None, :]
    top = log_p.max(axis=1)
    free = np.exp(log_p - top[:, None]).sum(axis=1)  # sum of pi_n / scale
    last = log_p[:, -1] - top  # log(pi_{c-1} / scale)
    tau = min(patience, NEVER) / stretch if stretch > 0 else NEVER
    c_, w_ = _virtual_wait(lam_, beta, tau, free, last)
    cold[ok], wait[ok] = c_, w_ * stretch
    return cold, wait


def _virtual_wait(lam: np.ndarray, beta: np.ndarray, tau: float, free: np.ndarray,
                  log_last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Share cold and mean wait of the served, from the virtual-wait density (module docstring),
    all masses divided by ``exp(log_last) * lam`` and, where the exponent grows, by
    ``exp((lam - beta) tau)`` so nothing overflows."""
    delta = beta - lam
    x = delta * tau
    small = np.abs(x) < 1e-8
    safe = np.where(small, 1.0, delta)
    # Scale s: 1 where delta >= 0, exp(-(lam - beta) tau) = exp(x) where delta < 0.
    grow = x < 0
    e = np.exp(-np.where(grow, -x, x))  # exp(-|x|)
    # mass on (0, tau] = (1 - exp(-x)) / delta; beyond tau: exp(-x) / beta (times lam pi_{c-1})
    inner = np.where(small, tau, np.where(grow, (e - 1.0) / safe, (1.0 - e) / safe))
    outer = np.where(grow, 1.0, e) / beta
    # int_0^tau v exp(-delta v) dv = (1 - exp(-x) (1 + x)) / delta^2
    moment = np.where(
        small, tau**2 / 2.0,
        np.where(grow, (e - (1.0 + x)) / safe**2, (1.0 - e * (1.0 + x)) / safe**2),
    )
    atom = free * np.exp(-log_last) / lam  # sum pi_n over n < c, same units
    atom = np.where(grow, atom * e, atom)
    total = atom + inner + outer
    cold = outer / total
    served = np.maximum(1.0 - cold, 1e-300)
    return cold, (moment / total) / served


def _pool_arrivals(inp: SimInputs, reach: np.ndarray, survive: np.ndarray, k: int, p: int
                   ) -> np.ndarray:
    """Leads per day entering pool ``p`` (of stage ``k``) in each week (W)."""
    region = int(inp.pools.region[p])
    chans = np.flatnonzero(inp.pools.of_stage[k, region] == p)
    rate = inp.lead_rate[:, region, chans]  # (W x c)
    return (rate * reach[region, chans, k][None, :] * survive[region, chans, :].T).sum(axis=1)


def _reach(inp: SimInputs) -> np.ndarray:
    """(R x C x K) probability that a lead reaches each stage (segments averaged, no queues)."""
    conv = inp.conversion  # R x C x G x K
    before = np.cumprod(np.concatenate([np.ones((*conv.shape[:3], 1)), conv[..., :-1]], axis=3),
                        axis=3)
    return np.einsum("g,rcgk->rck", inp.segment_share, before)


def _pool_queue(inp: SimInputs, lam: np.ndarray, k: int, p: int) -> QueueState:
    pools = inp.pools
    c = int(pools.servers[p])
    work_days = inp.stage_hours[k] / pools.hours_per_day[p]  # days of a tenured rep per lead
    speed = pools.speed[p]
    mu = np.divide(speed, work_days, out=np.zeros_like(speed), where=work_days > 0)
    tau = min(inp.patience, inp.days)
    cold, wait = mmc_patience(lam, mu, c, tau, service_scv(inp.durations[k]))
    util = np.divide(lam, c * mu, out=np.zeros_like(lam), where=(c * mu) > 0)
    return QueueState(cold, wait, util)


def _in_quarter(inp: SimInputs, lag: np.ndarray) -> np.ndarray:
    """Share of each week's arrivals closing inside the quarter ``lag`` days later (... x W)."""
    start = np.arange(inp.weeks) * eco.DAYS_PER_WEEK
    return np.clip((inp.days - start - lag) / eco.DAYS_PER_WEEK, 0.0, 1.0)


def congestion(d: ModelInputs, plan: Plan) -> Congestion:
    """The rep queues of ``plan`` (its spend, reps and hires) evaluated stage by stage: each
    pool's arrivals are the leads that survived the earlier stages' queues."""
    s = d.scenario
    if s.salesforce.unlimited:
        return Congestion.none(d)
    inp = build_sim_inputs(s, plan)
    K, R, C, W = len(inp.stages), len(inp.regions), len(inp.channels), inp.weeks
    survive = np.ones((R, C, W))  # share of leads of arrival week w not lost before stage k
    slip = np.zeros((R, C, W))
    reach = _reach(inp)
    intent_stage = _intent_stage(d)
    intent = np.ones((R, C))
    stats = []
    for k in range(K):
        if k == intent_stage:
            intent = _weighted(inp, survive)
        states, arrivals = {}, {}
        for p in map(int, np.flatnonzero(inp.pools.stage == k)):
            arrivals[p] = _pool_arrivals(inp, reach, survive, k, p)
            states[p] = _pool_queue(inp, arrivals[p], k, p)
        for p, q in states.items():
            region = int(inp.pools.region[p])
            chans = np.flatnonzero(inp.pools.of_stage[k, region] == p)
            survive[region, chans, :] *= (1.0 - q.cold)[None, :]
            slip[region, chans, :] += q.wait[None, :]
            stats.append((p, q, arrivals[p]))
    served = _served(d, inp, survive, slip)
    return _with_stats(inp, served, intent, stats)


def _intent_stage(d: ModelInputs) -> int:
    policy = d.scenario.policy.pilot_intent
    if policy is None:
        return -1
    return [st.id for st in d.scenario.funnel.stages].index(policy.stage)


def _weighted(inp: SimInputs, survive: np.ndarray) -> np.ndarray:
    """Arrival-weighted mean over weeks of ``survive`` (R x C)."""
    rate = inp.lead_rate.transpose(1, 2, 0)  # R x C x W
    total = rate.sum(axis=2)
    got = (rate * survive).sum(axis=2)
    return np.divide(got, total, out=np.ones_like(got), where=total > 0)


def _served(d: ModelInputs, inp: SimInputs, survive: np.ndarray, slip: np.ndarray) -> np.ndarray:
    """(R x S) in-quarter wins with the queues over wins without them, weighting each arrival
    week by the revenue its leads bring."""
    lag = eco.funnel_days(d.scenario)
    plain = _in_quarter(inp, np.full(slip.shape, lag))
    queued = _in_quarter(inp, lag + slip) * survive
    weight = inp.lead_rate.transpose(1, 2, 0)  # R x C x W, demand-shaped
    value = (weight * plain).sum(axis=2)
    got = (weight * queued).sum(axis=2)
    return np.divide(got, value, out=np.ones_like(got), where=value > 0)


def _with_stats(inp: SimInputs, served: np.ndarray, intent: np.ndarray,
                stats: list[tuple[int, QueueState, np.ndarray]]) -> Congestion:
    names, servers, util, cold, wait = [], [], [], [], []
    for p, q, lam in stats:
        names.append((inp.regions[int(inp.pools.region[p])], inp.stages[int(inp.pools.stage[p])],
                      ROLES[int(inp.pools.role[p])]))
        servers.append(int(inp.pools.servers[p]))
        total = lam.sum()
        util.append(float(q.utilisation.mean()))
        cold.append(float((lam * q.cold).sum() / total) if total > 0 else 0.0)
        kept = lam * (1.0 - q.cold)
        wait.append(float((kept * q.wait).sum() / kept.sum()) if kept.sum() > 0 else 0.0)
    return Congestion(served, intent, tuple(names), np.array(servers), np.array(util),
                      np.array(cold), np.array(wait))
