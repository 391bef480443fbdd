"""The quarterplan command line: a thin layer over ``engine``.

Library errors become one red line on stderr and an exit code (0 done, 1 infeasible plan,
2 bad input or usage); ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

import engine
from engine.errors import InfeasiblePlanError, QuarterplanError, ScenarioError
from engine.output import FORMATS, render_json
from engine.scenario.describe import describe_scenario, summary_lines

EXIT_INFEASIBLE = 1
EXIT_BAD_INPUT = 2


class QuarterplanGroup(click.Group):
    """A click group that turns quarterplan's errors into one clear line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            if ctx.meta.get("debug"):
                raise
            click.secho("interrupted: stopped, nothing written", fg="red", err=True)
            ctx.exit(130)
        except QuarterplanError as exc:
            if ctx.meta.get("debug"):
                raise
            click.secho(str(exc), fg="red", err=True)
            code = EXIT_INFEASIBLE if isinstance(exc, InfeasiblePlanError) else EXIT_BAD_INPUT
            ctx.exit(code)


def format_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--format table|json|csv``, shared by every command that prints results."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="How to print the result.",
    )(func)


@click.group(cls=QuarterplanGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(engine.__version__, prog_name="quarterplan")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Optimise, simulate, compare and re-plan a quarter of sales."""
    ctx.meta["debug"] = debug


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@format_option
def validate(scenarios: tuple[str, ...], fmt: str) -> None:
    """Check scenario files; print a summary of each valid one, every problem of the others."""
    described, failed = [], []
    for path in scenarios:
        try:
            described.append({"file": path, **describe_scenario(engine.load_scenario(path))})
        except ScenarioError as exc:
            failed.append(exc)
    if fmt == "json":
        click.echo(render_json(described), nl=False)
    else:
        for info in described:
            lines = summary_lines(info)
            click.echo(f"{info['file']}: valid")
            click.echo("\n".join(f"  {line}" for line in lines))
    for exc in failed:
        click.secho(str(exc), fg="red", err=True)
    if failed:
        sys.exit(EXIT_BAD_INPUT)


@main.command("optimize")
@click.argument("scenario", type=click.Path(dir_okay=False))
@format_option
@click.option("--out", type=click.Path(file_okay=False), help="Write plan.json and CSVs here.")
@click.option("--solver", type=click.Choice(["highs", "cbc"]), default="highs", show_default=True)
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds.")
@click.option("--relax-reps", is_flag=True, help="Allow fractional hires (the LP relaxation).")
@click.option("--export-mps", type=click.Path(dir_okay=False), help="Write the model as MPS.")
def optimize_command(
    scenario: str,
    fmt: str,
    out: str | None,
    solver: str,
    time_limit: float | None,
    relax_reps: bool,
    export_mps: str | None,
) -> None:
    """Optimise the plan: spend split, reps and regional targets, with shadow prices."""
    from engine.commands import optimize as report
    from engine.optimize import OptimizeOptions
    from engine.optimize import optimize as run_optimize
    from engine.output import render_csv

    loaded = engine.load_scenario(scenario)
    options = OptimizeOptions(
        solver="cbc" if solver == "cbc" else "highs", time_limit=time_limit, relax_reps=relax_reps
    )
    if export_mps:
        report.export_mps(loaded, export_mps, options)
    result = run_optimize(loaded, options)
    if out:
        report.write_outputs(result, out)
    if fmt == "json":
        click.echo(render_json(result), nl=False)
    elif fmt == "csv":
        click.echo(render_csv(result.outcome), nl=False)
    else:
        click.echo(report.render_result(result, loaded), nl=False)


@main.command()
@click.argument("actuals", type=click.Path(dir_okay=False))
@click.option("--scenario", type=click.Path(dir_okay=False),
              help="The quarter's scenario: checks names, gives the priors and the overlay base.")
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False),
              help="A plan.json whose targets to review against (when ACTUALS has none).")
@click.option("--overlay", type=click.Path(dir_okay=False),
              help="Where to write next quarter's overlay [default: ACTUALS-next.yaml].")
@click.option("--prior-strength", type=click.FloatRange(min=0, min_open=True), default=100.0,
              show_default=True, help="Pseudo-observations behind each scenario value.")
@format_option
def review(
    actuals: str,
    scenario: str | None,
    plan_file: str | None,
    overlay: str | None,
    prior_strength: float,
    fmt: str,
) -> None:
    """Review last quarter from ACTUALS: attainment, funnel, customers, channels, stock-outs;
    with --scenario, next quarter's estimates written as a scenario that extends it."""
    from engine.commands.review import render_review, review_files, review_frame
    from engine.output import render_csv

    result, written = review_files(actuals, scenario, plan_file, overlay, prior_strength)
    if fmt == "json":
        click.echo(render_json({"review": result, "overlay": written}), nl=False)
    elif fmt == "csv":
        click.echo(render_csv(review_frame(result)), nl=False)
    else:
        click.echo(render_review(result, written), nl=False)

EXIT_INTERRUPTED = 130


@main.command("simulate")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False),
              help="Plan to simulate (plan.json) [default: the optimiser's plan].")
