"""``quarterplan review``: load the files, review the quarter, write the overlay, render text.

``review_files`` is what the command calls; ``render_review`` turns a ``Review`` into the text
the command prints; ``review_frame`` is its tidy CSV form.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import engine
from engine.actuals import load_actuals
from engine.actuals.beliefs import BeliefOptions
from engine.actuals.overlay import overlay_frame, write_overlay
from engine.commands.names import named
from engine.jobs.review import Review, check_reviewable, review, rule_plan, with_tiers
from engine.kpis import format_kpi
from engine.output import render_table
from engine.plan import read_plan
from engine.report.data import ReportData


def default_overlay_path(actuals: str | Path) -> Path:
    """``<actuals folder>/<actuals name>-next.yaml``."""
    p = Path(actuals)
    return p.with_name(f"{p.stem}-next.yaml")


def review_files(
    actuals: str | Path,
    scenario: str | Path | None = None,
    plan: str | Path | None = None,
    overlay: str | Path | None = None,
    prior_strength: float = 100.0,
) -> tuple[Review, Path | None]:
    """Review the actuals file; with a scenario also write next quarter's overlay. Targets are
    the actuals' own, else the plan's, else (with a scenario) the scenario's target rule's.

    Returns the review and the overlay's path (``None`` without a scenario).
    """
    s = engine.load_scenario(scenario) if scenario is not None else None
    a = load_actuals(actuals, s)
    p = read_plan(plan) if plan is not None else None
    if p is None and s is not None and not a.has("target"):
        check_reviewable(a)  # before the pilot forecast, not after
        p = rule_plan(s)
    result = review(a, s, p, BeliefOptions(prior_strength=prior_strength))
    if s is not None:
        result = with_tiers(result, a, s, p)
    if result.beliefs is None or scenario is None:
        return result, None
    target = Path(overlay) if overlay is not None else default_overlay_path(actuals)
    return result, write_overlay(result.beliefs, scenario, target, Path(actuals).name)


def attainment_text(table: pd.DataFrame, currency: str) -> pd.DataFrame:
    """An attainment table as text: money with the currency, attainment as a percentage."""
    out = pd.DataFrame({"id": table["id"]})
    for column in ("revenue", "target", "attainment"):
        if column in table.columns:
            out[column] = [format_kpi(column, float(v), currency) for v in table[column]]
    return out


def named_attainment(r: Review, names: dict[str, dict[str, str]]) -> pd.DataFrame:
    """``Review.attainment`` with regions under their display names."""
    regions = names.get("region", {})
    ids = [regions.get(str(i), i) if by == "region" else i
           for by, i in zip(r.attainment["by"], r.attainment["id"], strict=True)]
    return r.attainment.assign(id=ids)


def _attainment_lines(r: Review, currency: str, names: dict[str, dict[str, str]]) -> list[str]:
    out = []
    shown = named_attainment(r, names)
    for by in ("region", "line"):
        table = shown[shown.by == by].drop(columns="by")
        if table.target.isna().all():
            table = table.drop(columns=["target", "attainment"])
        text = attainment_text(table, currency).rename(columns={"id": by})
        out.append(render_table(text, f"Revenue by {by}",
                                right=("revenue", "target", "attainment")))
    return out


def render_review(r: Review, overlay: Path | None = None, currency: str = "",
                  names: dict[str, dict[str, str]] | None = None) -> str:
    """The review as aligned text tables (display names from ``names``, see
    ``engine.commands.names``), warnings first, with the bottleneck and the overlay written."""
    names = names or {}
    parts = [f"Review of weeks 1-{r.weeks}", *(f"warning: {w}" for w in r.warnings), "",
             *_attainment_lines(r, currency, names)]
    if r.tiers is not None:
        tiers = attainment_text(r.tiers.rename(columns={"tier": "id"}), currency)
        parts.append(render_table(tiers.rename(columns={"id": "tier"}),
                                  "Revenue by customer tier", right=("revenue", "target",
                                                                     "attainment")))
    parts.append(render_table(r.funnel, "Funnel (conversion per stage)"))
    if r.bottleneck:
        parts.append(f"Bottleneck: {r.bottleneck}\n")
    parts.append(render_table(r.customers, "New and repeat customers"))
    parts.append(render_table(named(r.channels, names), "Channel contribution"))
    if len(r.stock):
        parts.append(render_table(r.stock, "Stock-outs"))
    if r.beliefs is not None:
        parts.append(render_table(overlay_frame(r.beliefs), "Next quarter's estimates"))
    if overlay is not None:
        parts.append(f"Wrote {overlay} (extends the scenario; load it as a scenario)\n")
    return "\n".join(parts)


def review_frame(r: Review) -> pd.DataFrame:
    """Every table of the review in one long frame: ``table, key, metric, value``."""
    parts = []
    for name, frame, key in (("attainment", r.attainment, "id"), ("funnel", r.funnel, "stage"),
                             ("channels", r.channels, "channel"), ("stock", r.stock, "product")):
        long = frame.drop(columns=["by"], errors="ignore").melt(id_vars=[key],
                                                                var_name="metric")
        parts.append(long.rename(columns={key: "key"}).assign(table=name))
    parts.append(r.customers.rename(columns={"measure": "metric"}).assign(table="customers",
                                                                          key=""))
    return pd.concat(parts)[["table", "key", "metric", "value"]].reset_index(drop=True)


def report_data(r: Review, scenario_name: str, currency: str,
                names: dict[str, dict[str, str]] | None = None) -> ReportData:
    """The review for the run folder and HTML report (kind ``review``): attainment (a share),
    funnel, customers, channels, stock-outs and next quarter's estimates, under display names;
    the warnings about partial actuals in the meta."""
    names = names or {}
    tables = {"attainment": named_attainment(r, names), "review_funnel": r.funnel,
              "customers": r.customers, "channels": named(r.channels, names),
              "stock_outs": named(r.stock, names)}
    if r.tiers is not None:
        tables["tier_attainment"] = r.tiers
    if r.beliefs is not None:
        tables["next_quarter"] = overlay_frame(r.beliefs)
    meta = {"weeks": r.weeks, "bottleneck": r.bottleneck or "",
            "warnings": "; ".join(r.warnings) or "none"}
    return ReportData(title=f"Review of weeks 1-{r.weeks}", scenario=scenario_name,
                      currency=currency, headline=[], tables=tables, meta=meta, kind="review")
