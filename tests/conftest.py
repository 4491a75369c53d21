"""Shared fixtures: the xs sample firm (with and without defects) and a warehouse built from it.

Each is built once per test session, even under pytest-xdist: workers share one cache folder and a file
lock, so the expensive steps (generate, run the nightly pipeline) happen once.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from dbt_raw_fixtures import PARSE_STATES_ENV
from session_builds import LOG_NAME, build_group, module_group, shared_build, summary

from orchestration.dbt_parse_state import SHARED_STATE_ENV

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
XS_SEED = 7
XS_SEED_2 = 11  # a second default firm: the break checks must not be tuned to one seed

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
#: The dbt unit tests check code, not data: the session runs them once, in ``xs_cli_run`` (a first night,
#: ``auto``), not in each of its other nightlies. Tests of the ``auto`` rule set it themselves.
UNIT_TESTS_ENV = "THROUGHLINE_DBT_UNIT_TESTS"
os.environ.setdefault(UNIT_TESTS_ENV, "never")

#: Session fixtures that build a warehouse with dbt (a minute or more each): their users are ``slow``, so
#: ``make test-fast`` (``-m "not slow"``) skips every end-to-end build without each test having to say so.
WAREHOUSE_FIXTURES = frozenset(
    {
        "xs_warehouse",
        "xs_clean_warehouse",
        "xs_warehouse_seed2",
        "mini_warehouse",
        "xs_demo_seed2",
        "xs_cli_run",
    }
)


#: The suite's long poles, longest first (seconds alone on the 2-core machine, ``--durations``). The first
#: test of each is collected first, so pytest-xdist's round-robin start hands the poles out across the
#: workers at the start of the session instead of leaving one to run alone at the end (longest first); the
#: other tests of those files come last, when the build they share is done, so no worker waits on its lock.
#: Under ``--dist loadgroup`` a group is scheduled where its first test is collected, and only with
#: ``--no-loadscope-reorder`` (``make test``): by default pytest-xdist starts with the groups that hold the
#: most tests, and the Spark nightly's four started after a wait for ``xs_cli_run``. Paths from tests/.
LONG_POLES = (
    "spark/test_spark_parity.py",  # ~400 s: the Dagster nightly on Spark
    "orchestration/test_publish_kill.py",  # ~300 s: three killed runs and a full one
    "bench/test_bench_smoke.py",  # ~250 s: full, incremental and re-run nights
    "sources/test_other_systems_firm.py",  # ~150 s: the HubSpot + Harvest firm's nightly
    "sources/xero/test_xero_firm.py",
    "sources/quickbooks/test_quickbooks_firm.py",
    "test_cli.py",  # the seed-11 demo
    "ingestion/test_reload_cli.py",
)


def _longest_first(items: list[pytest.Item]) -> None:
    """Reorder ``items`` in place: each pole's first test, then every other test, then the poles' others."""
    seen: set[str] = set()
    keys: dict[int, tuple[int, int]] = {}
    for item in items:
        path = Path(str(item.path)).relative_to(REPO_ROOT / "tests").as_posix()
        if path not in LONG_POLES:
            keys[id(item)] = (1, 0)
            continue
        keys[id(item)] = (2, LONG_POLES.index(path)) if path in seen else (0, LONG_POLES.index(path))
        seen.add(path)
    items.sort(key=lambda item: keys[id(item)])  # stable: the rest keep their order


def _group_by_build(item: pytest.Item) -> None:
    """A session build's users on one worker (``build_group``), else a module's tests on one worker when they
    share a module-scoped fixture (``module_group``); a test that already names its group keeps it."""
    if item.get_closest_marker("xdist_group") is not None:
        return
    fixture_defs = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    scopes = [defs[-1].scope for defs in fixture_defs.values() if defs]
    module = Path(str(item.path)).relative_to(REPO_ROOT).as_posix()
    group = build_group(getattr(item, "fixturenames", ())) or module_group(module, scopes)
    if group is not None:
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's worker reads the xdist_group markers into node ids
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if WAREHOUSE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
        _group_by_build(item)
    _longest_first(items)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """The shared builds' times and the workers' waits for them (tests/session_builds.py)."""
    if os.environ.get("PYTEST_XDIST_WORKER") or not hasattr(config, "_tmp_path_factory"):
        return
    try:
        root = config._tmp_path_factory.getbasetemp()
    except OSError:
        return
    lines = summary(root.glob(f"*/{LOG_NAME}"))
    if lines:
        terminalreporter.write_sep("=", "shared session builds and waits for them")
        for line in lines:
            terminalreporter.write_line(line)


@contextlib.contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    """``os.environ[name] = value`` for the block, then what it was."""
    saved = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved


@pytest.fixture(scope="session", autouse=True)
def _test_dagster_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Runs made by the tests go to a throwaway Dagster home (one per worker), never the project's."""
    home = tmp_path_factory.mktemp("dagster_home")
    with _environment("DAGSTER_HOME", str(home)):
        yield home


