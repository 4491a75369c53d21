"""The ``throughline`` command: generate the sample firm, run the nightly pipeline, show the demo."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import shutil
import sys
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orchestration.nightly import NightlyResult

SCALES = ("xs", "s", "m", "l", "xl")


def _defect_rate(text: str) -> tuple[str, float]:
    """``KIND=RATE`` from the command line, e.g. ``B1=0.05`` (share of eligible records; 0 = off)."""
    kind, sep, rate = text.partition("=")
    try:
        value = float(rate)
    except ValueError:
        value = -1.0
    if not sep or value < 0:
        raise argparse.ArgumentTypeError(f"expected KIND=RATE with a rate >= 0, e.g. B1=0.05; got {text!r}")
    return kind.strip().upper(), value


def _add_shape_options(parser: argparse.ArgumentParser, how: str) -> None:
    """``--crm`` / ``--erp`` / ``--psa``: the systems whose shapes the sample firm lands in.

    The choices are the shapes the generator knows (``samplefirm.shapes``), docs/sources/choosing-systems.md.
    """
    from throughline.samplefirm import shapes

    for side, known in (("crm", shapes.CRM_SHAPES), ("erp", shapes.ERP_SHAPES), ("psa", shapes.PSA_SHAPES)):
        choices = tuple(known)
        parser.add_argument(
            f"--{side}",
            choices=choices,
            default=choices[0],
            help=f"{side.upper()} shape of the extracts (same firm and truth); " + how.format(side.upper()),
        )


def _cmd_generate(args: argparse.Namespace) -> int:
    from throughline.samplefirm import generate

    rates = dict(args.defect_rate or [])
    try:
        out = Path(args.out)
        systems = {"crm": args.crm, "erp": args.erp, "psa": args.psa}
        kwargs = {"clean": args.clean, "defect_rates": rates, **systems}
        generate(scale=args.scale, seed=args.seed, out=out, **kwargs)
    except ValueError as exc:  # e.g. an unknown defect kind: say so, no stack trace
        print(f"throughline generate: {exc}", file=sys.stderr)
        return 2
    return 0


# Exit codes (README, "The command line"): what the operator should do next depends only on these.
EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_LOCKED = 0, 1, 2, 3
#: The landing folder held no complete extract folder: nothing was loaded (empty night, mistyped --landing).
EXIT_NOTHING_LOADED = 4
#: Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130


def _non_negative_int(text: str) -> int:
    """``--seed``: argparse prefixes the message with the option's name ("argument --seed: ...")."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, e.g. --seed 42; got {text!r}")
    return value


