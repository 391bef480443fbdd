"""The README stays true: the two commands first, and the scenario reference equal to the schema."""

from __future__ import annotations

from engine.scenario.reference import BEGIN, END, scenario_reference
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    block = README.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make run", "make test"]


def test_scenario_reference_matches_the_schema() -> None:
    start, end = README.index(BEGIN), README.index(END) + len(END)
    assert README[start:end] == scenario_reference(), "run: python -m engine.scenario.reference"


def test_glossary_matches_the_kpi_registry() -> None:
    from engine.kpis import GLOSSARY_BEGIN, GLOSSARY_END, glossary_markdown

    start, end = README.index(GLOSSARY_BEGIN), README.index(GLOSSARY_END) + len(GLOSSARY_END)
    assert README[start:end] == glossary_markdown(), "run: python -m engine.kpis"
