"""The quarterplan command line: a thin layer over ``engine``.

Library errors become one red line on stderr and an exit code: 0 done, 1 the plan is
infeasible (nothing else exits 1), 2 bad input or usage (an output that cannot be written
included), 130 interrupted (Ctrl-C at any moment, or SIGTERM), 3 an unexpected internal error
(one line; ``--debug`` shows the traceback, as it does for every error).
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any


def _stop_at_startup(signum: int, frame: Any) -> None:
    """Ctrl-C or SIGTERM while the libraries load: stop quietly with the interrupted code."""
    sys.stderr.write("interrupted: stopped, nothing written\n")
    os._exit(130)


if sys.argv and sys.argv[0].endswith("quarterplan"):  # the installed command, not a test
    signal.signal(signal.SIGINT, _stop_at_startup)
    signal.signal(signal.SIGTERM, _stop_at_startup)

import math  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TypeVar  # noqa: E402

import click  # noqa: E402
import pandas as pd  # noqa: E402

import engine  # noqa: E402
from engine.commands.outputs import (  # noqa: E402
    check_output_file,
    inputs_of,
    run_folder,
)
from engine.commands.outputs import write_folder as write_run_folder  # noqa: E402
from engine.errors import (  # noqa: E402
    InfeasiblePlanError,
    QuarterplanError,
    ScenarioError,
    clip,
)
from engine.kpis import LANGS  # noqa: E402
from engine.output import FORMATS, render_csv, render_json  # noqa: E402
from engine.plans.read import SPREAD_RULES  # noqa: E402
from engine.scenario.describe import describe_scenario, summary_lines  # noqa: E402
from engine.scenario.limits import MAX_REPLICATIONS  # noqa: E402
from engine.simulate import POOL_FROM, POOL_FROM_LEADS, MonteCarlo, max_workers  # noqa: E402

EXIT_INFEASIBLE = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
MAX_SEED = 2**63 - 1


def _terminate(signum: int, frame: Any) -> None:
    """SIGTERM ends a run as Ctrl-C does: cleanly, nothing written, exit 130."""
    raise KeyboardInterrupt


def _unexpected(exc: Exception) -> tuple[str, int]:
    """The one line and exit code for an exception quarterplan did not raise on purpose."""
    if isinstance(exc, MemoryError):
        return ("out of memory: ask for less (fewer replications, a smaller scenario)",
                EXIT_BAD_INPUT)
    if isinstance(exc, OSError) and exc.filename:
        return f"{clip(str(exc.filename))}: {exc.strerror or exc}", EXIT_BAD_INPUT
    return (f"internal error: {type(exc).__name__}: {clip(str(exc), 200)} (run "
            "'quarterplan --debug ...' for the traceback, and report it)", EXIT_INTERNAL)


class QuarterplanGroup(click.Group):
    """A click group that turns quarterplan's errors into one clear line and an exit code."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except KeyboardInterrupt:
            click.secho("interrupted: stopped, nothing written", fg="red", err=True)
            sys.exit(EXIT_INTERRUPTED)

    def invoke(self, ctx: click.Context) -> Any:
        if _in_main_thread():
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, _terminate)
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            if ctx.meta.get("debug"):
                raise
            click.secho("interrupted: stopped, nothing written", fg="red", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except QuarterplanError as exc:
            if ctx.meta.get("debug"):
                raise
            click.secho(str(exc), fg="red", err=True)
            code = EXIT_INFEASIBLE if isinstance(exc, InfeasiblePlanError) else EXIT_BAD_INPUT
            ctx.exit(code)
        except Exception as exc:
            if ctx.meta.get("debug"):
                raise
            message, code = _unexpected(exc)
            click.secho(message, fg="red", err=True)
            ctx.exit(code)


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


class FiniteFloat(click.FloatRange):
    """A float range that also refuses ``nan`` and ``inf``."""

    name = "finite float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None
                ) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


F = TypeVar("F", bound=Callable[..., Any])


