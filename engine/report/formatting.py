"""Numbers as a planner reads them: ``¥1.2M``, ``45.0%``, ``1,234``, ``12.5 d``.

Used for chart ticks and labels and for the HTML tables; the CSV and Excel outputs keep raw
numbers (Excel gets number formats instead, see ``excel_number_format``).
"""

from __future__ import annotations

import math

MINUS = "−"
_SCALES = ((1e9, "B"), (1e6, "M"), (1e3, "k"))


def _is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _short(magnitude: float) -> str:
    """A non-negative number in three significant figures at most, without a trailing ``.0``."""
    for scale, suffix in _SCALES:
        if magnitude >= scale * 0.9995:
            scaled = magnitude / scale
            text = f"{scaled:.0f}" if scaled >= 99.95 else f"{scaled:.1f}".removesuffix(".0")
            return text + suffix
    if magnitude == round(magnitude) or magnitude >= 100:
        return f"{magnitude:.0f}"
    return f"{magnitude:.2g}" if magnitude < 1 else f"{magnitude:.1f}".removesuffix(".0")


def format_money(value: float | None, currency: str) -> str:
    """Money in short form: ``¥1.2M``, ``¥950``, ``−¥12k``; empty for a missing value."""
    if _is_missing(value):
        return ""
    assert value is not None
    sign = MINUS if value < 0 else ""
    return f"{sign}{currency}{_short(abs(value))}"


def format_share(value: float | None) -> str:
    """A share in [0, 1] as a percentage with one decimal: ``0.452`` → ``45.2%``."""
    if _is_missing(value):
        return ""
    assert value is not None
    return f"{value * 100:.1f}%".replace("-", MINUS)


def format_count(value: float | None) -> str:
    """A count with thousands separators; one decimal when it is not whole (an expectation)."""
    if _is_missing(value):
        return ""
    assert value is not None
    if abs(value) >= 1e6:
        return (MINUS if value < 0 else "") + _short(abs(value))
    text = f"{value:,.0f}" if value == round(value) or abs(value) >= 100 else f"{value:,.1f}"
    return text.replace("-", MINUS)


def format_days(value: float | None) -> str:
    """A duration in days with one decimal: ``12.5 d``."""
    if _is_missing(value):
        return ""
    assert value is not None
    return f"{value:.1f} d".replace("-", MINUS)


def format_number(value: float | None) -> str:
    """A plain number in four significant figures (shadow prices, ratios)."""
    if _is_missing(value):
        return ""
    assert value is not None
    text = f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:,.4g}"
    return text.replace("-", MINUS)


def format_value(value: float | None, unit: str, currency: str) -> str:
    """``value`` formatted for its ``unit`` (money, share, count, days, anything else: number)."""
    if unit == "money":
        return format_money(value, currency)
    if unit == "share":
        return format_share(value)
    if unit == "count":
        return format_count(value)
    if unit == "days":
        return format_days(value)
    return format_number(value)


def excel_number_format(unit: str, currency: str, *, whole: bool = False) -> str:
    """The Excel number format for ``unit``: currency with thousands, percent, counts, days.

    ``whole`` says every value of the column is a whole number (counts shown without decimals).
    """
    if unit == "money":
        symbol = currency.replace('"', "")
        return f'"{symbol}"#,##0;-"{symbol}"#,##0'
    if unit == "share":
        return "0.0%"
    if unit == "count":
        return "#,##0" if whole else "#,##0.0"
    if unit == "days":
        return '0.0" d"'
    return "#,##0.0000"
