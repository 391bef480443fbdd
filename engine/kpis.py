"""The one registry of KPIs: name, labels, unit, definition, direction and how to show each.

Every output reads its KPI facts from here: the terminal tables (``engine.commands``), the
HTML report, the workbook, CSV and JSON (``engine.report``), and README's glossary (generated
by ``glossary_markdown`` and kept equal by a test). Names are the simulator's (see
``engine.simulate.quarter.KPIS``).

Two meanings are fixed for every command: **gross profit** is revenue less the cost of the
units sold, before marketing, people and the backup supplier's premium; **net contribution**
is gross profit less marketing spend, rep cost and the backup supplier's premium.

>>> kpi("net_contribution").unit
'money'
>>> kpi("hit_target").format(0.6, "¥")
'60.0%'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

Unit = Literal["money", "share", "count", "days", "number"]
Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")


@dataclass(frozen=True)
class Kpi:
    """One key figure.

    ``higher_is_better`` is ``None`` where neither direction is better (a target, a count of
    leads). ``stat`` is the statistic a single figure shows: ``mean`` for a 0/1 outcome (its
    mean is a probability), else ``p50``.
    """

    name: str
    label: str
    label_zh: str
    unit: Unit
    definition: str
    higher_is_better: bool | None = True
    stat: Literal["p50", "mean"] = "p50"

    def label_in(self, lang: str) -> str:
        """The label in ``lang`` (``zh`` or anything else: English)."""
        return self.label_zh if lang == "zh" else self.label

    def format(self, value: float | None, currency: str) -> str:
        """``value`` as a planner reads it: ``¥1.2M``, ``60.0%``, ``1,234``, ``12.5 d``."""
        return _format(value, self.unit, currency)


def _format(value: float | None, unit: str, currency: str) -> str:
    # imported here: engine.report's package imports this module (its tables' units)
    from engine.report.formatting import format_value

    return format_value(value, unit, currency)


_MONEY = "money per quarter, in the scenario's currency"

REGISTRY: tuple[Kpi, ...] = (
    Kpi("revenue", "Revenue", "收入", "money",
        f"Revenue booked when units ship ({_MONEY}); open back-orders and lost sales are not "
        "revenue."),
    Kpi("gross_profit", "Gross profit", "毛利", "money",
        "Revenue less the cost of the units sold, before marketing, people and the backup "
        f"supplier's premium ({_MONEY})."),
    Kpi("net_contribution", "Net contribution", "净贡献", "money",
        "Gross profit less marketing spend, rep cost and the backup supplier's premium "
        f"({_MONEY})."),
    Kpi("target", "Revenue target", "收入目标", "money",
        f"The plan's revenue target, summed over regions, lines and weeks ({_MONEY}).", None),
    Kpi("attainment", "Attainment", "目标达成率", "share", "Revenue / target."),
    Kpi("hit_target", "Chance of hitting target", "达成目标概率", "share",
        "Share of simulated quarters whose revenue reaches the target (the mean of a 0/1 "
        "outcome).", True, "mean"),
    Kpi("new_product_share", "New-product share", "新品收入占比", "share",
        "Share of simulated revenue from products marked new."),
    Kpi("fill_rate", "Fill rate", "现货满足率", "share",
        "Units shipped at once from stock / units ordered."),
    Kpi("stockout_days", "Stock-out days", "缺货天数", "days",
        "Days with no stock, summed over stocked products.", False),
    Kpi("lost_units", "Lost units", "流失件数", "count",
        "Units ordered but lost (the customer would not wait).", False),
    Kpi("backordered_units", "Back-ordered units", "欠交件数", "count",
        "Units on back-order at the quarter's end.", False),
    Kpi("backup_cost", "Backup supplier premium", "备用供应商溢价", "money",
        f"Extra cost of units bought from the backup supplier ({_MONEY}).", False),
    Kpi("spend", "Marketing spend", "营销投入", "money",
        f"The plan's marketing spend ({_MONEY}).", None),
    Kpi("rep_cost", "Rep cost", "人员成本", "money",
        f"Cost of the plan's reps for the quarter ({_MONEY}).", None),
    Kpi("leads", "Leads", "线索数", "count", "New leads in the quarter.", None),
    Kpi("wins", "Wins", "成交数", "count", "Deals won in the quarter."),
    Kpi("cold_share", "Leads gone cold", "线索流失率", "share",
        "Leads gone cold at the first stage / leads entering it.", False),
    Kpi("rep_utilisation", "Rep utilisation", "销售人员利用率", "share",
        "Rep hours worked / rep hours available.", None),
    Kpi("lead_response_days", "Lead response time", "线索响应天数", "days",
        "Mean wait for the first stage's pick-up, in days.", False),
    Kpi("cash", "Cash collected", "回款", "money", f"Cash collected ({_MONEY})."),
    Kpi("receivables", "Receivables", "应收账款", "money",
        "Receivables at the quarter's end (money, in the scenario's currency).", None),
    Kpi("dso", "Days sales outstanding", "应收账款周转天数", "days",
        "Receivables / revenue x days simulated.", False),
    Kpi("overdue_share", "Overdue share", "逾期应收占比", "share",
        "Share of receivables past due at the quarter's end.", False),
)
"""Every KPI, in the order tables show them."""

_BY_NAME = {k.name: k for k in REGISTRY}


def kpi(name: str) -> Kpi:
    """The registered KPI ``name``; ``KeyError`` naming the known ones otherwise."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no KPI {name!r}; known: {', '.join(_BY_NAME)}") from None