def format_option(func: F) -> F:
    """``--format table|json|csv``, shared by every command that prints results."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="How to print the result.",
    )(func)


def montecarlo_options(func: F) -> F:
    """``--replications --seed --workers --scheduler``: the same on every Monte Carlo command."""
    options = [
        click.option("--replications", type=click.IntRange(min=1, max=MAX_REPLICATIONS),
                     help="Simulated quarters [default: the scenario's]."),
        click.option("--seed", type=click.IntRange(min=0, max=MAX_SEED),
                     help="Root seed [default: the scenario's]."),
        click.option("--workers", type=click.IntRange(min=1),
                     help=f"Local processes [default: all cores for {POOL_FROM}+ replications "
                          f"or {POOL_FROM_LEADS / 1e6:g}M+ simulated leads]."),
        click.option("--scheduler", metavar="ADDRESS", help="Run on this Dask scheduler."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _remember_lang(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta["quarterplan.lang"] = value


def chosen_lang(default: str = "en") -> str:
    """``--lang`` when given, else ``default`` (the scenario's ``language``)."""
    ctx = click.get_current_context(silent=True)
    return str(ctx.meta.get("quarterplan.lang", default)) if ctx is not None else default


def write_folder(data: Any, *args: Any, **kwargs: Any) -> Path:
    """``engine.commands.outputs.write_folder`` with the report in the chosen language."""
    return write_run_folder(replace(data, lang=chosen_lang(data.lang)), *args, **kwargs)


def out_options(default: str = "") -> Callable[[F], F]:
    """``--out DIR --overwrite --lang``: the same on every command that writes a run folder."""
    def decorate(func: F) -> F:
        func = click.option("--lang", type=click.Choice(LANGS), expose_value=False,
                            callback=_remember_lang,
                            help="Language of the headline, report and workbook "
                                 "[default: the scenario's language, else en].")(func)
        func = click.option("--overwrite", is_flag=True,
                            help="Replace an existing run folder.")(func)
        return click.option("--out", type=click.Path(file_okay=False),
                            help=f"Write a run folder here{default}.")(func)
    return decorate


def monte_carlo(replications: int | None, seed: int | None, workers: int | None,
                scheduler: str | None, progress: Callable[[int, int], None] | None = None
                ) -> MonteCarlo:
    """The options of ``montecarlo_options`` as the engine's one Monte Carlo settings type;
    ``--workers`` beyond the cores is capped, and said so."""
    if workers is not None and workers > max_workers() and scheduler is None:
        click.echo(f"--workers {workers}: this machine has {max_workers()} cores; using "
                   f"{max_workers()}", err=True)
        workers = max_workers()
    return MonteCarlo(replications, seed, workers, scheduler, progress)


def echo_result(fmt: str, as_json: Callable[[], Any], as_csv: Callable[[], pd.DataFrame],
                as_table: Callable[[], str]) -> None:
    """Print a result in the chosen ``--format`` (only the chosen form is built)."""
    if fmt == "json":
        click.echo(render_json(as_json()), nl=False)
    elif fmt == "csv":
        click.echo(render_csv(as_csv()), nl=False)
    else:
        click.echo(as_table(), nl=False)


class Progress:
    """A progress bar on stderr for long runs (silent for ``--format json``)."""

    def __init__(self, label: str, show: bool) -> None:
        self.label, self.show = label, show
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.show:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
        self.bar.update(done - self.bar.pos)
        if done >= total:
            self.bar.render_finish()
            self.bar = None


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
    described: list[dict[str, Any]] = []
    failed: list[ScenarioError] = []
    for path in scenarios:
        try:
            described.append({"file": path, **describe_scenario(engine.load_scenario(path))})
        except ScenarioError as problem:
            failed.append(problem)
    if fmt == "json":
        click.echo(render_json(described), nl=False)
    else:
        for info in described:
            lines = summary_lines(info)
            click.echo(f"{info['file']}: valid")
            click.echo("\n".join(f"  {line}" for line in lines))
    for error in failed:
        click.secho(str(error), fg="red", err=True)
    if failed:
        sys.exit(EXIT_BAD_INPUT)


@main.command("optimize")
@click.argument("scenario", type=click.Path(dir_okay=False))
@format_option
@out_options(" (plan.json, which simulate --plan reads, and the tables)")
@click.option("--solver", type=click.Choice(["highs", "cbc"]), default="highs", show_default=True)
@click.option("--time-limit", type=FiniteFloat(min=0, min_open=True),
              help="Seconds for the solver (building the model before it is not counted).")
@click.option("--relax-reps", is_flag=True, help="Allow fractional hires (the LP relaxation).")
@click.option("--export-mps", type=click.Path(dir_okay=False), help="Write the model as MPS.")
@montecarlo_options
def optimize_command(scenario: str, fmt: str, out: str | None, overwrite: bool, solver: str,
                     time_limit: float | None, relax_reps: bool, export_mps: str | None,
                     replications: int | None, seed: int | None, workers: int | None,
                     scheduler: str | None) -> None:
    """Optimise the plan: spend split, reps and regional targets, with shadow prices."""
    from engine.commands import optimize as command
    from engine.optimize import OptimizeOptions, optimize

    loaded = engine.load_scenario(scenario)
    inputs = inputs_of([scenario])
    folder = run_folder(out, overwrite, loaded.name, inputs) if out else None
    options = OptimizeOptions(
        solver="cbc" if solver == "cbc" else "highs", time_limit=time_limit, relax_reps=relax_reps,
        pilot=replications, seed=seed, workers=workers, scheduler=scheduler,
    )
    if export_mps:
        check_output_file(export_mps, inputs, "--export-mps")
    result = optimize(loaded, options)
    if export_mps:
        command.export_mps(loaded, export_mps, options, result.inputs)
    if folder:
        write_folder(command.report_data(result, loaded), result.to_dict(), folder, scenario,
                     overwrite, inputs, extra=command.plan_file(result))
    echo_result(fmt, lambda: result, lambda: result.outcome,
                lambda: command.render_result(result, loaded))


@main.command()
@click.argument("actuals", type=click.Path(dir_okay=False))
@click.option("--scenario", type=click.Path(dir_okay=False),
              help="The quarter's scenario: checks names, gives the priors and the overlay base.")
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False),
              help="A plan.json whose targets to review against (when ACTUALS has none).")
