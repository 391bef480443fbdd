"""The report's sections, one function per table family; each returns ``None`` when its table
is absent, so the report shows only what the run produced.

A section is ``(anchor, title, html)``; ``engine.report.html`` lays them out.
"""

from __future__ import annotations

import pandas as pd

from engine.report.bars import comparison_svg, difference_svg, funnel_svg, spend_bars_svg
from engine.report.charts import cash_svg, frontier_svg, revenue_fan_svg, stock_svg
from engine.report.data import ReportData, row_units
from engine.report.formatting import format_money, format_share
from engine.report.heatmap import heatmap_svg
from engine.report.htmltable import html_table
from engine.report.i18n import tr
from engine.report.svg import esc

Section = tuple[str, str, str]
MAX_COMPARED_METRICS = 8
MAX_STOCK_PANELS = 24


def _figure(svg: str, caption: str = "") -> str:
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return f'<figure class="chart-box">{svg}{cap}</figure>'


def _lead(content: str) -> str:
    return f'<p class="lead">{content}</p>'


def _money(value: float, currency: str) -> str:
    return f"<b>{esc(format_money(value, currency))}</b>"


def _pivot(frame: pd.DataFrame, index: str, columns: str, values: str,
           total: bool = True) -> pd.DataFrame:
    """``values`` summed by ``index`` × ``columns``, largest total first."""
    pivot = frame.pivot_table(index=index, columns=columns, values=values, aggfunc="sum",
                              sort=False)
    pivot.columns = [str(c) for c in pivot.columns]
    pivot = pivot.reset_index()
    if total:
        pivot["total"] = pivot.drop(columns=index).sum(axis=1)
        pivot = pivot.sort_values("total", ascending=False)
    return pivot


def revenue_section(data: ReportData) -> Section | None:
    """Cumulative revenue fan against the cumulative target."""
    fan = data.table("revenue_fan")
    if fan is None:
        return None
    last, cur, t = fan.sort_values("week").iloc[-1], data.currency, tr(data.lang)
    text = t(REVENUE_LEAD).format(week=int(last["week"]), p50=_money(last["p50"], cur),
                                  p10=esc(format_money(last["p10"], cur)),
                                  p90=esc(format_money(last["p90"], cur)))
    if pd.notna(last["target"]):
        text += t(", against a target of {target}").format(target=_money(last["target"], cur))
    return "revenue", "Revenue against target", _lead(text + t(".")) + _figure(
        revenue_fan_svg(fan, cur, lang=data.lang),
        t("Shaded: P10–P90 of the simulated quarters; line: median."))


REVENUE_LEAD = ("By week {week} cumulative revenue is {p50} at the median, between {p10} (P10) "
                "and {p90} (P90)")


def spend_section(data: ReportData) -> Section | None:
    """Spend split by channel and by region, and the region × channel table."""
    spend = data.table("spend")
    if spend is None:
        return None
    cur, t = data.currency, tr(data.lang)
    html = (_lead(t("The plan spends {spend} of marketing money this quarter.").format(
                spend=_money(float(spend["spend"].sum()), cur)))
            + '<div class="pair">'
            + _figure(spend_bars_svg(spend, "channel", cur), t("By channel"))
            + _figure(spend_bars_svg(spend, "region", cur), t("By region")) + "</div>"
            + html_table(_pivot(spend, "region", "channel", "spend"), cur, unit="money",
                         caption=t("Spend by region and channel (money per quarter)"),
                         lang=data.lang))
    return "spend", "Marketing spend", html


def reps_section(data: ReportData) -> Section | None:
    """Reps by role (totals) and head count by region and role."""
    reps = data.table("reps")
    if reps is None:
        return None
    counts = ["on_hand", "hires", "added", "reps"]
    by_role = reps.groupby("role", sort=False)[counts].sum().reset_index()
    html = (_lead("Tenured reps on hand, hires already planned, hires the plan adds, and the "
                  "resulting head count.")
            + html_table(by_role, data.currency, name="reps", caption="By role", lang=data.lang)
            + html_table(_pivot(reps, "region", "role", "reps"), data.currency, unit="count",
                         caption="Head count by region and role", lang=data.lang))
    return "reps", "Sales force", html


