"""Shared fixtures: the xs sample firm (with and without defects) and a warehouse built from it.

Each is built once per test session, even under pytest-xdist: workers share one cache folder and a file
lock, so the expensive steps (generate, run the nightly pipeline) happen once.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from filelock import FileLock

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
XS_SEED = 7
XS_SEED_2 = 11  # a second default firm: the break checks must not be tuned to one seed

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

#: Session fixtures that build a warehouse with dbt (a minute or more each): their users are ``slow``, so
#: ``make test-fast`` (``-m "not slow"``) skips every end-to-end build without each test having to say so.
WAREHOUSE_FIXTURES = frozenset({"xs_warehouse", "xs_clean_warehouse", "xs_warehouse_seed2", "mini_warehouse"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if WAREHOUSE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def _test_dagster_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Runs made by the tests go to a throwaway Dagster home (one per worker), never the project's."""
    saved = os.environ.get("DAGSTER_HOME")
    home = tmp_path_factory.mktemp("dagster_home")
    os.environ["DAGSTER_HOME"] = str(home)
    yield home
    if saved is None:
        os.environ.pop("DAGSTER_HOME", None)
    else:
        os.environ["DAGSTER_HOME"] = saved


def _shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    path = root / "throughline-cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _build_once(cache: Path, name: str, build: Callable[[Path], None]) -> Path:
    target = cache / name
    with FileLock(str(cache / f"{name}.lock")):
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
def xs_warehouse(tmp_path_factory: pytest.TempPathFactory, xs_firm: Path) -> Path:
    """Path of a warehouse DuckDB file built by the nightly pipeline from the xs firm (open read-only)."""
    d = _build_once(_shared_cache(tmp_path_factory), "xs_warehouse", _build_warehouse(xs_firm))
    return d / "warehouse.duckdb"


@pytest.fixture(scope="session")
def xs_clean_warehouse(tmp_path_factory: pytest.TempPathFactory, xs_clean_firm: Path) -> Path:
    """Path of a warehouse DuckDB file built from the clean xs firm (open read-only)."""
    d = _build_once(_shared_cache(tmp_path_factory), "xs_clean_warehouse", _build_warehouse(xs_clean_firm))
    return d / "warehouse.duckdb"


@pytest.fixture(scope="session")
def xs_firm_seed2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second xs firm with default defects (seed XS_SEED_2)."""
    from throughline.samplefirm import generate

    return _build_once(
        _shared_cache(tmp_path_factory),
        "xs_firm_seed2",
        lambda d: generate(scale="xs", seed=XS_SEED_2, out=d, clean=False),
    )


@pytest.fixture(scope="session")
def xs_warehouse_seed2(tmp_path_factory: pytest.TempPathFactory, xs_firm_seed2: Path) -> Path:
    """Warehouse built from the second xs firm (open read-only)."""
    d = _build_once(_shared_cache(tmp_path_factory), "xs_warehouse_seed2", _build_warehouse(xs_firm_seed2))
    return d / "warehouse.duckdb"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.skip("../shared is not present on this machine")
    return SHARED