@click.option("--overlay", type=click.Path(dir_okay=False),
              help="Where to write next quarter's overlay [default: ACTUALS-next.yaml].")
@click.option("--prior-strength", type=FiniteFloat(min=0, min_open=True), default=100.0,
              show_default=True, help="Pseudo-observations behind each scenario value.")
@out_options()
@format_option
def review(actuals: str, scenario: str | None, plan_file: str | None, overlay: str | None,
           prior_strength: float, out: str | None, overwrite: bool, fmt: str) -> None:
    """Review last quarter from ACTUALS: attainment, funnel, customers, channels, stock-outs;
    with --scenario, next quarter's estimates written as a scenario that extends it."""
    from engine.commands.names import display_names
    from engine.commands.review import (
        default_overlay_path,
        render_review,
        report_data,
        review_files,
        review_frame,
    )

    s = engine.load_scenario(scenario) if scenario is not None else None
    name, currency = (s.name, s.currency) if s is not None else (Path(actuals).stem, "")
    inputs = inputs_of([scenario] if scenario else [], actuals, plan_file)
    folder = run_folder(out, overwrite, name, inputs) if out else None
    if scenario is not None:
        check_output_file(overlay or default_overlay_path(actuals), inputs, "--overlay")
    result, written = review_files(actuals, scenario, plan_file, overlay, prior_strength)
    for warning in result.warnings:
        click.echo(f"warning: {actuals}: {warning}", err=True)
    document = {"review": result, "overlay": written}
    names = display_names(s) if s is not None else {}
    if folder:
        write_folder(report_data(result, name, currency, names), document, folder, scenario,
                     overwrite, inputs)
    echo_result(fmt, lambda: document, lambda: review_frame(result),
                lambda: render_review(result, written, currency, names)
                + (f"Wrote {out}\n" if out else ""))


@main.command("simulate")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False),
              help="Plan to simulate: a plan file (.csv, .xlsx, .yaml) or plan.json "
                   "[default: the optimiser's plan].")
@click.option("--allow-no-reps", is_flag=True,
              help="Accept a plan file whose salesforce is empty (reps: []).")
@montecarlo_options
@out_options()
@click.option("--export-actuals", "export_week", type=click.IntRange(min=0), metavar="K",
              help="Also write replication 0's first K weeks as an actuals file.")
@click.option("--actuals-file", type=click.Path(dir_okay=False),
              help="Where --export-actuals writes [default: SCENARIO-actuals-weekK.csv].")
