"""`quarterplan validate`: summaries of good files; for bad input one clear line per problem,
naming file, field path and value, with exit code 2 and no traceback."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import cli
from tests.conftest import BASE, SCENARIOS

Mutation = Callable[[dict[str, Any]], Any]


def _set(path: list[Any], value: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _drop(path: list[Any]) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


# (case id, mutation of base.yaml, expected field path, expected offending value as printed)
BAD_INPUT: list[tuple[str, Mutation, str, str]] = [
    ("negative-money", _set(["budget", "total"], -5), "budget.total: must be >= 0", "-5"),
    ("share-above-one", _set(["budget", "reserve_share"], 1.5), "budget.reserve_share", "1.5"),
    (
        "text-for-number",
        _set(["budget", "total"], "ten thousand"),
        "budget.total: must be a number",
        "'ten thousand'",
    ),
    ("percent-text", _set(["regions", 1, "potential"], "12%"), "regions[1].potential", "'12%'"),
    (
        "zero-potential",
        _set(["regions", 3, "potential"], 0),
        "regions[3].potential: must be > 0",
        "0",
    ),
    (
        "unknown-kind",
        _set(["regions", 0, "kind"], "megacity"),
        "regions[0].kind: must be one of",
        "'megacity'",
    ),
    (
        "unknown-region-key",
        _set(["regions", 0, "colour"], "red"),
        "regions[0].colour: unknown field",
        "'red'",
    ),
    ("unknown-top-key", _set(["budgte"], 5), "budgte: unknown field", "5"),
    (
        "fractional-reps",
        _set(["regions", 0, "reps", "field"], 2.5),
        "regions[0].reps.field: must be a whole number",
        "2.5",
    ),
    (
        "unknown-role",
        _set(["salesforce", "roles", "manager"], {"hours_per_week": 1}),
        "salesforce.roles.manager",
        "'manager'",
    ),
    ("mix-above-one", _set(["products", 0, "mix"], 1.4), "products[0].mix: must be <= 1", "1.4"),
    (
        "mix-does-not-sum",
        _set(["products", 0, "mix"], 0.5),
        "products[*].mix: shares must add up to 1",
        "1.47",
    ),
    (
        "hill-not-concave",
        _set(["channels", 0, "response", "shape"], 2.0),
        "channels[0].response.shape: must be <= 1",
        "2.0",
    ),
    (
        "unknown-curve",
        _set(["channels", 1, "response", "kind"], "sigmoid"),
        "channels[1].response.kind: must be one of",
        "'sigmoid'",
    ),
    (
        "spend-bounds-reversed",
        _set(["channels", 2, "spend"], {"min": 5e5, "max": 1e5}),
        "channels[2].spend: max (100000) must be >= min (500000)",
        None,
    ),
    (
        "dangling-promo-channel",
        _set(["pricing", "promotions", 0, "channel"], "tiktok"),
        "pricing.promotions[0].channel: no channel with this id",
        "'tiktok'",
    ),
    (
        "promo-beyond-horizon",
        _set(["pricing", "promotions", 1, "weeks"], [5, 20]),
        "pricing.promotions[1].weeks[1]: week is beyond the horizon of 13 weeks",
        "20",
    ),
    (
        "dangling-shock-region",
        _set(["pricing", "competitor_shocks", 0, "regions"], ["atlantis"]),
        "pricing.competitor_shocks[0].regions[0]: no region with this id",
        "'atlantis'",
    ),
    (
        "dangling-supplier",
        _set(["inventory", "stock", 0, "supplier"], "nobody"),
        "inventory.stock[0].supplier: no supplier with this id",
        "'nobody'",
    ),
    (
        "reorder-below-safety",
        _set(["inventory", "stock", 2, "reorder_point"], 100),
        "inventory.stock[2].reorder_point: must be >= safety_stock (250)",
        "100",
    ),
    (
        "tiers-do-not-sum",
        _set(["collections", "tiers", 2, "share"], 0.05),
        "collections.tiers[*].share: shares must add up to 1",
        "0.95",
    ),
    (
        "duplicate-region",
        _set(["regions", 1, "id"], "shanghai"),
        "regions[1].id: duplicate id",
        "'shanghai'",
    ),
    (
        "months-do-not-cover",
        _set(["horizon", "months"], [4, 4, 4]),
        "horizon: months [4, 4, 4] must be positive and add up to weeks (13)",
        None,
    ),
    (
        "conversion-above-one",
        _set(["funnel", "stages", 0, "conversion"], 1.2),
        "funnel.stages[0].conversion: must be <= 1",
        "1.2",
    ),
    (
        "lognormal-without-sd",
        _set(["funnel", "stages", 2, "duration"], {"dist": "lognormal", "mean": 5}),
        "funnel.stages[2].duration: lognormal needs mean > 0 and sd > 0",
        None,
    ),
    (
        "unknown-objective",
        _set(["policy", "objective"], "profit"),
        "policy.objective: must be one of",
        "'profit'",
    ),
    (
        "dangling-margin-channel",
        _set(["policy", "margin_floor", "channels", "tiktok"], 0.2),
        "policy.margin_floor.channels.tiktok: no channel with this id",
        "'tiktok'",
    ),
    (
        "dangling-intent-stage",
        _set(["policy", "pilot_intent", "stage"], "closing"),
        "policy.pilot_intent.stage: no funnel stage with this id",
        "'closing'",
    ),
    ("missing-required", _drop(["funnel"]), "funnel: required field is missing", None),
    (
        "lead-shares-above-one",
        _set(["customers", 0, "lead_share"], 0.95),
        "customers[*].lead_share: lead shares must add up to at most 1",
        "1.15",
    ),
    (
        "dangling-mix-product",
        _set(["channels", 2, "product_mix", "ghost"], 0.0),
        "channels[2].product_mix.ghost: no product with this id",
        "'ghost'",
    ),
    ("infinite-budget", _set(["budget", "total"], float("inf")), "budget.total", "inf"),
    (
        "id-with-spaces",
        _set(["regions", 0, "id"], "new york"),
        "regions[0].id: has a space at position 4: identifiers use only letters and digits",
        "'new york'",
    ),
    (
        "key-with-a-space",
        _set(["policy", "margin_floor", "channels", "社区 团购"], 0.1),
        "policy.margin_floor.channels['社区 团购']: key has a space at position 3",
        "'社区 团购'",
    ),
    (
        "zero-replications",
        _set(["simulation", "replications"], 0),
        "simulation.replications: must be >= 1",
        "0",
    ),
    (
        "minimums-over-budget",
        _set(["channels", 0, "spend"], {"min": 6e6}),
        "channels[*].spend.min: channel minimums add up to more than the spendable budget",
        "6400000",
    ),
    ("text-for-bool", _set(["products", 0, "new"], "sure"), "products[0].new", "'sure'"),
    ("list-for-mapping", _set(["budget"], [1, 2]), "budget", None),
]


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli.main, list(args))


@pytest.mark.parametrize(
    ("case", "mutate", "where", "value"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT]
)
def test_bad_input_is_one_clear_line_and_exit_2(
    base_doc: dict[str, Any],
    write_yaml: Callable[..., Path],
    case: str,
    mutate: Mutation,
    where: str,
    value: str | None,
) -> None:
    doc = copy.deepcopy(base_doc)
    mutate(doc)
    path = write_yaml(doc, f"{case}.yaml")
    result = _run("validate", str(path))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output + result.stderr
    lines = [line for line in result.stderr.splitlines() if where in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{path}: ")
    if value is not None:
        assert f"(got {value}" in lines[0]
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("budget: {total: 1, total: 2}\n", "line 1, column 20: duplicate key 'total'"),
        ("regions: [\n", "line 2, column 1:"),
        ("- just\n- a list\n", "a scenario must be a mapping of fields (got 'list')"),
        ("extends: missing.yaml\n", "extends: no such scenario file (got 'missing.yaml')"),
    ],
)
def test_file_level_problems(write_yaml: Callable[..., Path], text: str, expected: str) -> None:
    path = write_yaml(text, "broken.yaml")
    result = _run("validate", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}: {expected}")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_missing_file_is_exit_2(tmp_path: Path) -> None:
    result = _run("validate", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{tmp_path / 'nope.yaml'}: no such file"


def test_good_files_print_a_summary_and_exit_0() -> None:
    result = _run("validate", str(BASE), str(SCENARIOS / "tiny.yaml"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:3] == [
        f"{BASE}: valid",
        "  base: 13 regions (3 key city, 5 core, 3 pilot, 2 lower tier), 6 channels, "
        "8 products in 4 lines (2 new)",
        "  budget ¥6,000,000 per quarter, 10% reserve, ¥5,400,000 to allocate",
    ]
    assert "tiny: 1 regions (1 core), 1 channels, 1 products" in result.stdout


def test_one_bad_file_among_good_ones_still_reports_the_good(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("budget: {total: -1}\n")
    result = _run("validate", str(BASE), str(bad))
    assert result.exit_code == 2
    assert f"{BASE}: valid" in result.stdout
    assert f"{bad}: budget.total: must be >= 0 (got -1)" in result.stderr


def test_json_format_lists_the_counts() -> None:
    import json

    result = _run("validate", "--format", "json", str(BASE))
    assert result.exit_code == 0
    info = json.loads(result.stdout)[0]
    assert (info["regions"], len(info["channels"]), info["products"]) == (13, 6, 8)
    assert info["budget"] == 6_000_000 and info["weeks"] == 13


def test_version() -> None:
    result = _run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("quarterplan, version ")


def test_usage_errors_are_exit_2() -> None:
    assert _run("validate").exit_code == 2
    assert _run("no-such-command").exit_code == 2


def test_every_command_has_help() -> None:
    for name, command in cli.main.commands.items():
        result = _run(name, "--help")
        assert result.exit_code == 0, name
        first_words = " ".join((command.help or "").split()[:4])
        assert first_words and first_words in " ".join(result.stdout.split()), name


def test_debug_flag_shows_the_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("budget: {total: -1}\n")
    result = _run("--debug", "validate", str(bad))
    assert result.exit_code == 2
    assert "must be >= 0" in result.stderr