def targets_section(data: ReportData) -> Section | None:
    """Quarter targets by region and product line."""
    targets = data.table("targets")
    if targets is None:
        return None
    total = float(targets["target"].sum())
    html = (_lead(f"Revenue targets total {_money(total, data.currency)} for the quarter; the "
                  "weekly phasing is in the targets table (CSV and workbook).")
            + html_table(_pivot(targets, "region", "line", "target"), data.currency,
                         unit="money",
                         caption=tr(data.lang)("Quarter target by region and product line"),
                         lang=data.lang))
    sheet = data.table("target_sheet")
    if sheet is not None:
        html += html_table(sheet, data.currency, name="target_sheet", limit=60,
                           caption=tr(data.lang)("Target by region and month (the workbook's "
                                                 "target sheets add product lines)"),
                           lang=data.lang)
    return "targets", "Targets", html


def funnel_section(data: ReportData) -> Section | None:
    """Funnel by stage with the bottleneck marked."""
    funnel = data.table("funnel")
    if funnel is None:
        return None
    stuck = [str(s) for s in funnel.loc[funnel["bottleneck"].astype(bool), "stage"]]
    text = ("The bottleneck is <b>" + esc(", ".join(stuck)) + "</b>: the stage where leads wait "
            "longest or go cold." if stuck else "No stage is marked as a bottleneck.")
    return "funnel", "Sales funnel", _lead(text) + _figure(funnel_svg(funnel))


def alert_weeks(data: ReportData) -> dict[str, list[float]]:
    """Weeks with an alert per subject (product, region, …) from the ``alerts`` table."""
    alerts = data.table("alerts")
    if alerts is None:
        return {}
    rows = alerts.dropna(subset=["week"])
    return {str(s): [float(w) for w in part["week"]] for s, part in rows.groupby("subject")}


def stock_section(data: ReportData) -> Section | None:
    """Stock on hand against safety stock per product, alert weeks shaded."""
    stock = data.table("stock")
    if stock is None:
        return None
    weeks = alert_weeks(data)
    products = list(dict.fromkeys(map(str, stock["product"])))
    flagged = [p for p in products if weeks.get(p)]
    text = (f"{len(flagged)} of {len(products)} products have safety-stock alerts: "
            f"<b>{esc(', '.join(flagged))}</b>." if flagged
            else "No product has a safety-stock alert.")
    shown = (flagged + [p for p in products if p not in flagged])[:MAX_STOCK_PANELS]
    if len(products) > MAX_STOCK_PANELS:
        text += (f" Showing {MAX_STOCK_PANELS} of {len(products)} products, those with alerts "
                 "first; all are in the stock table.")
    chart = stock_svg(stock[stock["product"].astype(str).isin(shown)], weeks)
    return "stock", "Stock and safety stock", _lead(text) + _figure(chart)


def cash_section(data: ReportData) -> Section | None:
    """Cash and receivables by week."""
    cash = data.table("cash")
    if cash is None:
        return None
    return "cash", "Cash and receivables", _lead(
        "Cash collected and money still owed by customers, week by week.") + _figure(
        cash_svg(cash, data.currency))


RISK_LEAD = ("{region} is the most likely to miss its quarter target ({share} of simulated "
             "quarters). Regions ranked by the chance of missing, then the month-by-month "
             "picture.")
RISK_COLUMNS = ("chance_of_missing", "target", "revenue_p50", "attainment_p10", "attainment_p50",
                "attainment_p90")
MAX_RISK_ROWS = 15