@pytest.fixture(scope="session", autouse=True)
def _nightly_dbt_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The nightlies of one worker share one dbt parse state (``THROUGHLINE_DBT_STATE_DIR``,
    orchestration.dbt_parse_state): a new warehouse's night parses only what changed since the worker's last
    night, ~11 s of CPU less than a full parse. Per worker, so two workers' dbt steps never wait for each
    other; the worker's nights follow one another (a killed run's lock goes with its process)."""
    folder = tmp_path_factory.mktemp("dbt-state")
    with _environment(SHARED_STATE_ENV, str(folder)):
        yield folder


def _shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    path = root / "throughline-cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session", autouse=True)
def _dbt_parse_states(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where ``dbt_raw_fixtures.run_dbt`` keeps dbt's parse state per profile, shared by the xdist workers."""
    folder = _shared_cache(tmp_path_factory) / "dbt-parse-states"
    with _environment(PARSE_STATES_ENV, str(folder)):
        yield folder


def _build_once(cache: Path, name: str, build: Callable[[Path], None]) -> Path:
    target = cache / name
    with shared_build(cache / f"{name}.lock", name):
        if not (target / ".done").exists():
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            build(target)
            (target / ".done").write_text("ok")
    return target


@pytest.fixture(scope="session")
def xs_firm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The xs sample firm with its default defects: <dir>/landing and <dir>/_truth."""
    from throughline.samplefirm import generate

    return _build_once(
        _shared_cache(tmp_path_factory),
        "xs_firm",
        lambda d: generate(scale="xs", seed=XS_SEED, out=d, clean=False),
    )


@pytest.fixture(scope="session")
def xs_clean_firm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The xs sample firm generated with --clean (no defects)."""
    from throughline.samplefirm import generate

    return _build_once(
        _shared_cache(tmp_path_factory),
        "xs_clean_firm",
        lambda d: generate(scale="xs", seed=XS_SEED, out=d, clean=True),
    )


def _build_warehouse(firm: Path) -> Callable[[Path], None]:
    def build(target: Path) -> None:
        from orchestration.nightly import run_nightly

        run_nightly(landing=firm / "landing", warehouse=target / "warehouse.duckdb")

    return build


@pytest.fixture(scope="session")
def xs_warehouse(xs_cli_run: CliRun) -> Path:
    """Path of a warehouse DuckDB file built by the nightly pipeline from the xs firm (open read-only).

    It is the one ``xs_cli_run`` built: the same firm (same scale and seed) run through the CLI under odd
    paths, so the suite pays for one end-to-end build of the default firm, not two.
    """
    return Path(xs_cli_run.facts["warehouse"])


@pytest.fixture(scope="session")
def xs_clean_warehouse(tmp_path_factory: pytest.TempPathFactory, xs_clean_firm: Path) -> Path:
    """Path of a warehouse DuckDB file built from the clean xs firm (open read-only)."""
    d = _build_once(_shared_cache(tmp_path_factory), "xs_clean_warehouse", _build_warehouse(xs_clean_firm))
    return d / "warehouse.duckdb"


@dataclass(frozen=True)
class CliRun:
    """A whole CLI command run once per session: what it returned and printed, where its files are."""

    folder: Path
    code: int
    out: str
    err: str
    facts: dict

    @classmethod
    def load(cls, folder: Path) -> CliRun:
        saved = json.loads((folder / "cli_run.json").read_text(encoding="utf-8"))
        return cls(folder, saved["code"], saved["out"], saved["err"], saved["facts"])


def _run_cli(folder: Path, argv: list[str], facts: Callable[[], dict] = dict) -> None:
    """Run ``throughline <argv>`` in-process with its terminal captured, and save what a test asserts on.

    Several slow tests share one end-to-end run this way (a full nightly costs a minute or more of the
    suite's 15); each asserts its own concern on the saved terminal, files and Dagster home.
    """
    from throughline.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    saved = {"code": code, "out": out.getvalue(), "err": err.getvalue(), "facts": facts()}
    (folder / "cli_run.json").write_text(json.dumps(saved), encoding="utf-8")


