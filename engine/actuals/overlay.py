"""Next quarter's parameters as a scenario overlay: a short YAML file that ``extends:`` the
scenario the actuals were reviewed against and overrides only what the actuals moved."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from engine.actuals.beliefs import Beliefs
from engine.files import atomic_write
from engine.scenario.schema import Scenario


def _sig(value: float) -> float:
    """Four significant digits: enough for a planner, stable in a diff."""
    return float(f"{value:.4g}")


def overlay_document(beliefs: Beliefs, extends: str) -> dict[str, Any]:
    """The overlay as a mapping: ``extends`` and the applied beliefs' posterior means."""
    s: Scenario = beliefs.scenario
    applied = beliefs.table[beliefs.table.applied]
    params = set(applied.parameter)
    doc: dict[str, Any] = {"extends": extends}
    stages = [{"id": st.id, "conversion": _sig(st.conversion)} for st in s.funnel.stages
              if f"funnel.stages[{st.id}].conversion" in params]
    if stages:
        doc["funnel"] = {"stages": stages}
    channels = []
    for c in s.channels:
        field = "cost_per_lead" if c.response.kind == "linear" else "max_leads"
        if f"channels[{c.id}].response.{field}" in params:
            channels.append({"id": c.id,
                             "response": {field: _sig(getattr(c.response, field))}})
    if channels:
        doc["channels"] = channels
    regions = [_region(r, params) for r in s.regions]
    regions = [r for r in regions if len(r) > 1]
    if regions:
        doc["regions"] = regions
    if any(p.endswith("].lead_rate") for p in params):
        doc["pricing"] = {"competitor_shocks": [
            {k: (_sig(v) if isinstance(v, float) else v)
             for k, v in shock.model_dump().items()}
            for shock in s.pricing.competitor_shocks]}
    if "customers.repurchase (pooled)" in params:
        doc["customers"] = [_customer(g) for g in s.customers
                            if g.kind in ("existing", "key_account", "dormant")]
    return doc


def _region(r: Any, params: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": r.id}
    for field in ("organic_leads", "conversion_multiplier"):
        if f"regions[{r.id}].{field}" in params:
            out[field] = _sig(getattr(r, field))
    return out


def _customer(g: Any) -> dict[str, Any]:
    field = "reactivation_rate" if g.kind == "dormant" else "repurchase_rate"
    return {"id": g.id, field: _sig(getattr(g, field))}


def _header(beliefs: Beliefs, source: str) -> str:
    t = beliefs.table
    applied = t[t.applied]
    level = round(100 * beliefs.options.level)
    lines = [
        f"# Next quarter's parameters estimated from {source}.",
        f"# Prior: the scenario, worth {beliefs.options.prior_strength:g} pseudo-observations "
        f"per parameter; {level}% credible intervals.",
        "#",
    ]
    for name, prior, post, low, high in zip(applied.parameter, applied.prior, applied.posterior,
                                            applied.low, applied.high, strict=True):
        lines.append(f"# {name}: {_sig(float(prior))} -> {_sig(float(post))} "
                     f"[{_sig(float(low))}, {_sig(float(high))}]")
    return "\n".join(lines) + "\n"


def write_overlay(beliefs: Beliefs, scenario_path: str | Path, path: str | Path,
                  source: str = "actuals") -> Path:
    """Write the overlay to ``path``; its ``extends:`` points at ``scenario_path`` relative to
    the overlay's folder, so ``engine.load_scenario(path)`` resolves it."""
    target = Path(path)
    extends = os.path.relpath(Path(scenario_path).resolve(), target.resolve().parent)
    doc = overlay_document(beliefs, extends)
    body = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100,
                          default_flow_style=None)
    return atomic_write(target, _header(beliefs, source) + body)


def overlay_frame(beliefs: Beliefs) -> pd.DataFrame:
    """The applied beliefs as a table: ``parameter, prior, posterior, low, high, moved``."""
    t = beliefs.table
    return t[t.applied][["parameter", "prior", "posterior", "low", "high", "moved"]]
