"""The plan's expected outcome: leads, wins, revenue and gross profit by region and channel,
and revenue by region x product line x week (what targets are phased on).

Leads come from the plan's spend through each channel's exact response curve, as the simulator
sees them (``response="exact"``), or through the model's pieces (``response="model"``, what the
optimiser promised). Organic leads and repeat orders appear as the channels ``organic`` and
``repeat``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from engine.economics import ORGANIC
from engine.optimize.inputs import ModelInputs
from engine.plan import Plan

REPEAT = "repeat"
OUTCOME_COLUMNS = ["region", "channel", "spend", "leads", "wins", "revenue", "gross_profit"]
Response = Literal["exact", "model"]


def spend_grid(d: ModelInputs, plan: Plan) -> np.ndarray:
    """The plan's spend as a region x channel array (money per quarter)."""
    grid = np.zeros((len(d.regions), len(d.channels)))
    rows = {r: i for i, r in enumerate(d.regions)}
    cols = {c: j for j, c in enumerate(d.channels)}
    for region, channel, spend in plan.spend[["region", "channel", "spend"]].itertuples(
        index=False
    ):
        if region in rows and channel in cols:
            grid[rows[region], cols[channel]] += float(spend)
    return grid


def lead_rates(d: ModelInputs, plan: Plan, response: Response = "exact") -> np.ndarray:
    """Leads per week by region and source (R x S, organic last)."""
    spend = spend_grid(d, plan)
    s = d.scenario
    rates = np.zeros((len(d.regions), len(d.channels) + 1))
    for i, region in enumerate(s.regions):
        for j, channel in enumerate(s.channels):
            if response == "model":
                rates[i, j] = d.pieces[i * len(d.channels) + j].value(spend[i, j])
            else:
                rates[i, j] = channel.response.leads_per_week(
                    spend[i, j], region.potential, s.horizon.weeks
                )
    rates[:, -1] = d.organic
    return rates


def expected_outcome(d: ModelInputs, plan: Plan, response: Response = "exact") -> pd.DataFrame:
    """``region, channel, spend, leads, wins, revenue, gross_profit`` over the quarter."""
    rates = lead_rates(d, plan, response)
    spend = np.hstack([spend_grid(d, plan), np.zeros((len(d.regions), 1))])
    revenue = rates * d.revenue.sum(axis=2)
    profit = revenue - rates * (d.units * d.unit_cost).sum(axis=2)
    rows = []
    sources = (*d.channels, ORGANIC)
    for i, region in enumerate(d.regions):
        for k, source in enumerate(sources):
            rows.append(
                [
                    region,
                    source,
                    spend[i, k],
                    rates[i, k] * d.lead_weeks[i, k],
                    rates[i, k] * d.wins[i, k],
                    revenue[i, k],
                    profit[i, k],
                ]
            )
        rep_rev = float(d.repeat_revenue[i].sum())
        rep_cost = float(d.repeat_units[i] @ d.unit_cost)
        rows.append([region, REPEAT, 0.0, 0.0, repeat_orders(d)[i], rep_rev, rep_rev - rep_cost])
    return pd.DataFrame(rows, columns=OUTCOME_COLUMNS)


def repeat_orders(d: ModelInputs) -> np.ndarray:
    """Repeat orders by region over the quarter."""
    per_order = np.array([p.units_per_order for p in d.scenario.products])
    return (d.repeat_units / per_order).sum(axis=1)


def weekly_line_revenue(d: ModelInputs, rates: np.ndarray) -> np.ndarray:
    """Expected revenue closing in each week by region and line (R x H x lines; money).

    A week-a arrival closes ``funnel_days`` later (``close_share``); repeat orders are spread
    evenly over the weeks.
    """
    by_line = np.zeros((len(d.products), len(d.lines)))
    by_line[np.arange(len(d.products)), d.line_of] = 1.0
    per_arrival = np.einsum(
        "rs,rsa,rs,rsp,sap,pl->ral", rates, d.demand, d.win_prob, d.units_per_win, d.price, by_line
    )
    closing = np.einsum("ral,aw->rwl", per_arrival, d.close_share)
    repeat = (d.repeat_revenue @ by_line) / d.weeks
    return closing + repeat[:, None, :]


def line_revenue_variance(d: ModelInputs, rates: np.ndarray) -> np.ndarray:
    """Variance of quarter revenue by region and line (R x lines; money squared).

    Each won or repeat order is an independent rare event (compound Poisson), so the variance
    is the sum over orders of the order value squared: ``revenue * value_per_order``.
    """
    by_line = np.zeros((len(d.products), len(d.lines)))
    by_line[np.arange(len(d.products)), d.line_of] = 1.0
    revenue = rates[:, :, None] * d.revenue
    orders = rates[:, :, None] * d.wins[:, :, None] * d.mix[None, :, :]
    value = np.divide(revenue, orders, out=np.zeros_like(revenue), where=orders > 0)
    per_order = np.array([p.units_per_order for p in d.scenario.products]) * d.list_price
    repeat = d.repeat_revenue * per_order[None, :]
    return ((revenue * value).sum(axis=1) + repeat) @ by_line
