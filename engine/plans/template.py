"""Writing a plan as a file a planner edits: CSV (spend only), Excel (sheets ``spend`` and
``reps``) or YAML (both tables). Targets are left out on purpose: an edited split gets targets
from its own forecast when compared or simulated.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import yaml

from engine.errors import UsageError
from engine.files import atomic_write
from engine.plan import Plan

TEMPLATE_FORMATS = (".csv", ".xlsx", ".yaml", ".yml")


def _tables(plan: Plan) -> tuple[pd.DataFrame, pd.DataFrame]:
    spend = plan.spend[["region", "channel", "spend"]].copy()
    spend["spend"] = spend.spend.astype(float).round(2)
    reps = plan.reps[["region", "role", "reps"]].copy()
    reps["reps"] = reps.reps.astype(int)
    return spend, reps


def _xlsx(spend: pd.DataFrame, reps: pd.DataFrame) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for i, (name, frame) in enumerate((("spend", spend), ("reps", reps))):
        sheet = book.active if i == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = name
        sheet.append(list(frame.columns))
        for record in frame.itertuples(index=False):
            sheet.append(list(record))
        for column, width in zip("ABC", (14, 14, 14), strict=True):
            sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _yaml(plan: Plan, spend: pd.DataFrame, reps: pd.DataFrame) -> str:
    head = (f"# Plan for scenario {plan.scenario} ({plan.source or 'optimizer'}): edit the "
            "amounts and head counts.\n# Targets are left out: they come from the plan's own "
            "forecast.\n")
    body = {"scenario": plan.scenario,
            "spend": spend.to_dict(orient="records"),
            "reps": reps.to_dict(orient="records")}
    return head + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)


def write_template(plan: Plan, path: str | Path, overwrite: bool = False) -> Path:
    """Write ``plan`` to ``path`` in the format of its extension (atomically); an existing
    file is refused unless ``overwrite``."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in TEMPLATE_FORMATS:
        raise UsageError(f"--out {path}: a plan template is .csv, .xlsx or .yaml")
    if target.exists() and not overwrite:
        raise UsageError(f"--out {path}: the file exists (pass --overwrite to replace it)")
    spend, reps = _tables(plan)
    if suffix == ".csv":
        return atomic_write(target, spend.to_csv(index=False))
    if suffix == ".xlsx":
        return atomic_write(target, _xlsx(spend, reps))
    return atomic_write(target, _yaml(plan, spend, reps))
