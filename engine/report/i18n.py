"""Chinese and English: every label a planner reads comes from one message catalogue.

The catalogue is a gettext ``.po`` file per language (``engine/locale/<lang>/LC_MESSAGES/
quarterplan.po``; English is the message ids themselves). It is compiled with Babel when first
used, in memory, and read with the standard library's ``gettext.GNUTranslations``, so no binary
``.mo`` file is kept in the repository. KPI labels in it equal the KPI registry's
(``engine.kpis``; a test checks).

Chinese number conventions are here too: money in headline cards as ``¥1,234万`` and
``¥1.23亿``.

>>> tr("zh")("Targets at risk")
'目标风险'
>>> money_zh(56_700_000, "¥")
'¥5,670万'
"""

from __future__ import annotations

import gettext
import io
import math
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pandas as pd
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGS = ("en", "zh")
"""The languages of the interface."""
DOMAIN = "quarterplan"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def po_path(lang: str) -> Path:
    """The catalogue of ``lang``."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English and unknown languages: the ids themselves)."""
    path = po_path(lang)
    if lang == "en" or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def tr(lang: str) -> Callable[[str], str]:
    """The translating function of ``lang``: message id (English) -> text."""
    return translations(lang).gettext


WORD_COLUMNS = ("period", "channel", "segment", "region", "line")
"""Columns whose values may be words of the interface (``quarter``, ``month 1``, ``organic``,
``total``) among the scenario's names; those words are translated."""


def translate_words(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` with the interface words in its ``WORD_COLUMNS`` in ``lang``."""
    if lang == "en":
        return frame
    t, out = tr(lang), frame.copy()
    for column in WORD_COLUMNS:
        if column in out.columns:
            out[column] = [t(v) if isinstance(v, str) else v for v in out[column]]
    return out


def money_zh(value: float | None, currency: str) -> str:
    """Money the way Chinese planners read it: ``¥5,670万``, ``¥1.23亿``, ``¥8,500``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    sign, v = ("−" if value < 0 else ""), abs(value)
    if v >= 1e8:
        return f"{sign}{currency}{v / 1e8:,.2f}亿"
    if v >= 1e4:
        scaled = v / 1e4
        text = f"{scaled:,.0f}" if scaled >= 100 else f"{scaled:,.1f}".removesuffix(".0")
        return f"{sign}{currency}{text}万"
    return f"{sign}{currency}{v:,.0f}"
