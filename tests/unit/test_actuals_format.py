"""The actuals format: reading CSV and Excel, and every validation rule with its row number."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from engine import ScenarioError, load_scenario
from engine.actuals import COLUMNS, load_actuals, write_actuals
from engine.plan import even_plan
from tests.conftest import BASE, SCENARIOS
from tests.synthetic_actuals import synthetic_actuals

HEADER = ",".join(COLUMNS)
GOOD = [
    "1,solo,direct,,,,spend,0",
    "1,solo,direct,,,,leads,50",
    "1,solo,direct,close,,,entered,50",
    "1,solo,direct,,widget,,wins,12",
    "1,solo,direct,,widget,,units,12",
    "1,solo,direct,,widget,,revenue,1200",
    "2,solo,direct,,,,leads,40",
    "2,solo,direct,close,,,entered,40",
    "2,solo,direct,close,,,open,40",
    "2,solo,,,,core,target,1500",
    "2,solo,,,,,cash,900",
    "2,solo,,,,,receivables,300",
]


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(SCENARIOS / "tiny.yaml")


def write(tmp_path: Path, lines: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "actuals.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def problems(path: Path, scenario, as_of: int | None = None) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        load_actuals(path, scenario, as_of)
    return str(err.value).splitlines()


def test_good_file_reads_with_lines_filled_in(tmp_path, tiny):
    a = load_actuals(write(tmp_path, GOOD), tiny)
    assert a.as_of_week == 2
    assert a.total("leads").iloc[0] == 90
    wins = a.rows("wins")
    assert wins.line.tolist() == ["core"]
    assert a.rows("revenue").row.tolist() == [7]


def test_rows_name_each_problem(tmp_path, tiny):
    bad = [
        "1,solo,direct,,,,leads,-5",
        "1,nowhere,direct,,,,leads,5",
        "1,solo,tv,,,,spend,5",
        "1,solo,direct,pitch,,,entered,1",
        "1,solo,direct,,gizmo,,wins,1",
        "1,solo,direct,,,,leads,2.5",
        "14,solo,direct,,,,spend,1",
        "1,solo,direct,,,,sales,1",
        "1,solo,direct,close,,,spend,1",
        "1,solo,direct,,,,entered,1",
        "x,solo,direct,,,,spend,1",
        "1,solo,direct,,,,spend,lots",
        "1,solo,direct,,,premium,revenue,1",
    ]
    assert problems(write(tmp_path, bad), tiny) == [
        f"{tmp_path}/actuals.csv: row 2: leads: must be >= 0 (got '-5')",
        f"{tmp_path}/actuals.csv: row 3: region: unknown region (got 'nowhere')",
        f"{tmp_path}/actuals.csv: row 4: channel: unknown channel (got 'tv')",
        f"{tmp_path}/actuals.csv: row 5: stage: unknown stage (got 'pitch')",
        f"{tmp_path}/actuals.csv: row 6: product: unknown product (got 'gizmo')",
        f"{tmp_path}/actuals.csv: row 7: leads: must be a whole number (got '2.5')",
        f"{tmp_path}/actuals.csv: row 8: week: is beyond the quarter's 13 weeks (got '14')",
        f"{tmp_path}/actuals.csv: row 9: metric: unknown metric; one of spend, leads, entered, "
        "open, cold, wins, revenue, gross_profit, units, cash, receivables, on_hand, "
        "backorders, ordered, received, target (got 'sales')",
        f"{tmp_path}/actuals.csv: row 10: stage: is not used by metric spend; leave it blank "
        "(got 'close')",
        f"{tmp_path}/actuals.csv: row 11: stage: is required by metric entered",
        f"{tmp_path}/actuals.csv: row 12: week: must be a whole number of weeks (got 'x')",
        f"{tmp_path}/actuals.csv: row 13: spend: must be a finite number (got 'lots')",
        f"{tmp_path}/actuals.csv: row 14: line: unknown line (got 'premium')",
    ]


def test_weeks_beyond_the_as_of_week(tmp_path, tiny):
    assert problems(write(tmp_path, GOOD), tiny, as_of=1) == [
        f"{tmp_path}/actuals.csv: row {r}: week: is beyond the as-of week 1 (got '2')"
        for r in range(8, 14)
    ]


def test_wins_above_leads_and_growing_funnel(tmp_path, tiny):
    lines = [
        "1,solo,direct,,,,leads,10",
        "1,solo,direct,close,,,entered,12",
        "2,solo,direct,,,,leads,10",
        "2,solo,direct,,widget,,wins,15",
    ]
    assert problems(write(tmp_path, lines), tiny) == [
        f"{tmp_path}/actuals.csv: row 3: entered: entries to stage close of solo/direct up to "
        "week 1 (12) exceed the leads (10)",
        f"{tmp_path}/actuals.csv: row 5: wins: wins of solo/direct up to week 2 (15) exceed the "
        "entries to stage close (12)",
    ]


def test_stage_entries_must_not_grow_down_the_base_funnel(tmp_path):
    base = load_scenario(BASE)
    lines = [
        "1,wuhan,online,,,,leads,100",
        "1,wuhan,online,qualify,,,entered,90",
        "1,wuhan,online,demo,,,entered,40",
        "2,wuhan,online,proposal,,,entered,41",
    ]
    assert problems(write(tmp_path, lines), base) == [
        f"{tmp_path}/actuals.csv: row 5: entered: entries to stage proposal of wuhan/online up "
        "to week 2 (41) exceed the entries to stage demo (40)",
    ]


def test_a_product_fixes_its_line(tmp_path):
    lines = ["2,wuhan,repeat,,refill,smart,wins,1"]
    assert problems(write(tmp_path, lines), load_scenario(BASE)) == [
        f"{tmp_path}/actuals.csv: row 2: line: product refill is in line essentials "
        "(got 'smart')",
    ]


def test_a_region_gives_a_metric_per_channel_or_as_a_total(tmp_path, tiny):
    lines = ["1,solo,direct,,,,leads,10", "2,solo,,,,,leads,10", "2,solo,,close,,,entered,3"]
    assert problems(write(tmp_path, lines), tiny) == [
        f"{tmp_path}/actuals.csv: row 3: channel: solo gives leads both per channel and as a "
        "total without one",
    ]


def test_duplicate_rows(tmp_path, tiny):
    lines = ["1,solo,direct,,,,leads,10", "1,solo,direct,,,,leads,10"]
    assert problems(write(tmp_path, lines), tiny) == [
        f"{tmp_path}/actuals.csv: row 3: leads: repeats row 2 (same week, keys and metric)",
    ]


def test_columns_are_checked(tmp_path, tiny):
    path = write(tmp_path, ["1,x,leads,1"], header="week,colour,metric,amount")
    assert problems(path, tiny) == [
        f"{tmp_path}/actuals.csv: column colour: unknown column",
        f"{tmp_path}/actuals.csv: column amount: unknown column",
        f"{tmp_path}/actuals.csv: column value: required column is missing",
    ]


def test_missing_file(tmp_path, tiny):
    assert problems(tmp_path / "nope.csv", tiny) == [
        f"{tmp_path}/nope.csv: no such actuals file"
    ]


def test_without_a_scenario_any_ids_pass_but_numbers_are_checked(tmp_path):
    lines = ["1,anywhere,tv,,,,leads,5", "1,anywhere,tv,,,,spend,-1"]
    assert problems(write(tmp_path, lines), None) == [
        f"{tmp_path}/actuals.csv: row 3: spend: must be >= 0 (got '-1')",
    ]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_round_trip_of_generated_actuals(tmp_path, suffix):
    base = load_scenario(BASE)
    frame = synthetic_actuals(base, even_plan(base), 3, np.random.default_rng(5))
    path = write_actuals(frame, tmp_path / f"actuals{suffix}")
    a = load_actuals(path, base, 3)
    back = a.to_frame()
    pd.testing.assert_frame_equal(back.drop(columns="line"), frame.drop(columns="line"),
                                  check_dtype=False)
    assert a.frame.row.iloc[0] == 2
