"""The HTML report: one self-contained file (inline CSS and SVG, no script, no download).

``render_html(data)`` lays out a header, the headline cards, a table of contents and one
section per table the run produced (see ``engine.report.sections``), then the run's facts
(seed, versions). A Content-Security-Policy forbids scripts and any network access, so the page
opens offline and nothing in it can run even if a scenario name were hostile (all text is
escaped anyway).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.report import sections as s
from engine.report.data import TABLE_COLUMNS, Headline, ReportData
from engine.report.formatting import format_value
from engine.report.svg import esc

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
BUILDERS: tuple[Callable[[ReportData], s.Section | None], ...] = (
    s.plans_section, s.revenue_section, s.spend_section, s.funnel_section, s.stock_section,
    s.cash_section,
    s.kpis_section, s.reps_section, s.targets_section, s.shadow_prices_section,
    s.alerts_section,
)
LEADING: dict[str, Callable[[ReportData], s.Section | None]] = {
    "compare": s.comparison_section,
    "sweep": s.frontier_section,
    "recalibrate": s.explanation_section,
}
"""The section a kind of report opens with, before the usual ones."""

KIND_LABEL = {"run": "Plan and simulation", "compare": "Comparison",
              "sweep": "Budget sweep", "recalibrate": "Mid-quarter re-plan",
              "simulate": "Simulation", "optimize": "Optimised plan",
              "review": "Quarter review"}

CSS = """
:root{--ink:#1f2933;--muted:#616e7c;--line:#e4e7eb;--bg:#f4f6f9;--card:#fff;--accent:#2456a6}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,
"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-print-color-adjust:exact;
print-color-adjust:exact}
header{background:#1c3d73;color:#fff;padding:28px 0 24px}
.wrap{max-width:1120px;margin:0 auto;padding:0 28px}
header h1{margin:0 0 6px;font-size:26px;font-weight:650;letter-spacing:-.01em}
header .sub{color:#c9d6ea;font-size:13.5px}
.badge{display:inline-block;background:rgba(255,255,255,.14);border-radius:10px;
padding:1px 10px;margin-right:8px;font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:14px;
margin:-14px 0 18px}
.card{background:var(--card);border-radius:8px;padding:14px 16px;
box-shadow:0 1px 3px rgba(16,24,40,.12)}
.card .label{color:var(--muted);font-size:12.5px;font-weight:500;white-space:nowrap;
overflow:hidden;text-overflow:ellipsis}
.card .value{font-size:24px;font-weight:650;margin:2px 0;font-variant-numeric:tabular-nums}
.card .band{color:var(--muted);font-size:12.5px;font-variant-numeric:tabular-nums}
.card .note{color:var(--muted);font-size:12px;margin-top:4px}
nav{margin:0 0 18px;font-size:13px;display:flex;flex-wrap:wrap;gap:4px 16px}
nav a{color:var(--accent);text-decoration:none;white-space:nowrap}
section{background:var(--card);border-radius:8px;padding:18px 22px 20px;margin:0 0 18px;
box-shadow:0 1px 3px rgba(16,24,40,.12)}
section h2{margin:0 0 6px;font-size:18px;font-weight:650}
.lead{margin:0 0 12px;color:#3e4c59}
figure{margin:8px 0 14px}
figure svg{width:100%;height:auto;display:block}
figcaption{color:var(--muted);font-size:12px;margin-top:2px}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:18px}
.table-wrap{overflow-x:auto;margin:6px 0 10px}
table{border-collapse:collapse;width:100%;font-size:13px}
caption{text-align:left;font-weight:600;padding:4px 0 6px}
th{background:#eef2f8;text-align:left;font-weight:600;padding:6px 10px;
border-bottom:1px solid #cbd2d9;white-space:nowrap}
td{padding:5px 10px;border-bottom:1px solid var(--line)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tbody tr:nth-child(even){background:#fafbfc}
.note{color:var(--muted);font-size:12px;margin:0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:0;
font-size:13px}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;font-variant-numeric:tabular-nums}
footer{color:var(--muted);font-size:12px;padding:4px 0 28px}
@media (max-width:800px){.pair{grid-template-columns:1fr}}
@media print{
 body{background:#fff;font-size:12px}
 header{background:#fff;color:var(--ink);padding:0 0 8px;border-bottom:2px solid var(--ink)}
 header .sub{color:var(--muted)}
 .badge{background:#eef2f8}
 .cards{margin:10px 0}
 nav{display:none}
 section,.card{box-shadow:none;border:1px solid var(--line);break-inside:avoid}
 figure,table{break-inside:avoid}
}
"""


def _card(item: Headline, currency: str) -> str:
    """One headline figure: its P50 in large type and the P10–P90 band under it."""
    p50 = format_value(item.p50, item.unit, currency)
    band = ""
    if item.p10 != item.p90:
        low, high = (format_value(v, item.unit, currency) for v in (item.p10, item.p90))
        band = f'<div class="band">P10–P90: {esc(low)} – {esc(high)}</div>'
    note = f'<div class="note">{esc(item.note)}</div>' if item.note else ""
    label = esc(item.label)
    return (f'<div class="card"><div class="label" title="{label}">{label}</div>'
            f'<div class="value">{esc(p50)}</div>{band}{note}</div>')


def _sections(data: ReportData) -> list[s.Section]:
    """The sections this report has, in reading order for its kind."""
    lead = LEADING.get(data.kind)
    ordered = ([lead] if lead else []) + list(BUILDERS)
    ordered += [b for b in LEADING.values() if b is not lead]
    found = [section for build in ordered if (section := build(data)) is not None]
    other = s.other_section(data, set(TABLE_COLUMNS))
    return found + ([other] if other else [])


def _plain_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """The meta shown under "About this run" (the re-plan's explanation has its own section)."""
    return {k: v for k, v in meta.items() if k != "explanation"}


def _facts(meta: dict[str, Any]) -> str:
    """The run's facts (seed, versions, created time) as a definition list."""
    rows = "".join(f"<dt>{esc(k)}</dt><dd>{esc(_fact(v))}</dd>" for k, v in meta.items())
    return f'<dl class="facts">{rows}</dl>'


def _fact(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


def _header(data: ReportData) -> str:
    created = data.meta.get("created", "")
    seed = data.meta.get("seed")
    sub = [f"Scenario <b>{esc(data.scenario)}</b>"]
    sub += [f"created {esc(created)}"] if created else []
    sub += [f"seed {esc(seed)}"] if seed is not None else []
    return (f'<header><div class="wrap"><h1>{esc(data.title)}</h1>'
            f'<div class="sub"><span class="badge">{esc(KIND_LABEL[data.kind])}</span>'
            f'{" · ".join(sub)}</div></div></header>')


def render_html(data: ReportData) -> str:
    """The whole report as one HTML document (UTF-8 text)."""
    sections = _sections(data)
    cards = "".join(_card(h, data.currency) for h in data.headline)
    nav = "".join(f'<a href="#{a}">{esc(t)}</a>' for a, t, _ in sections)
    body = "".join(f'<section id="{a}"><h2>{esc(t)}</h2>{html}</section>'
                   for a, t, html in sections)
    facts = f'<section id="about"><h2>About this run</h2>{_facts(_plain_meta(data.meta))}</section>'
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(data.title)}</title><style>{CSS}</style></head><body>"
        f"{_header(data)}<main class=\"wrap\">"
        f'<div class="cards">{cards}</div>'
        f"<nav>{nav}</nav>{body}{facts}</main>"
        '<footer class="wrap">Generated by quarterplan. All figures are in '
        f"{esc(data.currency)} unless marked; P10/P50/P90 are percentiles over the simulated "
        "quarters.</footer></body></html>\n"
    )
