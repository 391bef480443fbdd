"""The run folder: all files or none, never overwritten silently, JSON matching the tables."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

import engine.report.runfolder as runfolder
from engine.errors import OutputError, UsageError
from engine.report import RESULT_KEYS, default_run_folder, write_run_folder
from engine.report.sample import sample_report_data

FILES = {"result.json", "meta.json", "workbook.xlsx", "report.html", "scenario.resolved.yaml",
         "tables", ".quarterplan-run"}


@pytest.fixture(scope="module")
def data():
    return sample_report_data("run")


def write(data, folder, **kwargs):
    kwargs.setdefault("resolved_scenario", {"name": "base", "budget": {"total": 6.0e6}})
    return write_run_folder(data, {"objective": 29.4e6, "status": "optimal"}, folder, **kwargs)


def test_writes_every_file(data, tmp_path):
    folder = tmp_path / "runs" / "base-1"
    run = write(data, folder, create_parent=True)
    assert run.path == folder
    assert {p.name for p in folder.iterdir()} == FILES
    assert {p.name for p in (folder / "tables").iterdir()} == {f"{n}.csv" for n in data.tables}
    assert all(path.exists() for path in run.files.values())
    assert [p.name for p in (tmp_path / "runs").iterdir()] == ["base-1"]


def test_result_json_schema_and_tables_equal_the_workbook(data, tmp_path):
    folder = tmp_path / "run"
    write(data, folder)
    result = json.loads((folder / "result.json").read_text())
    assert tuple(result) == RESULT_KEYS
    assert result["schema_version"] == 1
    assert result["result"] == {"objective": 29.4e6, "status": "optimal"}
    assert result["meta"]["seed"] == data.meta["seed"]
    book = load_workbook(folder / "workbook.xlsx")
    rows = list(book["spend"].iter_rows(values_only=True))
    from_sheet = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert from_sheet == result["tables"]["spend"]


def test_meta_records_seed_and_versions(data, tmp_path):
    folder = tmp_path / "run"
    write(data, folder)
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["seed"] == 20261128
    assert {"python", "quarterplan", "highspy", "pulp"} <= set(meta["versions"])


def test_resolved_scenario_round_trips(data, tmp_path):
    folder = tmp_path / "run"
    write(data, folder)
    assert yaml.safe_load((folder / "scenario.resolved.yaml").read_text()) == {
        "name": "base", "budget": {"total": 6.0e6}}


def test_without_a_resolved_scenario_there_is_no_yaml(data, tmp_path):
    write(data, tmp_path / "run", resolved_scenario=None)
    assert not (tmp_path / "run" / "scenario.resolved.yaml").exists()


def test_an_existing_folder_is_not_overwritten(data, tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "mine.txt").write_text("keep me")
    with pytest.raises(UsageError, match=r"already exists.*--overwrite"):
        write(data, folder)
    assert [p.name for p in folder.iterdir()] == ["mine.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_overwrite_replaces_the_folder(data, tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "old.txt").write_text("old")
    (folder / ".quarterplan-run").write_text("{}")
    write(data, folder, overwrite=True)
    assert {p.name for p in folder.iterdir()} == FILES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_an_empty_existing_folder_is_filled(data, tmp_path):
    (tmp_path / "run").mkdir()
    write(data, tmp_path / "run")
    assert {p.name for p in (tmp_path / "run").iterdir()} == FILES


def test_a_file_in_the_way_is_refused(data, tmp_path):
    (tmp_path / "run").write_text("x")
    with pytest.raises(UsageError, match="not a folder"):
        write(data, tmp_path / "run", overwrite=True)


def fail_after_partial_write(data, path):
    path.write_bytes(b"PK\x03\x04 half a workbook")
    raise OSError("killed mid-write")


def test_a_failure_mid_write_leaves_nothing(data, tmp_path, monkeypatch):
    monkeypatch.setattr(runfolder, "write_workbook", fail_after_partial_write)
    with pytest.raises(OutputError, match=f"cannot write {tmp_path / 'run'}: killed"):
        write(data, tmp_path / "run")
    assert list(tmp_path.iterdir()) == []


def test_a_failure_mid_overwrite_keeps_the_old_folder(data, tmp_path, monkeypatch):
    folder = tmp_path / "run"
    write(data, folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    monkeypatch.setattr(runfolder, "write_workbook", fail_after_partial_write)
    with pytest.raises(OutputError):
        write(data, folder, overwrite=True)
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_a_failed_final_rename_restores_the_old_folder(data, tmp_path, monkeypatch):
    folder = tmp_path / "run"
    write(data, folder)
    real_replace = runfolder.os.replace

    def flaky(src, dst):
        if Path(src).name.startswith(".run.tmp-"):  # the finished staging folder -> run
            raise OSError("rename failed")
        return real_replace(src, dst)

    monkeypatch.setattr(runfolder.os, "replace", flaky)
    with pytest.raises(OutputError, match="rename failed"):
        write(data, folder, overwrite=True)
    monkeypatch.undo()
    assert (folder / "report.html").exists()
    assert {p.name for p in folder.iterdir()} == FILES
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_default_folder_name():
    now = datetime(2026, 1, 5, 9, 30, 7)
    assert str(default_run_folder("base", now)) == "runs/base-20260105-093007"
    assert default_run_folder("../we ird/x", now).name == "we-ird-x-20260105-093007"