@pytest.fixture(scope="session")
def xs_demo_seed2(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    """``throughline demo --scale xs --seed 11`` run once: a second firm with default defects (the break
    checks must not be tuned to one seed) and the demo command's own end-to-end test, in one build."""

    def build(d: Path) -> None:
        demo_dir = d / ODD_DEMO_DIR  # --dir with a quote, a space and non-ASCII characters
        _run_cli(
            d,
            ["demo", "--scale", "xs", "--seed", str(XS_SEED_2), "--dir", str(demo_dir)],
            lambda: {"dir": str(demo_dir)},
        )

    return CliRun.load(_build_once(_shared_cache(tmp_path_factory), "xs_demo_seed2", build))


@pytest.fixture(scope="session")
def xs_firm_seed2(xs_demo_seed2: CliRun) -> Path:
    """The second xs firm (seed XS_SEED_2): <dir>/landing and <dir>/_truth, as the demo wrote them."""
    return Path(xs_demo_seed2.facts["dir"])


@pytest.fixture(scope="session")
def xs_warehouse_seed2(xs_demo_seed2: CliRun) -> Path:
    """Warehouse the demo built from the second xs firm (open read-only)."""
    return Path(xs_demo_seed2.facts["dir"]) / "warehouse.duckdb"


#: A quote, a space and non-ASCII characters, in the folder names and in the warehouse file name.
ODD_FOLDER = "l'andé ding"
ODD_WAREHOUSE = "o'brien wäre.duckdb"
ODD_DEMO_DIR = "démo 'dir'"
ODD_DAGSTER_HOME = "dägster 'home"


def _dbt_target_folders() -> set[str]:
    target = REPO_ROOT / "dbt_project" / "target"
    return {p.name for p in target.glob("throughline_dbt-*")} if target.exists() else set()


@pytest.fixture(scope="session")
def xs_cli_run(tmp_path_factory: pytest.TempPathFactory, xs_firm: Path) -> CliRun:
    """``throughline generate`` and ``throughline run`` of the xs firm as an operator types them, under
    paths with quotes, spaces and non-ASCII characters, recorded in their own Dagster home (an odd path too).

    ``facts``: ``landing``, ``warehouse``, ``dagster_home``, the dbt target folders in the repository
    before and after, and the per-run temporary dbt folders left behind.
    """
    from throughline.cli import main

    def build(d: Path) -> None:
        root, home = d / ODD_FOLDER, d / ODD_DAGSTER_HOME
        seed = json.loads((xs_firm / "_truth" / "summary.json").read_text())["seed"]
        with contextlib.redirect_stderr(io.StringIO()):
            assert main(["generate", "--scale", "xs", "--seed", str(seed), "--out", str(root)]) == 0
        landing, warehouse = root / "landing", root / "wäre'house dir" / ODD_WAREHOUSE
        before = sorted(_dbt_target_folders())
        saved_home, saved_unit = os.environ.get("DAGSTER_HOME"), os.environ.get(UNIT_TESTS_ENV)
        os.environ["DAGSTER_HOME"] = str(home)
        os.environ[UNIT_TESTS_ENV] = "auto"  # the operator's default: a first night runs every unit test
        try:

            def facts() -> dict:
                return {
                    "landing": str(landing),
                    "warehouse": str(warehouse),
                    "dagster_home": str(home),
                    "target_folders_before": before,
                    "target_folders_after": sorted(_dbt_target_folders()),
                    "temp_dbt_folders": sorted(
                        p.name for p in Path(tempfile.gettempdir()).glob("throughline_dbt-*")
                    ),
                }

            _run_cli(d, ["run", "--landing", str(landing), "--warehouse", str(warehouse)], facts)
        finally:
            if saved_unit is None:
                os.environ.pop(UNIT_TESTS_ENV, None)
            else:
                os.environ[UNIT_TESTS_ENV] = saved_unit
            if saved_home is None:
                os.environ.pop("DAGSTER_HOME", None)
            else:
                os.environ["DAGSTER_HOME"] = saved_home

    return CliRun.load(_build_once(_shared_cache(tmp_path_factory), "xs_cli_run", build))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.skip("../shared is not present on this machine")
    return SHARED