def _guarded(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn the errors an operator can cause into one line and an exit code; traceback only with --verbose.

    A bad path is 2, another run holding the warehouse is 3, Ctrl-C is 130, anything unexpected is 1 (the
    run failed) with a hint to rerun with ``--verbose``. The message goes to stderr, prefixed with the
    command's name.
    """

    def run(args: argparse.Namespace) -> int:
        from orchestration.nightly import InputError  # imported late: dagster is slow to import
        from orchestration.run_lock import RunInProgress
        from orchestration.sensors import AutomationConfigError

        prog = f"throughline {args.command}"
        try:
            return command(args)
        except BrokenPipeError:
            raise  # the reader of a pipe went away: `main` stops quietly
        except (InputError, AutomationConfigError) as exc:  # a bad path, option or THROUGHLINE_SCHEDULE_*
            code, msg = EXIT_INPUT, str(exc)
        except RunInProgress as exc:
            code, msg = EXIT_LOCKED, str(exc)
        except KeyboardInterrupt:
            if args.verbose:
                raise
            code = EXIT_INTERRUPTED
            msg = "interrupted; the published warehouse is the last one a run completed; the next run clears "
            msg += "this run's build"
        except Exception as exc:
            if args.verbose:
                raise
            code, msg = EXIT_FAILED, f"failed: {type(exc).__name__}: {exc} (rerun with --verbose for details)"
        if args.verbose and code != EXIT_FAILED:
            traceback.print_exc()
        print(f"{prog}: {' '.join(msg.split())}", file=sys.stderr, flush=True)
        return code

    return run


def _from_env(value: str | None, option: str, var: str) -> Path:
    """An option's value, else its environment variable, else a one-line InputError (exit 2)."""
    from orchestration.nightly import InputError

    value = value or os.environ.get(var, "").strip()
    if not value:
        raise InputError(f"{option} not given and ${var} not set; pass {option} PATH or export {var}=PATH")
    return Path(value)


def _record_failure(warehouse: Path, run_id: str | None) -> None:
    """When the Dagster run itself failed, leave ``<warehouse>.last_failure.txt`` as the sensor does."""
    import dagster as dg

    from orchestration.instance import persistent_instance
    from orchestration.sensors import write_failure_summary

    if run_id is None:
        return
    with persistent_instance() as instance:
        run = instance.get_run_by_id(run_id)
        if run is not None and run.status == dg.DagsterRunStatus.FAILURE:
            path = write_failure_summary(instance, run, warehouse.resolve())
            print(f"failure summary (failed step, error, what to do): {path}", file=sys.stderr)


def _cmd_run(args: argparse.Namespace) -> int:
    from orchestration.nightly import run_nightly
    from orchestration.run_log import verbose_terminal

    landing = _from_env(args.landing, "--landing", "THROUGHLINE_LANDING")
    warehouse = _from_env(args.warehouse, "--warehouse", "THROUGHLINE_WAREHOUSE")
    with verbose_terminal(args.verbose):
        result = run_nightly(landing=landing, warehouse=warehouse)
    if not result.success:
        _record_failure(warehouse, result.run_id)
    if result.no_extract and result.unchanged:  # nothing loaded, nothing built: the WARNING is the news
        return _run_exit_code(result)
    _print_kpi_summary(warehouse, result.success)
    _print_breaks_summary(warehouse)
    if result.success and not result.unchanged:  # an unchanged warehouse keeps its report
        report = _write_report_after_run(warehouse)
        if report:
            print(f"KPI report: {report}")
    return _run_exit_code(result)


def _run_exit_code(result: NightlyResult) -> int:
    """0 published, 1 failed; 4 when nothing could be loaded: an empty night must wake a scheduler up."""
    if not result.success:
        return EXIT_FAILED
    return EXIT_NOTHING_LOADED if result.no_extract else EXIT_OK


def _cmd_status(args: argparse.Namespace) -> int:
    from orchestration.instance import persistent_instance
    from orchestration.nightly import InputError
    from throughline.status import render

    warehouse = _from_env(args.warehouse, "--warehouse", "THROUGHLINE_WAREHOUSE").resolve()
    if not warehouse.is_file():
        raise InputError(f"no warehouse at {warehouse}; give --warehouse PATH of a published DuckDB file")
    with persistent_instance() as instance:
        print(render(warehouse, instance, limit=args.runs))
    return EXIT_OK


def _extract_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date YYYY-MM-DD, e.g. 2026-11-18; got {text!r}"
        ) from None


def _cmd_reload(args: argparse.Namespace) -> int:
    from ingestion.reload import ReloadFilter
    from orchestration.reload import run_reload

    landing = _from_env(args.landing, "--landing", "THROUGHLINE_LANDING")
    warehouse = _from_env(args.warehouse, "--warehouse", "THROUGHLINE_WAREHOUSE")
    flt = ReloadFilter(args.system, args.object, args.extract_date, args.file, args.all_refused)
    result = run_reload(landing=landing, warehouse=warehouse, flt=flt)
    if result.run is not None:
        _print_kpi_summary(warehouse, result.success)
    return EXIT_OK if result.success else EXIT_FAILED