def is_kpi(name: str) -> bool:
    """Whether ``name`` is a registered KPI."""
    return name in _BY_NAME


def unit_of(name: str) -> str:
    """The unit of KPI ``name``; ``number`` for a name not in the registry."""
    return _BY_NAME[name].unit if name in _BY_NAME else "number"


def label_of(name: str, lang: str = "en") -> str:
    """The label of KPI ``name`` in ``lang``; the name itself when it is not registered."""
    return _BY_NAME[name].label_in(lang) if name in _BY_NAME else name


def format_kpi(name: str, value: float | None, currency: str) -> str:
    """``value`` of KPI ``name`` formatted for its unit (a plain number when unregistered)."""
    return _format(value, unit_of(name), currency)


_DIRECTION = {True: "higher is better", False: "lower is better", None: "neither"}


GLOSSARY_BEGIN = "<!-- glossary:begin (generated by `python -m engine.kpis`) -->"
GLOSSARY_END = "<!-- glossary:end -->"


def glossary_markdown() -> str:
    """README's glossary between its markers: one row per KPI (name, labels, unit, direction,
    definition)."""
    lines = [GLOSSARY_BEGIN, "",
             "| name | label | 中文 | unit | direction | definition |",
             "|---|---|---|---|---|---|"]
    lines += [f"| `{k.name}` | {k.label} | {k.label_zh} | {k.unit} | "
              f"{_DIRECTION[k.higher_is_better]} | {k.definition} |" for k in REGISTRY]
    return "\n".join([*lines, "", GLOSSARY_END])


def display_frame(summary: pd.DataFrame, currency: str, lang: str = "en",
                  stats: tuple[str, ...] = ("mean", "p10", "p50", "p90")) -> pd.DataFrame:
    """A ``metric, mean, se, p10, p50, p90`` summary as text a planner reads: the metric's
    name and label, and each statistic formatted for the KPI's unit (``¥1.2M``, ``60.0%``)."""
    rows = []
    for record in summary.to_dict(orient="records"):
        name = str(record["metric"])
        spread = not is_kpi(name) or kpi(name).stat != "mean"  # a 0/1 outcome: mean only
        rows.append({"metric": name, "label": label_of(name, lang),
                     **{s: format_kpi(name, record[s], currency) if spread or s == "mean"
                        else "" for s in stats}})
    return pd.DataFrame(rows, columns=["metric", "label", *stats])


if __name__ == "__main__":
    print(glossary_markdown())