@click.option("--replications", type=click.IntRange(min=1), help="[default: the scenario's]")
@click.option("--seed", type=click.IntRange(min=0), help="Root seed [default: the scenario's].")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Local processes.")
@click.option("--scheduler", metavar="ADDRESS", help="Run on this Dask scheduler.")
@click.option("--out", type=click.Path(file_okay=False), help="Write a run folder here.")
@click.option("--export-actuals", "export_week", type=click.IntRange(min=0), metavar="K",
              help="Also write replication 0's first K weeks as an actuals file.")
@click.option("--actuals-file", type=click.Path(dir_okay=False),
              help="Where --export-actuals writes [default: SCENARIO-actuals-weekK.csv].")
@format_option
def simulate_command(
    scenario: str, plan_file: str | None, replications: int | None, seed: int | None,
    workers: int, scheduler: str | None, out: str | None, export_week: int | None,
    actuals_file: str | None, fmt: str,
) -> None:
    """Simulate the quarter under a plan: KPIs with their spread, revenue fan, funnel, alerts."""
    from engine.commands.simulate import choose_plan, render_text, write_run
    from engine.output import render_csv
    from engine.simulate import simulate

    loaded = engine.load_scenario(scenario)
    plan = choose_plan(loaded, plan_file)
    if export_week is not None:
        from engine.actuals.simulated import default_actuals_path, export_actuals

        target = actuals_file or default_actuals_path(scenario, export_week)
        written = export_actuals(loaded, plan, export_week, seed, target)
        click.echo(f"Wrote actuals of weeks 1-{export_week} to {written}", err=True)
    total = replications or loaded.simulation.replications
    if fmt != "json":
        click.echo(f"plan: {plan.source or plan_file} - simulating {total} replications", err=True)
    bar = click.progressbar(length=total, file=sys.stderr, label="simulating")

    def progress(done: int, _total: int) -> None:
        if fmt != "json":
            bar.update(done - bar.pos)

    try:
        result = simulate(loaded, plan, replications=replications, seed=seed, workers=workers,
                          scheduler=scheduler, progress=progress)
    except KeyboardInterrupt:
        click.echo("interrupted: simulation stopped", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if fmt != "json":
        bar.render_finish()
    if out:
        write_run(result, out)
    if fmt == "json":
        click.echo(render_json(result), nl=False)
    elif fmt == "csv":
        click.echo(render_csv(result.summary()), nl=False)
    else:
        click.echo(render_text(result), nl=False)
        if out:
            click.echo(f"Wrote {out}")


@main.command("recalibrate")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--actuals", required=True, type=click.Path(dir_okay=False),
              help="Actuals of the weeks so far (CSV or .xlsx).")
@click.option("--as-of-week", required=True, type=click.IntRange(min=0),
              help="Weeks completed; the re-plan covers the weeks after it.")
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False),
              help="The plan in force (plan.json) [default: the scenario's optimised plan].")
@click.option("--allow-hiring", is_flag=True, help="Let the re-plan add hires.")
@click.option("--prior-strength", type=click.FloatRange(min=0, min_open=True), default=100.0,
              show_default=True, help="Pseudo-observations behind each scenario value.")