def _ranked(outcomes: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Quarter rows with a target, most likely to miss first."""
    q = outcomes[(outcomes["period"] == "quarter") & outcomes["hit_target"].notna()]
    q = q.assign(chance_of_missing=1.0 - q["hit_target"])
    return q.sort_values("chance_of_missing", ascending=False, kind="stable")[
        [*keys, *RISK_COLUMNS]]


def risk_section(data: ReportData) -> Section | None:
    """Where the target is at risk: regions and region x line ranked by the chance of missing,
    and the region x month heat map of the chance of hitting each month's target."""
    regions, pairs = data.table("outcomes_region"), data.table("outcomes_region_line")
    if regions is None or regions["hit_target"].isna().all():
        return None
    ranked = _ranked(regions, ["region"])
    worst, t = ranked.iloc[0], tr(data.lang)
    text = esc(t(RISK_LEAD).format(region="\0", share=format_share(
        worst["chance_of_missing"]))).replace("\0", f"<b>{esc(worst['region'])}</b>", 1)
    html = _lead(text) + html_table(ranked, data.currency, name="risk", limit=40, lang=data.lang)
    html += _figure(heatmap_svg(regions, lang=data.lang),
                    t("Chance of hitting each month's target, by region"))
    if pairs is not None:
        html += f"<h3>{esc(t('Region × product line'))}</h3>" + html_table(
            _ranked(pairs, ["region", "line"]), data.currency, name="risk", limit=MAX_RISK_ROWS,
            lang=data.lang)
    return "risk", "Targets at risk", html


def kpis_section(data: ReportData) -> Section | None:
    """Quarter KPIs with their uncertainty."""
    kpis = data.table("kpis")
    if kpis is None:
        return None
    return "kpis", "Key figures", _lead(esc(tr(data.lang)(
        "Mean over the simulated quarters with its standard error, and the P10/P50/P90 "
        "spread."))) + html_table(kpis, data.currency, name="kpis", limit=60, lang=data.lang)


def comparison_section(data: ReportData) -> Section | None:
    """KPIs by scenario with intervals, and paired differences from the baseline."""
    comparison = data.table("comparison")
    if comparison is None:
        return None
    baseline = str(comparison["scenario"].iloc[0])
    metrics = list(dict.fromkeys(comparison["metric"]))[:MAX_COMPARED_METRICS]
    units = dict(zip(comparison["metric"], row_units(comparison), strict=True))
    charts = "".join(
        '<div class="pair">'
        + _figure(comparison_svg(comparison, m, units[m], data.currency))
        + _figure(difference_svg(comparison, m, units[m], data.currency)) + "</div>"
        for m in metrics)
    what = "plan" if "plan" in comparison.columns else "scenario"
    if what == "plan":
        baseline = str(comparison["plan"].iloc[0])
    worlds = (" (in each world)" if "world" in comparison.columns
              and comparison["world"].nunique() > 1 else "")
    text = (f"Every {what} is simulated with the same random numbers, so differences are "
            f"paired. Baseline: <b>{esc(baseline)}</b>{worlds}. P(better) is the probability that "
            "the alternative beats the baseline; for the chance of hitting target (a yes/no "
            "outcome) the difference in probability and its 95% interval are shown instead.")
    verdict = "".join(f"<li>{esc(str(v))}</li>" for v in data.meta.get("verdict", []))
    verdict = f'<ul class="explain">{verdict}</ul>' if verdict else ""
    return "comparison", f"{what.capitalize()} comparison", _lead(text) + verdict + charts + (
        html_table(comparison, data.currency, name="comparison", limit=120, lang=data.lang))


def plans_section(data: ReportData) -> Section | None:
    """Every plan compared, side by side: spend by channel and region, reps, own targets and
    the common target they are all measured against."""
    by_channel = data.table("plan_spend_by_channel")
    if by_channel is None:
        return None
    cur = data.currency
    money = [c for c in by_channel.columns if c != "channel" and not str(c).endswith(" share")]
    shares = [c for c in by_channel.columns if str(c).endswith(" share")]
    html = _lead(f"Common target: {esc(str(data.meta.get('common_target', '')))}.")
    html += html_table(by_channel[["channel", *money]], cur, unit="money", limit=40,
                       caption="Spend by channel")
    html += html_table(by_channel[["channel", *shares]], cur, unit="share", limit=40,
                       caption="Share of each plan's spend by channel")
    for name, index, unit, caption in (
        ("plan_spend", "region", "money", "Spend by region"),
        ("plan_reps", "region", "count", "Reps by region (all roles)"),
        ("plan_targets", "region", "money", "Quarter target by region: each plan's own, and the "
                                            "common one"),
    ):
        frame = data.table(name)
        if frame is not None:
            numeric = [c for c in frame.columns if c not in ("region", "channel", "role", "week")]
            summed = frame.groupby(index, sort=False)[numeric].sum().reset_index()
            html += html_table(summed, cur, unit=unit, limit=60, caption=caption)
    grid = data.table("plan_by_world")
    if grid is not None:
        html += html_table(grid, cur, unit="money", caption="Mean net contribution, plan × world")
    return "plans", "The plans compared", html


def frontier_section(data: ReportData) -> Section | None:
    """The efficient frontier: objective and revenue by budget, current budget marked."""
    frontier = data.table("frontier")
    if frontier is None:
        return None
    cur = data.currency
    charts = _figure(frontier_svg(frontier, cur, column="objective"), "Objective by budget")
    if "sim_net_contribution" in frontier and frontier["sim_net_contribution"].notna().any():
        charts += _figure(frontier_svg(frontier, cur, column="sim_net_contribution"),
                          "Simulated net contribution by budget (each point's own plan)")
    charts += _figure(frontier_svg(frontier, cur, column="revenue"), "Revenue by budget")
    if frontier["shadow_price"].notna().any():
        charts += _figure(frontier_svg(frontier, cur, column="shadow_price", unit="number",
                                       zero=True),
                          "What one more unit of budget is worth at each level")
    return "frontier", "Budget frontier", _lead(
        "The best plan at each budget level; the slope falls as spend saturates.") + charts + (
        html_table(frontier, cur, name="frontier", limit=60, lang=data.lang))


def shadow_prices_section(data: ReportData) -> Section | None:
    """The constraints that cost the most, by the absolute value of their shadow price."""
    prices = data.table("shadow_prices")
    if prices is None:
        return None
    ranked = prices.assign(_size=prices["value"].abs()).sort_values("_size", ascending=False)
    ranked = ranked.drop(columns="_size")
    return "shadow-prices", "What the constraints cost", _lead(
        "Gain in the objective from relaxing each binding constraint by one unit, largest "
        "first.") + html_table(ranked, data.currency, name="shadow_prices", limit=15,
                               lang=data.lang)


def alerts_section(data: ReportData) -> Section | None:
    """The alerts raised by the simulation."""
    alerts = data.table("alerts")
    if alerts is None:
        return None
    counts = alerts["kind"].value_counts()
    text = ", ".join(f"{n} {esc(k)}" for k, n in counts.items())
    return "alerts", "Alerts", _lead(f"{len(alerts)} alert(s): {text}.") + html_table(
        alerts, data.currency, name="alerts", limit=40, lang=data.lang)


def explanation_section(data: ReportData) -> Section | None:
    """What changed and why: the plain-words lines a re-plan puts in ``meta["explanation"]``."""
    lines = data.meta.get("explanation")
    if not lines:
        return None
    items = "".join(f"<li>{esc(str(line))}</li>" for line in lines)
    return "explanation", "What changed and why", f'<ul class="explain">{items}</ul>'


def other_section(data: ReportData, known: set[str]) -> Section | None:
    """Tables outside the known families, shown as plain tables."""
    others = {n: f for n, f in data.tables.items() if n not in known and not f.empty}
    if not others:
        return None
    html = "".join(html_table(f, data.currency, caption=n, limit=30, lang=data.lang)
                   for n, f in others.items())
    return "other", "Other tables", html