@format_option
def simulate_command(
    scenario: str, plan_file: str | None, allow_no_reps: bool, replications: int | None,
    seed: int | None, workers: int | None, scheduler: str | None, out: str | None,
    overwrite: bool, export_week: int | None, actuals_file: str | None, fmt: str,
) -> None:
    """Simulate the quarter under a plan: KPIs with their spread, revenue fan, funnel, alerts."""
    import engine.simulate
    from engine.actuals.simulated import default_actuals_path, export_actuals
    from engine.commands.simulate import choose_plan, render_text, report_data, simulate_json

    loaded = engine.load_scenario(scenario)
    inputs = inputs_of([scenario], plan_file)
    folder = run_folder(out, overwrite, loaded.name, inputs) if out else None
    target = actuals_file or default_actuals_path(scenario, export_week or 0)
    if export_week is not None:
        check_output_file(target, inputs, "--actuals-file")
    plan, notes = choose_plan(loaded, plan_file, monte_carlo(replications, seed, workers,
                                                             scheduler), allow_no_reps)
    for note in notes if fmt != "json" else []:
        click.echo(f"plan: {note}", err=True)
    if export_week is not None:
        written = export_actuals(loaded, plan, export_week, seed, target)
        click.echo(f"Wrote actuals of weeks 1-{export_week} to {written}", err=True)
    mc = monte_carlo(replications, seed, workers, scheduler, Progress("simulating", fmt != "json"))
    if fmt != "json":
        total = mc.replications_for(loaded)
        click.echo(f"plan: {plan.source or plan_file} - simulating {total} replications", err=True)
    try:
        result = engine.simulate.simulate(loaded, plan, mc)
    except KeyboardInterrupt:
        click.echo("interrupted: simulation stopped", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if folder:
        write_folder(report_data(result, loaded, plan), simulate_json(result, plan), folder,
                     scenario, overwrite, inputs)
    echo_result(fmt, lambda: simulate_json(result, plan), lambda: result.summary(),
                lambda: render_text(result, loaded.currency) + (f"Wrote {out}\n" if out else ""))


@main.command("recalibrate")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--actuals", required=True, type=click.Path(dir_okay=False),
              help="Actuals of the weeks so far (CSV or .xlsx).")
@click.option("--as-of-week", required=True, type=click.IntRange(min=0),
              help="Weeks completed; the re-plan covers the weeks after it.")
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False),
              help="The plan in force (plan.json) [default: the scenario's optimised plan].")
@click.option("--allow-hiring", is_flag=True, help="Let the re-plan add hires.")
@click.option("--prior-strength", type=FiniteFloat(min=0, min_open=True), default=100.0,
              show_default=True, help="Pseudo-observations behind each scenario value.")
@montecarlo_options
@out_options()
@format_option
def recalibrate_command(
    scenario: str, actuals: str, as_of_week: int, plan_file: str | None, allow_hiring: bool,
    prior_strength: float, replications: int | None, seed: int | None, workers: int | None,
    scheduler: str | None, out: str | None, overwrite: bool, fmt: str,
) -> None:
    """Re-plan mid-quarter: update beliefs from ACTUALS, re-optimise what is still movable,
    re-simulate the weeks left and recalibrate their targets."""
    from engine.commands import recalibrate as command
    from engine.commands.recalibrate import recalibrate_files, render_recalibration, report_data
    from engine.jobs.recalibrate import RecalibrateOptions

    options = RecalibrateOptions(prior_strength, allow_hiring)
    mc = monte_carlo(replications, seed, workers, scheduler)
    inputs = inputs_of([scenario], actuals, plan_file)
    loaded = engine.load_scenario(scenario)
    folder = run_folder(out, overwrite, loaded.name, inputs) if out else None
    if command.quarter_over(loaded, as_of_week):
        final_review(scenario, actuals, plan_file, prior_strength, folder, overwrite, inputs, fmt)
        return
    result, loaded = recalibrate_files(scenario, actuals, as_of_week, plan_file, options, mc)
    if folder:
        write_folder(report_data(result, loaded), result.to_dict(), folder, scenario, overwrite,
                     inputs)
    echo_result(fmt, lambda: result, lambda: result.targets,
                lambda: render_recalibration(result, loaded) + (f"Wrote {out}\n" if out else ""))


def final_review(scenario: str, actuals: str, plan_file: str | None, prior_strength: float,
                 folder: Path | None, overwrite: bool, inputs: list[Path], fmt: str) -> None:
    """``recalibrate --as-of-week`` at the quarter's end: its final review, no re-plan."""
    from engine.commands import review as shown
    from engine.commands.recalibrate import final_review as review_quarter
    from engine.commands.recalibrate import final_review_text

    loaded = engine.load_scenario(scenario)
    result = review_quarter(scenario, actuals, plan_file, prior_strength)
    document = {"final_review": result, "replan": None}
    if folder:
        write_folder(shown.report_data(result, loaded.name, loaded.currency), document, folder,
                     scenario, overwrite, inputs)
    echo_result(fmt, lambda: document, lambda: shown.review_frame(result),
                lambda: final_review_text(result, loaded) + (f"Wrote {folder}\n" if folder else ""))


