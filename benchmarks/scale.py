"""Scale scenarios for the benchmarks: small, medium and large quarters.

``write_scale_scenarios()`` writes ``benchmarks/scenarios/{small,medium,large}.yaml`` with their
region and product tables as CSV files beside them (the way a planner would keep a large
scenario). The numbers are drawn once from a fixed seed, so the files are the same every time.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from engine.files import atomic_write

SIZES: dict[str, tuple[int, int, int]] = {
    "small": (10, 5, 10),
    "medium": (50, 6, 30),
    "large": (200, 6, 50),
}
"""Name -> (regions, channels, products)."""

FOLDER = Path(__file__).parent / "scenarios"
CHANNELS = ["online", "social", "offline", "distributor", "livestream", "group_buying"]
KINDS = ["key_city", "core", "core", "core", "pilot", "lower_tier"]
LINES = ["smart", "health_eco", "premium", "essentials", "services"]


def _regions(n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        kind = "key_city" if i < max(1, n // 20) else KINDS[1 + i % (len(KINDS) - 1)]
        potential = round(float(rng.uniform(0.3, 2.2)), 2)
        scale = max(1, round(potential * 6))
        rows.append(
            {
                "id": f"r{i:03d}",
                "kind": kind,
                "potential": potential,
                "reps.field": scale,
                "reps.telesales": round(scale * 1.3),
                "reps.support": max(1, scale // 2),
                "max_hires.field": 2,
                "max_hires.telesales": 3,
                "max_hires.support": 1,
                "visits_per_week": 20 if kind == "key_city" else 0,
                "key_accounts": 10 if kind == "key_city" else 2,
                "sub_agents": 3 if kind == "lower_tier" else 0,
                "organic_leads": round(potential * 15, 1),
            }
        )
    return rows


def _products(n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    weights = rng.uniform(0.5, 1.5, n)
    mix = np.round(weights / weights.sum(), 6)
    mix[-1] = round(1.0 - float(mix[:-1].sum()), 6)
    rows = []
    for j in range(n):
        price = float(np.round(rng.uniform(500, 20000), -1))
        rows.append(
            {
                "id": f"p{j:03d}",
                "line": LINES[j % len(LINES)],
                "price": price,
                "unit_cost": round(price * float(rng.uniform(0.4, 0.65)), 2),
                "new": j < 2,
                "units_per_order": 1 + j % 3,
                "mix": float(mix[j]),
            }
        )
    return rows


def _channels(n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    return [
        {
            "id": cid,
            "response": {
                "kind": "hill" if k % 2 == 0 else "exponential",
                "max_leads": round(float(rng.uniform(60, 150))),
                "half_saturation": round(float(rng.uniform(5e4, 1.5e5)), -3),
                **({"shape": 0.9} if k % 2 == 0 else {}),
            },
            "quality": round(float(rng.uniform(0.7, 1.3)), 2),
            "price_realisation": round(float(rng.uniform(0.78, 0.97)), 2),
            "role": "field" if cid in ("offline", "distributor") else "telesales",
        }
        for k, cid in enumerate(CHANNELS[:n])
    ]


def make_scale_scenario(regions: int, channels: int, products: int, seed: int = 1) -> dict:
    """A scenario document of the given size; region and product tables included inline."""
    rng = np.random.default_rng(seed)
    region_rows, product_rows = _regions(regions, rng), _products(products, rng)
    total_potential = sum(r["potential"] for r in region_rows)
    return {
        "name": f"scale-{regions}x{channels}x{products}",
        "description": f"Synthetic quarter: {regions} regions, {channels} channels, "
        f"{products} products.",
        "budget": {"total": round(total_potential * 4.2e5, -3), "reserve_share": 0.1},
        "regions": region_rows,
        "products": product_rows,
        "channels": _channels(channels, rng),
        "customers": [
            {"id": "prospects", "kind": "new", "lead_share": 0.85},
            {
                "id": "finance",
                "kind": "vertical",
                "lead_share": 0.15,
                "conversion_multiplier": 0.8,
                "order_multiplier": 2.0,
            },
            {
                "id": "repeat",
                "kind": "existing",
                "size": regions * 1200,
                "repurchase_rate": 0.2,
                "churn_rate": 0.04,
            },
        ],
        "funnel": {
            "patience_days": 10,
            "stages": [
                {
                    "id": "qualify",
                    "conversion": 0.6,
                    "role": "telesales",
                    "hours": 0.5,
                    "duration": {"dist": "fixed", "mean": 1},
                },
                {
                    "id": "demo",
                    "conversion": 0.55,
                    "hours": 1.5,
                    "duration": {"dist": "exponential", "mean": 4},
                },
                {
                    "id": "proposal",
                    "conversion": 0.65,
                    "role": "support",
                    "hours": 2.0,
                    "duration": {"dist": "lognormal", "mean": 5, "sd": 2},
                },
                {
                    "id": "negotiate",
                    "conversion": 0.6,
                    "hours": 1.0,
                    "duration": {"dist": "exponential", "mean": 6},
                },
            ],
        },
        "salesforce": {
            "roles": {
                "field": {"hours_per_week": 30, "cost": 54000},
                "telesales": {"hours_per_week": 36, "cost": 27000},
                "support": {"hours_per_week": 32, "cost": 40000},
            },
            "ramp": {"weeks": 8, "start": 0.3},
            "hiring_limit": regions * 2,
        },
        "inventory": _inventory(product_rows, regions),
        "collections": {
            "tiers": [
                {
                    "id": "A",
                    "share": 0.6,
                    "terms_days": 30,
                    "late_probability": 0.05,
                    "late_days": 10,
                },
                {
                    "id": "B",
                    "share": 0.4,
                    "terms_days": 45,
                    "late_probability": 0.2,
                    "late_days": 20,
                },
            ]
        },
        "policy": {"objective": "gross_profit", "new_product_share_min": 0.02},
        "simulation": {"replications": 100, "seed": 1},
    }


def _inventory(products: list[dict[str, Any]], regions: int) -> dict[str, Any]:
    weekly_orders = regions * 90
    stock = []
    for p in products:
        weekly = weekly_orders * p["mix"] * p["units_per_order"]
        stock.append(
            {
                "product": p["id"],
                "on_hand": round(weekly * 5),
                "safety_stock": round(weekly * 1.5),
                "reorder_point": round(weekly * 4),
                "reorder_qty": round(weekly * 4),
                "supplier": "main",
                "backup": "fast",
            }
        )
    return {
        "suppliers": [
            {"id": "main", "lead_time": {"dist": "lognormal", "mean": 18, "sd": 5}},
            {
                "id": "fast",
                "lead_time": {"dist": "lognormal", "mean": 5, "sd": 1.5},
                "cost_premium": 0.2,
            },
        ],
        "stock": stock,
    }


def _csv(rows: list[dict[str, Any]]) -> str:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_scale_scenarios(folder: Path = FOLDER) -> dict[str, Path]:
    """Write every size's scenario (YAML + region and product CSVs); return name -> YAML path."""
    paths = {}
    for name, (n_regions, n_channels, n_products) in SIZES.items():
        doc = make_scale_scenario(n_regions, n_channels, n_products)
        for table in ("regions", "products"):
            atomic_write(folder / f"{name}-{table}.csv", _csv(doc[table]))
            doc[table] = f"{name}-{table}.csv"
        text = f"# {name}: {n_regions} regions x {n_channels} channels x {n_products} products\n"
        paths[name] = atomic_write(
            folder / f"{name}.yaml", text + yaml.safe_dump(doc, sort_keys=False)
        )
    return paths


if __name__ == "__main__":
    for size, path in write_scale_scenarios().items():
        print(f"{size}: {path}")