def _demo_systems(args: argparse.Namespace) -> None:
    """The demo runs the systems its firm lands in: env THROUGHLINE_CRM / _ERP / _PSA, set before the
    orchestration imports (they pick the dbt target folder from it); a default system clears its variable."""
    chosen = (
        ("THROUGHLINE_CRM", args.crm, "salesforce"),
        ("THROUGHLINE_ERP", args.erp, "netsuite"),
        ("THROUGHLINE_PSA", args.psa, "psa"),
    )
    for name, value, default in chosen:
        if value == default:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _cmd_demo(args: argparse.Namespace) -> int:
    _demo_systems(args)
    from orchestration.dbt_docs import report_dbt_docs
    from orchestration.nightly import InputError, run_nightly
    from orchestration.run_lock import run_lock
    from orchestration.run_log import verbose_terminal
    from throughline.samplefirm import generate

    out = Path(args.dir).resolve()
    if out.is_file():
        raise InputError(f"--dir {out} is a file, not a folder; give a folder for the demo firm")
    out.mkdir(parents=True, exist_ok=True)
    # The lock covers regenerating the firm too: a second demo must not rewrite the landing of a running one.
    with run_lock(out / "warehouse.duckdb"):
        systems = {"crm": args.crm, "erp": args.erp, "psa": args.psa}
        generate(scale=args.scale, seed=args.seed, out=out, clean=False, **systems)
        # The demo firm was just written anew (maybe at another scale or seed): start from an empty
        # warehouse so two firms never mix. `throughline run` on a real landing keeps its warehouse.
        for stale in ("warehouse.duckdb", "warehouse.duckdb.wal"):
            (out / stale).unlink(missing_ok=True)
        shutil.rmtree(out / "warehouse.duckdb.builds", ignore_errors=True)  # the old firm's rollback points
        with verbose_terminal(args.verbose):
            result = run_nightly(landing=out / "landing", warehouse=out / "warehouse.duckdb")
    if not result.success:
        _record_failure(out / "warehouse.duckdb", result.run_id)
    print()
    print("Throughline demo")
    print(f"  extracts   : {out / 'landing'}")
    print(f"  truth      : {out / '_truth'}  (known defects; the pipeline never reads it)")
    print(f"  warehouse  : {out / 'warehouse.duckdb'}")
    for label, path in result.artifacts.items():
        if label != "warehouse":
            print(f"  {label:<11}: {path}")
    wh = out / "warehouse.duckdb"
    report = _write_report_after_run(wh) if result.success else None
    if report:
        print(f"  report     : {report}  (open it in a browser; no network needed)")
    print("  schemas    : raw_salesforce, raw_netsuite, raw_psa, raw_controller, raw (load_log, rejects),")
    print("               staging, intermediate, marts, snapshots")
    print(
        "  query it   : .venv/bin/python -c "  # path quoted for Python, then the snippet for the shell
        + shlex.quote(
            f"import duckdb; duckdb.connect({json.dumps(str(wh), ensure_ascii=False)}, read_only=True)"
            '.sql("from marts.kpi_firm_monthly limit 5").show()'
        )
    )
    _print_kpi_summary(wh, result.success)
    _print_breaks_summary(wh)
    report_dbt_docs(wh)  # the dbt docs site (mart catalogue) beside the warehouse
    return EXIT_OK if result.success else EXIT_FAILED


def _print_kpi_summary(warehouse: Path, success: bool) -> None:
    """The one-screen KPI summary of the latest complete month (only from a warehouse that was published)."""
    from throughline.kpi_summary import render

    if success and warehouse.exists():
        print()
        print(render(warehouse))


def _print_breaks_summary(warehouse: Path) -> None:
    """Open reconciliation breaks by owner and severity, money at risk, and where to query them."""
    from throughline.breaks_summary import render

    if warehouse.exists():
        print()
        print(render(warehouse))


def _cmd_breaks(args: argparse.Namespace) -> int:
    from throughline.breaks_summary import main

    return main(args)


def _cmd_recon_docs(args: argparse.Namespace) -> int:
    from throughline.recon_docs import main

    return main(["--check"] if args.check else [])


def _cmd_decisions(args: argparse.Namespace) -> int:
    from throughline.decisions import main

    return main(args)


