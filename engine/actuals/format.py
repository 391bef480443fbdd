"""The actuals format: one tidy (long) table, one number per row.

An actuals file is a CSV (or the first sheet of an ``.xlsx`` workbook) with the columns

``week, region, channel, stage, product, line, metric, value``

``week`` counts from 1; ``metric`` names what ``value`` measures; the key columns a metric uses
are filled and the others left blank. Row numbers in error messages are the file's line (CSV)
or sheet row (Excel), the header being row 1.

============ ==================================== ==========================================
metric       keys (required; [optional])          value
============ ==================================== ==========================================
spend        region, channel                      marketing money spent in the week
leads        region, [channel]                    leads that arrived in the week (``channel``
                                                  may be ``organic``)
entered      region, [channel], stage             leads that reached the stage in the week
                                                  (counting those that then went cold)
open         region, [channel], stage             leads in the stage at the end of the week
                                                  (pipeline snapshot; used at the as-of week)
cold         region, [channel], [stage]           leads that went cold waiting for a rep (in
                                                  the stage given)
wins         region, [channel], [product | line]  deals won in the week (orders); ``channel``
                                                  ``repeat`` for orders of existing customers
revenue      region, [channel], [product | line]  money booked in the week
gross_profit region, [channel], [product | line]  revenue less the cost of the units (money)
units        region, [channel], product           units sold in the week
cash         region                               cash collected in the week (money)
receivables  region                               unpaid invoices at the end of the week (money)
on_hand      product                              units in stock at the end of the week
backorders   product, [region]                    units won but not shipped, end of the week
ordered      product                              units ordered from suppliers in the week
received     product                              units delivered by suppliers in the week
target       region, line                         revenue target of the week (money)
============ ==================================== ==========================================

A blank ``channel`` on a funnel or sales row means the region's total over all its sources (when
only regional figures are known; blank-channel ``wins`` are then deals won from leads, and repeat
orders still go on ``repeat`` rows); a region must give each metric either always with a
channel or always without one.

Counts (``leads``, ``entered``, ``open``, ``cold``, ``wins``) are whole numbers; every value is
finite and >= 0. A ``product`` fills in its ``line``; a row may give a ``line`` alone when only
line totals are known. The same key and metric may appear only once.

Consistency rules, checked cumulatively because deals close weeks after their leads arrive
(the quarter starts with an empty pipeline): by every week, for each region x channel, the
leads entering the first stage are at most the leads that arrived, each stage's entries are at
most the previous stage's, and wins are at most the last stage's entries (or the leads, when
no stage entries are given).
"""

from __future__ import annotations

from dataclasses import dataclass

KEYS: tuple[str, ...] = ("region", "channel", "stage", "product", "line")
"""Key columns after ``week``; blank where a metric does not use them."""
COLUMNS: tuple[str, ...] = ("week", *KEYS, "metric", "value")
"""Columns of an actuals table, in order."""
REPEAT = "repeat"
"""The channel of orders from existing (and reactivated) customers."""


@dataclass(frozen=True)
class MetricSpec:
    """Which keys a metric needs and what its value is."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    count: bool = False
    """Whole numbers only."""
    snapshot: bool = False
    """A level at the end of the week rather than a flow during it."""
    channels: str = "marketing"
    """Which channel ids are allowed: ``marketing`` (the scenario's), ``sources`` (plus
    ``organic``), ``sales`` (plus ``organic`` and ``repeat``)."""
    meaning: str = ""


METRICS: dict[str, MetricSpec] = {
    "spend": MetricSpec(("region", "channel"), meaning="marketing money spent in the week"),
    "leads": MetricSpec(("region",), ("channel",), count=True, channels="sources",
                        meaning="leads that arrived in the week"),
    "entered": MetricSpec(("region", "stage"), ("channel",), count=True, channels="sources",
                          meaning="leads that reached the stage in the week (incl. gone cold)"),
    "open": MetricSpec(("region", "stage"), ("channel",), count=True, snapshot=True,
                       channels="sources", meaning="leads in the stage at the end of the week"),
    "cold": MetricSpec(("region",), ("channel", "stage"), count=True, channels="sources",
                       meaning="leads that went cold waiting for a rep"),
    "wins": MetricSpec(("region",), ("channel", "product", "line"), count=True, channels="sales",
                       meaning="deals won (orders) in the week"),
    "revenue": MetricSpec(("region",), ("channel", "product", "line"), channels="sales",
                          meaning="money booked in the week"),
    "gross_profit": MetricSpec(("region",), ("channel", "product", "line"), channels="sales",
                               meaning="revenue less the cost of the units"),
    "units": MetricSpec(("region", "product"), ("channel",), channels="sales",
                        meaning="units sold in the week"),
    "cash": MetricSpec(("region",), meaning="cash collected in the week"),
    "receivables": MetricSpec(("region",), snapshot=True,
                              meaning="unpaid invoices at the end of the week"),
    "on_hand": MetricSpec(("product",), snapshot=True,
                          meaning="units in stock at the end of the week"),
    "backorders": MetricSpec(("product",), ("region",), snapshot=True,
                             meaning="units won but not shipped at the end of the week"),
    "ordered": MetricSpec(("product",), meaning="units ordered from suppliers in the week"),
    "received": MetricSpec(("product",), meaning="units delivered by suppliers in the week"),
    "target": MetricSpec(("region", "line"), meaning="revenue target of the week"),
}
"""Every metric an actuals file may carry."""


def format_reference() -> str:
    """A plain-text table of the metrics, their keys and meaning (for help and docs)."""
    lines = []
    for name, spec in METRICS.items():
        keys = ", ".join(spec.required)
        keys += "".join(f", [{k}]" for k in spec.optional)
        lines.append(f"{name:<12} {keys:<36} {spec.meaning}")
    return "\n".join(lines)
