"""The plan's decisions as columns: spend and its response pieces, leads, added hires, backup
supply. Each ``define_*`` function takes the model and its inputs and adds one kind."""

from __future__ import annotations

import numpy as np

from engine.optimize.inputs import ModelInputs
from engine.optimize.model import INF, PlanModel
from engine.scenario.schema.common import ROLES


def _grid(m: PlanModel, key: str, shape: tuple[int, ...]) -> np.ndarray:
    m.index[key] = np.full(shape, -1, dtype=np.int64)
    return m.index[key]


def define_spend_variables(m: PlanModel, d: ModelInputs) -> None:
    """``spend[r,c]`` (money per quarter), ``leads[r,c]`` (per week) and the pieces between.

    Spend has no upper bound of its own (the budget and spend-bound rows limit it, and a
    duplicate bound would make their shadow prices ambiguous); so the last piece is open-ended
    and extends the last chord beyond the spend the pieces were built for.

    Rows ``spend_pieces[r,c]`` (spend is the sum of its pieces) and ``lead_response[r,c]``
    (leads are the base rate plus each piece times its slope) tie them together.
    """
    spend, leads = (
        _grid(m, "spend", (len(d.regions), len(d.channels))),
        _grid(m, "leads", (len(d.regions), len(d.channels))),
    )
    for i, region in enumerate(d.regions):
        for j, channel in enumerate(d.channels):
            key = f"{region},{channel}"
            curve = d.pieces[i * len(d.channels) + j]
            locked = d.locked.get((i, j))
            lower, upper = (locked, locked) if locked is not None else (0.0, INF)
            spend[i, j] = m.add_columns([f"spend[{key}]"], [lower], [upper])[0]
            leads[i, j] = m.add_columns([f"leads[{key}]"], [0.0], [INF])[0]
            widths = np.append(curve.widths[:-1], INF) if len(curve.widths) else curve.widths
            cols = m.add_columns(
                [f"piece[{key},{k}]" for k in range(len(widths))], np.zeros(len(widths)), widths
            )
            m.add_row(
                f"spend_pieces[{key}]",
                "spend_pieces",
                (np.append(spend[i, j], cols), np.append(1.0, -np.ones(len(cols)))),
                0.0,
                0.0,
            )
            m.add_row(
                f"lead_response[{key}]",
                "lead_response",
                (np.append(leads[i, j], cols), np.append(1.0, -curve.slopes)),
                curve.base,
                curve.base,
            )


def define_rep_variables(m: PlanModel, d: ModelInputs) -> None:
    """``added[r,o]``: hires the plan adds beyond the scenario's (whole people unless relaxed),
    up to the region's ``max_hires``."""
    added = _grid(m, "added", d.max_added.shape)
    for i, region in enumerate(d.regions):
        for k, role in enumerate(ROLES):
            if d.max_added[i, k] > 0:
                added[i, k] = m.add_columns(
                    [f"added[{region},{role}]"], [0.0], [d.max_added[i, k]], d.integer_reps
                )[0]


def define_backup_variables(m: PlanModel, d: ModelInputs) -> None:
    """``backup[p]``: units bought from the backup supplier (at its premium) for products whose
    supply is limited."""
    backup = _grid(m, "backup", (len(d.products),))
    for p, product in enumerate(d.products):
        if np.isfinite(d.supply.limit[p]) and d.supply.backup[p] > 0:
            backup[p] = m.add_columns([f"backup[{product}]"], [0.0], [d.supply.backup[p]])[0]