def _write_report_after_run(warehouse: Path) -> Path | None:
    """The night's KPI report; a report that cannot be written is a warning, the published data stands."""
    from throughline.report import ReportError, write_report

    try:
        return write_report(warehouse)
    except ReportError as exc:
        print(f"warning: KPI report not written: {exc}", file=sys.stderr)
        return None


def _cmd_report(args: argparse.Namespace) -> int:
    """Not wrapped in `_guarded`: that imports Dagster (seconds), and the report needs only DuckDB."""
    from throughline.report import ReportError, WarehouseBusy, write_report

    try:
        path = write_report(Path(args.warehouse), Path(args.out) if args.out else None)
    except Exception as exc:
        if args.verbose:
            traceback.print_exc()
        code = EXIT_LOCKED if isinstance(exc, WarehouseBusy) else EXIT_INPUT
        if not isinstance(exc, ReportError):
            code, exc = EXIT_FAILED, f"failed: {type(exc).__name__}: {exc} (rerun with --verbose for details)"
        print(f"throughline report: {' '.join(str(exc).split())}", file=sys.stderr)
        return code
    print(path)
    return EXIT_OK


def _cmd_ui(args: argparse.Namespace) -> int:
    from orchestration.instance import dagster_dev_command

    extra = {}
    if args.warehouse:
        extra["THROUGHLINE_WAREHOUSE"] = str(Path(args.warehouse).resolve())
    if args.landing:
        extra["THROUGHLINE_LANDING"] = str(Path(args.landing).resolve())
    argv, env, cwd = dagster_dev_command(port=args.port, host=args.host, extra_env=extra)
    print(f"throughline ui: Dagster on http://{args.host}:{args.port} (DAGSTER_HOME={env['DAGSTER_HOME']})")
    print("  webserver and daemon (schedules, sensors); Ctrl-C stops both", flush=True)
    if args.print_only:
        print(" ".join(argv))
        return 0
    # Become `dagster dev`, so Ctrl-C and SIGTERM reach it directly and it stops its webserver and daemon.
    os.chdir(cwd)
    os.execvpe(argv[0], argv, env)
    return 0  # not reached


def _cmd_rollback(args: argparse.Namespace) -> int:
    """List the kept published builds, or restore one (default: the one before the current) atomically."""
    from orchestration.builds import published_builds
    from orchestration.nightly import InputError
    from orchestration.publish import RollbackError, choose_rollback, restore
    from orchestration.run_lock import run_lock

    if not args.warehouse:
        raise InputError("no warehouse given: pass --warehouse FILE or set THROUGHLINE_WAREHOUSE")
    warehouse = Path(args.warehouse).resolve()
    if args.list:
        builds = published_builds(warehouse)
        print(
            f"published builds kept for {warehouse} (newest first):"
            if builds
            else f"no kept builds for {warehouse}"
        )
        for b in builds:
            print(f"  {b.name}{'  (current)' if b.current else ''}")
        return EXIT_OK
    with run_lock(warehouse):
        try:
            restore(warehouse, choose_rollback(warehouse, args.to))
        except RollbackError as exc:
            raise InputError(str(exc)) from None
    return EXIT_OK


def _cmd_dbt_parse(_: argparse.Namespace) -> int:
    from orchestration.dbt_project import prepare_manifest

    prepare_manifest()
    return 0


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("throughline")
    except PackageNotFoundError:  # running from a checkout that was never pip-installed
        return "unknown"