@main.command("run")
@click.argument("scenario", type=click.Path(dir_okay=False))
@montecarlo_options
@out_options(" [default: runs/<scenario>-<timestamp>]")
@format_option
def run_command(scenario: str, replications: int | None, seed: int | None,
                workers: int | None, scheduler: str | None, out: str | None, overwrite: bool,
                fmt: str) -> None:
    """Optimise, simulate and summarise the quarter; write the run folder (the main job)."""
    from engine.commands.run import headline_text, run_json, run_report_data
    from engine.jobs.run import run_scenario
    from engine.report.runfolder import result_document

    loaded = engine.load_scenario(scenario)
    inputs = inputs_of([scenario])
    target = run_folder(out, overwrite, loaded.name, inputs)
    mc = monte_carlo(replications, seed, workers, scheduler, Progress("simulating", fmt != "json"))
    result = run_scenario(loaded, mc)
    data = run_report_data(result, lang=chosen_lang(loaded.language))
    document = run_json(result)
    folder = write_folder(data, document, target, scenario, overwrite, inputs)
    echo_result(fmt, lambda: result_document(data, document), lambda: result.simulation.summary(),
                lambda: headline_text(result, chosen_lang(loaded.language))
                + f"\nWrote {folder}/ (report.html, workbook.xlsx, result.json, tables/)\n")


@main.command("compare")
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@montecarlo_options
@click.option("--plan", "plans", multiple=True, metavar="NAME=FILE",
              help="Compare this plan file (CSV, .xlsx, .yaml; repeatable) with the optimiser's "
                   "plan, under every SCENARIO.")
@click.option("--no-optimizer", is_flag=True,
              help="With --plan: leave the optimiser's plan out of the candidates.")
@click.option("--spread", type=click.Choice(SPREAD_RULES), default="optimizer",
              show_default=True,
              help="How spend given per channel is shared over regions.")
@click.option("--target", "target", metavar="FILE|RULE",
              help="With --plan: the common target (a targets file, or percentile:P or "
                   "stretch:X on the baseline's forecast) [default: the baseline plan's].")
@click.option("--allow-no-reps", is_flag=True,
              help="Accept a plan file whose salesforce is empty (reps: []).")
@click.option("--plan-from", metavar="SCENARIO",
              help="Hold this scenario's plan fixed and simulate it under every scenario.")
@click.option("--rules", "rules", multiple=True, metavar="none|FILE",
              help="Compare one scenario's plan with its management rules against the same plan "
                   "without them (none) or with another rule set (a YAML file with a "
                   "management: section); repeatable.")
@out_options()
@format_option
def compare_command(scenarios: tuple[str, ...], replications: int | None, seed: int | None,
                    workers: int | None, scheduler: str | None, plans: tuple[str, ...],
                    no_optimizer: bool, spread: str, target: str | None, allow_no_reps: bool,
                    plan_from: str | None, rules: tuple[str, ...], out: str | None,
                    overwrite: bool, fmt: str) -> None:
    """Run scenarios side by side on common random numbers, with paired differences; with
    --plan, compare plans (yours and the optimiser's) under each scenario against one target;
    with --rules, one scenario's plan with and without its management rules."""
    from engine.commands.compare import compare_inputs
    from engine.report.runfolder import result_document

    inputs = compare_inputs(scenarios, plans, target, plan_from, rules)
    name = engine.load_scenario(scenarios[0]).name
    folder = run_folder(out, overwrite, name, inputs) if out else None
    mc = monte_carlo(replications, seed, workers, scheduler, Progress("simulating", fmt != "json"))
    if plans:
        from engine.commands.compare import (
            compare_plan_files,
            plan_files,
            plans_report_data,
            plans_text,
        )

        pc = compare_plan_files(scenarios, plans, mc, spread, target, allow_no_reps,
                                not no_optimizer)
        data, text, extra = plans_report_data(pc), lambda: plans_text(pc), plan_files(pc)
    else:
        from engine.commands.compare import (
            compare_report_data,
            compare_scenario_files,
            comparison_text,
        )

        result = compare_scenario_files(scenarios, plan_from, mc, rules)
        data, text = compare_report_data(result), lambda: comparison_text(result)
        extra = {}
    table = data.tables["comparison"]
    document = {"comparison": table, "meta": data.meta}
    if folder:
        write_folder(data, document, folder, scenarios[0], overwrite, inputs, extra)
    echo_result(fmt, lambda: result_document(data, document), lambda: table,
                lambda: text() + (f"\nWrote {out}/\n" if out else "\n"))