@click.option("--replications", type=click.IntRange(min=1), help="Per simulation.")
@click.option("--seed", type=click.IntRange(min=0), help="Root seed of the simulations.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--out", type=click.Path(file_okay=False), help="Write a run folder here.")
@format_option
def recalibrate_command(
    scenario: str, actuals: str, as_of_week: int, plan_file: str | None, allow_hiring: bool,
    prior_strength: float, replications: int | None, seed: int | None, workers: int,
    out: str | None, fmt: str,
) -> None:
    """Re-plan mid-quarter: update beliefs from ACTUALS, re-optimise what is still movable,
    re-simulate the weeks left and recalibrate their targets."""
    from engine.commands.recalibrate import (
        recalibrate_files,
        render_recalibration,
        write_replan_folder,
    )
    from engine.jobs.recalibrate import RecalibrateOptions
    from engine.output import render_csv

    options = RecalibrateOptions(prior_strength, allow_hiring, replications, seed, workers)
    result, loaded = recalibrate_files(scenario, actuals, as_of_week, plan_file, options)
    if out:
        write_replan_folder(result, loaded, scenario, out)
    if fmt == "json":
        click.echo(render_json(result), nl=False)
    elif fmt == "csv":
        click.echo(render_csv(result.targets), nl=False)
    else:
        click.echo(render_recalibration(result, loaded), nl=False)
        if out:
            click.echo(f"Wrote {out}")