class _Formatter(argparse.HelpFormatter):
    """Adds "(default: X)" to an option's help unless it has none (flags, unset) or already says it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if (
            action.default in (None, False, argparse.SUPPRESS)
            or "default" in text
            or not action.option_strings
        ):
            return text
        return text + " (default: %(default)s)"


#: Every subcommand's help shows each option's default.
_FORMATTER = _Formatter
_VERBOSE_HELP = "print the whole Dagster and dbt log to the terminal, and the traceback of an error"


def _add_run_parsers(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser(
        "run",
        help="run the nightly pipeline on every complete extract not loaded yet",
        formatter_class=_FORMATTER,
        epilog="exit codes: 0 ok, 1 run failed or FAILED objects/checks, 2 unusable path, 3 another run "
        "holds the warehouse, 4 no complete extract folder in the landing (nothing loaded)",
    )
    r.add_argument(
        "--landing",
        help="landing folder: <system>/<extract_date>/<object files> (default: $THROUGHLINE_LANDING)",
    )
    r.add_argument("--warehouse", help="DuckDB warehouse file (default: $THROUGHLINE_WAREHOUSE)")
    r.add_argument("--verbose", action="store_true", help=_VERBOSE_HELP)
    r.set_defaults(func=_guarded(_cmd_run))

    d = sub.add_parser(
        "demo", help="generate the sample firm and run the whole pipeline on it", formatter_class=_FORMATTER
    )
    d.add_argument("--scale", choices=SCALES, default="s", help="size of the sample firm")
    d.add_argument("--seed", type=_non_negative_int, default=42, help="random seed of the sample firm")
    d.add_argument("--dir", default="demo", help="folder for the firm's extracts, truth and warehouse")
    _add_shape_options(d, "the demo runs it with THROUGHLINE_{} set to the same")
    d.add_argument("--verbose", action="store_true", help=_VERBOSE_HELP)
    d.set_defaults(func=_guarded(_cmd_demo))

    st = sub.add_parser(
        "status",
        help="last runs and their failed/warned checks, source freshness, open breaks by severity",
        formatter_class=_FORMATTER,
        epilog="exit codes: 0 shown, 2 no warehouse at the path",
    )
    st.add_argument("--warehouse", help="published DuckDB warehouse file (default: $THROUGHLINE_WAREHOUSE)")
    st.add_argument("--runs", type=_non_negative_int, default=5, help="how many recent runs to list")
    st.add_argument("--verbose", action="store_true", help="show the traceback of an error")
    st.set_defaults(func=_guarded(_cmd_status))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="throughline", description=__doc__)
    p.add_argument("--version", action="version", version=f"throughline {_version()}")
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser(
        "generate",
        help="write the sample firm's extracts (and its truth manifest)",
        formatter_class=_FORMATTER,
    )
    g.add_argument("--scale", choices=SCALES, default="s", help="size of the sample firm")
    g.add_argument("--seed", type=_non_negative_int, default=42, help="random seed (same seed, same firm)")
    g.add_argument("--out", required=True, help="output folder (landing/ and _truth/ are written inside)")
    g.add_argument("--clean", action="store_true", help="inject no defects")
    _add_shape_options(g, "run it with THROUGHLINE_{} set to the same")
    g.add_argument(
        "--defect-rate",
        action="append",
        type=_defect_rate,
        metavar="KIND=RATE",
        help="override one defect kind's rate (repeatable), e.g. --defect-rate B1=0.05; kinds and defaults "
        "are in throughline/samplefirm/defects/catalogue.py and in DIR/_truth/summary.json",
    )
    g.set_defaults(func=_cmd_generate)

    _add_run_parsers(sub)

    rl = sub.add_parser(
        "reload",
        help="re-read files a night refused or quarantined, after you fixed them or their marker, then build "
        "and publish like a night",
        formatter_class=_FORMATTER,
        epilog="exit codes: 0 reloaded and published (or nothing to reload), 1 run failed or a file still "
        "FAILED, 2 bad path or filter, 3 another run holds the warehouse",
    )
    rl.add_argument(
        "--landing",
        help="landing folder: <system>/<extract_date>/<object files> (default: $THROUGHLINE_LANDING)",
    )
    rl.add_argument("--warehouse", help="DuckDB warehouse file (default: $THROUGHLINE_WAREHOUSE)")
    rl.add_argument("--system", help="only files of this source system (salesforce, netsuite, psa)")
    rl.add_argument("--object", help="only files of this object, e.g. account or raw_salesforce.account")
    rl.add_argument(
        "--extract-date", type=_extract_date, help="only files of this extract folder (YYYY-MM-DD)"
    )
    rl.add_argument("--file", help="only this file: <system>/<YYYY-MM-DD>/<file> (as in raw.load_log.file)")
    rl.add_argument(
        "--all-refused",
        action="store_true",
        help="every file refused whole (rejected, refused, missing, unlisted); with a filter, only those",
    )
    rl.add_argument("--verbose", action="store_true", help="show the traceback of an error")
    rl.set_defaults(func=_guarded(_cmd_reload))

    rp = sub.add_parser(
        "report",
        help="write the KPI report (one self-contained HTML page of charts) from the published warehouse",
        formatter_class=_FORMATTER,
    )
    rp.add_argument(
        "--warehouse",
        default=os.environ.get("THROUGHLINE_WAREHOUSE", "demo/warehouse.duckdb"),
        help="DuckDB warehouse, read-only (default: $THROUGHLINE_WAREHOUSE, else demo/warehouse.duckdb)",
    )
    rp.add_argument(
        "--out",
        help="folder for kpi-report.html (default: reports/<as-of date>/ beside the warehouse)",
    )
    rp.add_argument("--verbose", action="store_true", help="show the traceback of an error")
    rp.set_defaults(func=_cmd_report)

    u = sub.add_parser(
        "ui",
        help="start the Dagster UI (webserver and daemon) on the persistent Dagster home that `run` records "
        "into (DAGSTER_HOME, default .dagster_home/)",
        formatter_class=_FORMATTER,
    )
    u.add_argument("--port", type=int, default=3000, help="port")
    u.add_argument("--host", default="127.0.0.1", help="address to listen on")
    u.add_argument(
        "--warehouse",
        help="DuckDB warehouse runs launched from the UI use (default: $THROUGHLINE_WAREHOUSE, else "
        "demo/warehouse.duckdb)",
    )
    u.add_argument(
        "--landing", help="landing folder for runs launched from the UI (default: $THROUGHLINE_LANDING)"
    )
    u.add_argument(
        "--print-only", action="store_true", help="print the dagster command instead of running it"
    )
    u.set_defaults(func=_cmd_ui)

    rb = sub.add_parser(
        "rollback",
        help="restore an earlier published build of the warehouse (atomic; waits for no run: exit 3 if one "
        "is in progress)",
    )
    rb.add_argument(
        "--warehouse",
        default=os.environ.get("THROUGHLINE_WAREHOUSE"),
        help="DuckDB warehouse file (default: $THROUGHLINE_WAREHOUSE)",
    )
    rb.add_argument(
        "--to",
        metavar="BUILD",
        help="name of the kept build to restore, as `--list` prints it (default: the one before the current)",
    )
    rb.add_argument("--list", action="store_true", help="list the kept builds and mark the current one")
    rb.add_argument("--verbose", action="store_true", help="show the traceback of an error")
    rb.set_defaults(func=_guarded(_cmd_rollback))

    from throughline.breaks_summary import add_parser as add_breaks_parser
    from throughline.decisions import add_parser as add_decisions_parser

    add_breaks_parser(sub).set_defaults(func=_cmd_breaks)
    add_decisions_parser(sub).set_defaults(func=_cmd_decisions)
    rd = sub.add_parser("recon-docs", help="regenerate docs/reconciliation.md from the checks' declaration")
    rd.add_argument("--check", action="store_true", help="exit 1 if the committed doc is stale")
    rd.set_defaults(func=_cmd_recon_docs)

    m = sub.add_parser("dbt-parse", help="write dbt_project/target/manifest.json (no database needed)")
    m.set_defaults(func=_cmd_dbt_parse)
    return p


#: Commands that load, build or publish: stopped by a closed stdout, they may not have finished.
_BUILDING_COMMANDS = frozenset({"run", "demo", "reload"})


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # inside the try: a pipe's reader that left shows here, not at interpreter exit
        return code
    except BrokenPipeError:
        # `throughline breaks | head`: the reader had enough. Stop without a traceback; point stdout at
        # /dev/null so the interpreter's final flush does not raise again (Python's documented recipe).
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        # a command that builds may have stopped partway: 1 (failed); one that only reads showed enough
        return EXIT_FAILED if args.command in _BUILDING_COMMANDS else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