@main.group("plan")
def plan_group() -> None:
    """Plan files: write the optimiser's plan as a file to edit, check a plan file."""


@plan_group.command("template")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="The file to write: .csv (spend), .xlsx or .yaml (spend and reps).")
@click.option("--overwrite", is_flag=True, help="Replace an existing file.")
def plan_template_command(scenario: str, out: str, overwrite: bool) -> None:
    """Write the optimiser's plan of SCENARIO as a plan file for a planner to edit."""
    from engine.optimize import optimize
    from engine.plans.template import write_template

    loaded = engine.load_scenario(scenario)
    check_output_file(out, inputs_of([scenario]), "--out")
    written = write_template(optimize(loaded).plan, out, overwrite)
    click.echo(f"Wrote the optimiser's plan of {loaded.name} to {written} "
               "(edit it, then: quarterplan compare SCENARIO --plan NAME=FILE)")


@plan_group.command("check")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.argument("plan_file", type=click.Path(dir_okay=False))
@click.option("--spread", type=click.Choice(SPREAD_RULES), default="optimizer",
              show_default=True, help="How spend given per channel is shared over regions.")
@click.option("--allow-no-reps", is_flag=True, help="Accept an empty salesforce (reps: []).")
@format_option
def plan_check_command(scenario: str, plan_file: str, spread: str, allow_no_reps: bool,
                       fmt: str) -> None:
    """Check PLAN_FILE against SCENARIO and show the plan as it will be simulated."""
    from engine.commands.compare import check_plan_file, checked_text

    loaded = engine.load_scenario(scenario)
    given = check_plan_file(loaded, plan_file, spread, allow_no_reps)
    echo_result(fmt, lambda: given.plan.to_dict(), lambda: given.plan.spend,
                lambda: checked_text(given, loaded))


@main.command("sweep")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--budget", "budget_range", metavar="START:STOP:COUNT",
              help="Multiples of the spendable budget (e.g. 0.8:1.2:9): the efficient frontier.")
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUES",
              help="Sweep a field, e.g. channels.social.spend.max=5e5,1e6 (repeatable).")
@click.option("--split", "splits", multiple=True, metavar="CHANNEL=START:STOP:COUNT",
              help="Sweep a channel's share of the spendable budget; repeat for a grid over "
                   "several channels (shares adding up to at most 1, the other channels "
                   "scaled as the optimiser splits them).")
@click.option("--simulate", is_flag=True, help="Also simulate every point.")
@montecarlo_options
@out_options()
@format_option
def sweep_command(scenario: str, budget_range: str | None, sets: tuple[str, ...],
                  splits: tuple[str, ...], simulate: bool, replications: int | None,
                  seed: int | None, workers: int | None, scheduler: str | None,
                  out: str | None, overwrite: bool, fmt: str) -> None:
    """Budget frontier (--budget) or a grid of settings (--set, --split), re-optimised."""
    from engine.commands.sweep import run_sweep, sweep_report_data, sweep_text
    from engine.report.runfolder import result_document

    loaded = engine.load_scenario(scenario)
    inputs = inputs_of([scenario])
    folder = run_folder(out, overwrite, loaded.name, inputs) if out else None
    mc = monte_carlo(replications, seed, workers, scheduler).resolved(loaded)
    result = run_sweep(scenario, loaded, budget_range, sets, splits, simulate, mc,
                       Progress("sweeping", fmt != "json"))
    data = sweep_report_data(result, loaded)
    document = {"frontier": result.frontier, "kind": result.kind}
    if folder:
        write_folder(data, document, folder, scenario, overwrite, inputs)
    echo_result(fmt, lambda: result_document(data, document), lambda: result.frontier,
                lambda: sweep_text(result, loaded) + (f"\nWrote {out}/\n" if out else "\n"))


if __name__ == "__main__":
    main()