def montecarlo_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--replications --seed --workers --scheduler``, shared by the Monte Carlo commands."""
    options = [
        click.option("--replications", type=click.IntRange(min=1),
                     help="Simulated quarters [default: the scenario's]."),
        click.option("--seed", type=click.IntRange(min=0),
                     help="Root seed [default: the scenario's]."),
        click.option("--workers", type=click.IntRange(min=1),
                     help="Local processes [default: all cores for 100+ replications]."),
        click.option("--scheduler", metavar="ADDRESS", help="Run on this Dask scheduler."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _run_options(scenario: Any, replications: int | None, seed: int | None,
                 workers: int | None, scheduler: str | None) -> Any:
    from engine.jobs.run import RunOptions, auto_workers

    n = replications or scenario.simulation.replications
    return RunOptions(replications=replications, seed=seed,
                      workers=workers or auto_workers(n), scheduler=scheduler)


class _Progress:
    """A progress bar on stderr for long runs (silent for ``--format json``)."""

    def __init__(self, label: str, show: bool) -> None:
        self.label, self.show, self.bar = label, show, None

    def __call__(self, done: int, total: int) -> None:
        if not self.show:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
        self.bar.update(done - self.bar.pos)
        if done >= total:
            self.bar.render_finish()
            self.bar = None


@main.command("run")
@click.argument("scenario", type=click.Path(dir_okay=False))
@montecarlo_options
@click.option("--out", type=click.Path(file_okay=False),
              help="Run folder [default: runs/<scenario>-<timestamp>].")
@click.option("--overwrite", is_flag=True, help="Replace an existing run folder.")
@format_option
def run_command(scenario: str, replications: int | None, seed: int | None,
                workers: int | None, scheduler: str | None, out: str | None, overwrite: bool,
                fmt: str) -> None:
    """Optimise, simulate and summarise the quarter; write the run folder (the main job)."""
    from engine.commands.run import headline_text, run_json, run_report_data, write_run_report
    from engine.jobs.run import run_scenario
    from engine.output import render_csv
    from engine.report.runfolder import result_document

    loaded = engine.load_scenario(scenario)
    opts = _run_options(loaded, replications, seed, workers, scheduler)
    result = run_scenario(loaded, opts, _Progress("simulating", fmt != "json"))
    data, document = run_report_data(result), run_json(result)
    folder = write_run_report(data, document, scenario, out, overwrite)
    if fmt == "json":
        click.echo(render_json(result_document(data, document)), nl=False)
    elif fmt == "csv":
        click.echo(render_csv(result.simulation.summary()), nl=False)
    else:
        click.echo(headline_text(result) + f"\nWrote {folder}/ (report.html, workbook.xlsx, "
                   "result.json, tables/)")


@main.command("compare")
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@montecarlo_options
@click.option("--plan-from", metavar="SCENARIO",
              help="Hold this scenario's plan fixed and simulate it under every scenario.")
@click.option("--out", type=click.Path(file_okay=False), help="Also write a run folder here.")
@click.option("--overwrite", is_flag=True, help="Replace an existing run folder.")
@format_option
def compare_command(scenarios: tuple[str, ...], replications: int | None, seed: int | None,
                    workers: int | None, scheduler: str | None, plan_from: str | None,
                    out: str | None, overwrite: bool, fmt: str) -> None:
    """Run scenarios side by side on common random numbers, with paired differences."""
    from engine.commands.run import compare_report_data, comparison_text, write_run_report
    from engine.errors import UsageError
    from engine.jobs.run import compare_scenarios
    from engine.output import render_csv
    from engine.report.runfolder import result_document

    if len(scenarios) < 2:
        raise UsageError("compare: give at least two scenarios")
    loaded = [engine.load_scenario(p) for p in scenarios]
    index = None
    if plan_from is not None:
        names = [s.name for s in loaded]
        if plan_from not in names and plan_from not in scenarios:
            raise UsageError(f"--plan-from: {plan_from!r} is not one of the scenarios compared")
        index = scenarios.index(plan_from) if plan_from in scenarios else names.index(plan_from)
    opts = _run_options(loaded[0], replications, seed, workers, scheduler)
    result = compare_scenarios(loaded, opts, index, _Progress("simulating", fmt != "json"))
    data = compare_report_data(result)
    document = {"comparison": result.table}
    if out:
        write_run_report(data, document, scenarios[0], out, overwrite)
    if fmt == "json":
        click.echo(render_json(result_document(data, document)), nl=False)
    elif fmt == "csv":
        click.echo(render_csv(result.table), nl=False)
    else:
        click.echo(comparison_text(result) + (f"\nWrote {out}/" if out else ""))


@main.command("sweep")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--budget", "budget_range", metavar="START:STOP:COUNT",
              help="Multiples of the spendable budget (e.g. 0.8:1.2:9): the efficient frontier.")
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUES",
              help="Sweep a field, e.g. channels.social.spend.max=5e5,1e6 (repeatable).")
@click.option("--split", "splits", multiple=True, metavar="CHANNEL=START:STOP:COUNT",
              help="Sweep a channel's share of the spendable budget (repeatable).")
@click.option("--simulate", is_flag=True, help="Also simulate every point.")
@montecarlo_options
@click.option("--out", type=click.Path(file_okay=False), help="Also write a run folder here.")
@click.option("--overwrite", is_flag=True, help="Replace an existing run folder.")
@format_option
def sweep_command(scenario: str, budget_range: str | None, sets: tuple[str, ...],
                  splits: tuple[str, ...], simulate: bool, replications: int | None,
                  seed: int | None, workers: int | None, scheduler: str | None,
                  out: str | None, overwrite: bool, fmt: str) -> None:
    """Budget frontier (--budget) or a grid of settings (--set, --split), re-optimised."""
    from engine.commands.run import write_run_report
    from engine.commands.sweep import run_sweep, sweep_report_data, sweep_text
    from engine.output import render_csv
    from engine.report.runfolder import result_document

    loaded = engine.load_scenario(scenario)
    opts = _run_options(loaded, replications, seed, workers, scheduler)
    result = run_sweep(scenario, loaded, budget_range, sets, splits, simulate, opts,
                       _Progress("sweeping", fmt != "json"))
    data = sweep_report_data(result, loaded)
    document = {"frontier": result.frontier, "kind": result.kind}
    if out:
        write_run_report(data, document, scenario, out, overwrite)
    if fmt == "json":
        click.echo(render_json(result_document(data, document)), nl=False)
    elif fmt == "csv":
        click.echo(render_csv(result.frontier), nl=False)
    else:
        click.echo(sweep_text(result, loaded) + (f"\nWrote {out}/" if out else ""))


if __name__ == "__main__":
    main()
