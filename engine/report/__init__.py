"""The output layer: HTML report, CSV tables, Excel workbook and the run folder.

Everything here reads a ``ReportData`` (see ``engine.report.data``) and nothing else, so the
commands that produce results (``run``, ``compare``, ``sweep``, ``recalibrate``) only have to
fill one.
"""

from engine.report.bars import comparison_svg, difference_svg, funnel_svg, spend_bars_svg
from engine.report.charts import cash_svg, frontier_svg, revenue_fan_svg, stock_svg
from engine.report.data import TABLE_COLUMNS, Headline, ReportData, metric_unit
from engine.report.html import render_html
from engine.report.runfolder import (
    RESULT_KEYS,
    RESULT_SCHEMA_VERSION,
    RunFolder,
    default_run_folder,
    result_document,
    write_run_folder,
)
from engine.report.tables import neutralise, neutralise_frame, table_csv, tables_csv
from engine.report.workbook import build_workbook, write_workbook

__all__ = [
    "RESULT_KEYS",
    "RESULT_SCHEMA_VERSION",
    "TABLE_COLUMNS",
    "Headline",
    "ReportData",
    "RunFolder",
    "build_workbook",
    "cash_svg",
    "comparison_svg",
    "default_run_folder",
    "difference_svg",
    "frontier_svg",
    "funnel_svg",
    "metric_unit",
    "neutralise",
    "neutralise_frame",
    "render_html",
    "result_document",
    "revenue_fan_svg",
    "spend_bars_svg",
    "stock_svg",
    "table_csv",
    "tables_csv",
    "write_run_folder",
    "write_workbook",
]
