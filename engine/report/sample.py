"""A realistic synthetic ``ReportData`` (13 weeks, 13 regions, 6 channels, 8 products).

For previews, documentation screenshots and tests of the output layer; the numbers are drawn
from a seeded ``numpy.random.Generator`` in the shape of the bundled ``base`` scenario, not
produced by the optimiser or the simulator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.report.data import Headline, Kind, ReportData

WEEKS = np.arange(1, 14)
REGIONS = ("shanghai", "beijing", "shenzhen", "guangzhou", "hangzhou", "chengdu", "wuhan",
           "nanjing", "xian", "kunming", "urumqi", "tier3_east", "tier3_west")
POTENTIAL = (2.2, 2.0, 1.8, 1.5, 1.3, 1.2, 1.0, 1.0, 0.6, 0.4, 0.3, 0.7, 0.5)
CHANNELS = ("online", "social", "offline", "distributor", "livestream", "group_buying")
PRODUCTS = ("aurora_pro", "aurora_home", "purifier_eco", "filter_pack", "heritage_tea",
            "heritage_gift", "daily_kit", "refill")
SAFETY = (30, 40, 250, 550, 150, 280, 650, 1200)
LINES = ("smart", "health_eco", "premium", "essentials")
HOSTILE_PRODUCT = "<script>alert('x')</script>"
HOSTILE_CHANNEL = "=cmd|' /C calc'!A0"


def _spend(rng: np.random.Generator, channels: tuple[str, ...]) -> pd.DataFrame:
    weights = rng.dirichlet(np.full(len(channels), 4.0))
    rows = [{"region": r, "channel": c, "spend": round(5.4e6 * p / sum(POTENTIAL) * w, -2)}
            for r, p in zip(REGIONS, POTENTIAL, strict=True)
            for c, w in zip(channels, weights, strict=True)]
    return pd.DataFrame(rows)


def _reps(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for region, potential in zip(REGIONS, POTENTIAL, strict=True):
        for role, per in (("field", 6), ("telesales", 8), ("support", 4)):
            on_hand = max(1, round(per * potential))
            hires, added = int(rng.integers(0, 3)), int(rng.integers(0, 2))
            rows.append({"region": region, "role": role, "on_hand": on_hand, "hires": hires,
                         "added": added, "reps": on_hand + hires + added})
    return pd.DataFrame(rows)


def _targets() -> pd.DataFrame:
    share = {"smart": 0.2, "health_eco": 0.3, "premium": 0.2, "essentials": 0.3}
    rows = [{"region": r, "line": line, "week": int(w),
             "target": round(60e6 * p / sum(POTENTIAL) * s / 13 * (0.9 + 0.015 * w), -2)}
            for r, p in zip(REGIONS, POTENTIAL, strict=True)
            for line, s in share.items() for w in WEEKS]
    return pd.DataFrame(rows)


def _fan(targets: pd.DataFrame) -> pd.DataFrame:
    weekly = 4.75e6 * (0.85 + 0.025 * WEEKS)
    p50 = np.cumsum(weekly)
    spread = 0.07 * p50 * np.sqrt(WEEKS / 13)
    target = targets.groupby("week")["target"].sum().cumsum().to_numpy()
    return pd.DataFrame({"week": WEEKS, "p10": p50 - 1.28 * spread, "p50": p50,
                         "p90": p50 + 1.28 * spread, "mean": p50 + 0.02 * spread,
                         "target": target})


def _stock(rng: np.random.Generator, products: tuple[str, ...]) -> pd.DataFrame:
    rows = []
    for product, safety in zip(products, SAFETY, strict=True):
        level, dip, depth = 3.0 * safety, int(rng.integers(4, 10)), rng.uniform(0.3, 0.7)
        for week in WEEKS:
            mid = level * (1 - depth * np.exp(-((week - dip) ** 2) / 6)) * rng.uniform(0.95, 1.05)
            rows.append({"week": int(week), "product": product, "p10": 0.7 * mid, "p50": mid,
                         "p90": 1.25 * mid, "safety_stock": float(safety)})
    return pd.DataFrame(rows)


def _alerts(stock: pd.DataFrame) -> pd.DataFrame:
    low = stock[stock["p10"] < stock["safety_stock"]]
    rows = [{"kind": "safety_stock", "subject": r["product"], "week": int(r["week"]),
             "detail": f"P10 stock {r['p10']:.0f} below safety stock {r['safety_stock']:.0f}"}
            for r in low.to_dict(orient="records")]
    rows.append({"kind": "funnel_bottleneck", "subject": "proposal", "week": None,
                 "detail": "support hours bind: leads wait 6.2 days on average"})
    rows.append({"kind": "milestone_lag", "subject": "kunming", "week": 4,
                 "detail": "month-one intent customers 96 of 120"})
    return pd.DataFrame(rows, columns=["kind", "subject", "week", "detail"])


def _funnel() -> pd.DataFrame:
    return pd.DataFrame({
        "stage": ["qualify", "demo", "proposal", "negotiate"],
        "entered": [41200.0, 23900.0, 12300.0, 7400.0],
        "converted": [23900.0, 12300.0, 7400.0, 4500.0],
        "cold": [900.0, 400.0, 1500.0, 200.0],
        "bottleneck": [False, False, True, False]})


def _cash() -> pd.DataFrame:
    received = np.cumsum(3.0e6 * np.clip(WEEKS - 3, 0, None) ** 0.5)
    owed = 4.6e6 * np.minimum(WEEKS, 6) - 0.2e6 * np.clip(WEEKS - 6, 0, None)
    rows = [{"week": int(w), "metric": m, "p10": v * 0.9, "p50": v, "p90": v * 1.1}
            for m, series in (("cash", received), ("receivables", owed))
            for w, v in zip(WEEKS, series, strict=True)]
    return pd.DataFrame(rows)


def _kpis() -> pd.DataFrame:
    rows = [("revenue", 60.9e6, 0.21e6), ("gross_profit", 29.4e6, 0.11e6),
            ("net_contribution", 11.2e6, 0.09e6), ("target", 60.2e6, 0.0),
            ("attainment", 1.012, 0.004), ("hit_target", 0.58, 0.035),
            ("new_product_share", 0.163, 0.002), ("fill_rate", 0.962, 0.003),
            ("stockout_days", 3.1, 0.4), ("dso", 41.5, 0.3)]
    return pd.DataFrame([{"metric": m, "mean": v, "se": se, "p10": v - 4 * se * 1.3,
                          "p50": v, "p90": v + 4 * se * 1.3} for m, v, se in rows])


def _shadow_prices() -> pd.DataFrame:
    return pd.DataFrame([
        ("budget", "budget", "one more ¥ of marketing budget", 0.84, "¥ per ¥"),
        ("rep_capacity[shanghai,support]", "rep_capacity", "one more support rep in Shanghai",
         41200.0, "¥ per rep"),
        ("margin_floor[distributor]", "margin_floor", "one point lower distributor margin floor",
         18500.0, "¥ per point"),
        ("new_product_share", "new_product_share", "one point lower new-product share", -9200.0,
         "¥ per point"),
        ("headcount_cap", "headcount_cap", "one more head in the cap", 15800.0, "¥ per rep"),
    ], columns=["constraint", "family", "meaning", "value", "unit"])


def _comparison() -> pd.DataFrame:
    rows = []
    for scenario, shift in (("base", 0.0), ("price-war", -0.08), ("digital-shift", 0.03)):
        for metric, value in (("revenue", 60.9e6), ("gross_profit", 29.4e6),
                              ("hit_target", 0.58)):
            v = value * (1 + shift) if metric != "hit_target" else value + shift * 3
            diff = v - value
            base = scenario == "base"
            rows.append({"scenario": scenario, "metric": metric, "p10": v * 0.93, "p50": v,
                         "p90": v * 1.07, "diff_mean": np.nan if base else diff,
                         "diff_lo": np.nan if base else diff - abs(value) * 0.012,
                         "diff_hi": np.nan if base else diff + abs(value) * 0.012,
                         "prob_better": np.nan if base else float(diff > 0) * 0.98 + 0.01})
    return pd.DataFrame(rows)


def _frontier() -> pd.DataFrame:
    budget = 6.0e6 * np.linspace(0.8, 1.2, 9)
    objective = 29.4e6 + 9.0e6 * (1 - np.exp(-(budget - 4.8e6) / 2.5e6)) - 9.0e6 * (
        1 - np.exp(-1.2e6 / 2.5e6))
    price = 9.0e6 / 2.5e6 * np.exp(-(budget - 4.8e6) / 2.5e6)
    return pd.DataFrame({"budget": budget, "objective": objective, "revenue": 2.05 * objective,
                         "shadow_price": price, "current": np.isclose(budget, 6.0e6)})


def sample_report_data(kind: Kind = "run", *, seed: int = 7, hostile: bool = False) -> ReportData:
    """A full synthetic report of ``kind``; ``hostile`` renames a product and a channel to
    markup and a spreadsheet formula (to test escaping and neutralisation)."""
    rng = np.random.default_rng(seed)
    channels = (*CHANNELS[:-1], HOSTILE_CHANNEL) if hostile else CHANNELS
    products = (HOSTILE_PRODUCT, *PRODUCTS[1:]) if hostile else PRODUCTS
    targets = _targets()
    stock = _stock(rng, products)
    tables = {"spend": _spend(rng, channels), "reps": _reps(rng), "targets": targets,
              "revenue_fan": _fan(targets), "funnel": _funnel(), "stock": stock,
              "cash": _cash(), "kpis": _kpis(), "alerts": _alerts(stock),
              "shadow_prices": _shadow_prices()}
    if kind == "compare":
        tables["comparison"] = _comparison()
    if kind == "sweep":
        tables["frontier"] = _frontier()
    headline = [
        Headline("Gross profit", 27.9e6, 29.4e6, 30.8e6, "money", "objective"),
        Headline("Revenue", 57.8e6, 60.9e6, 64.0e6, "money"),
        Headline("Chance of hitting target", 0.58, 0.58, 0.58, "share", "target ¥60.2M"),
        Headline("Marketing spend", 5.4e6, 5.4e6, 5.4e6, "money", "10% reserve held back"),
        Headline("Fill rate", 0.94, 0.962, 0.98, "share"),
    ]
    meta = {"seed": 20261128, "replications": 200, "created": "2026-01-05 09:30:00"}
    return ReportData(title="Quarter plan — base", scenario="base", currency="¥",
                      headline=headline, tables=tables, meta=meta, kind=kind)
