"""The Spark target without Spark: the profile, the engine switch, the raw export and the dispatch macros.

No Java needed; every test here is fast. The parity build on Spark is tests/spark/test_spark_parity.py.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
import jinja2
import pytest
import yaml
from dbt_fork import run_dbt_command

from ingestion.spark_handoff import export_raw, raw_dir
from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_env, dbt_target, engine, spark_dir

MACROS = DBT_PROJECT_DIR / "macros"


def _macro_module(path: Path) -> object:
    """A macro file rendered by plain Jinja (the macros tested here use no dbt context)."""
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    return env.from_string(path.read_text()).module


def _spark_output() -> dict:
    def env_var(name: str, default: str = "") -> str:
        return os.environ.get(name, default)

    rendered = jinja2.Template((DBT_PROJECT_DIR / "profiles.yml").read_text()).render(env_var=env_var)
    return yaml.safe_load(rendered)["throughline"]["outputs"]["spark"]


def test_spark_profile_is_a_small_local_session(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("THROUGHLINE_SPARK_DIR", str(tmp_path))
    out = _spark_output()
    conf = out["server_side_parameters"]
    assert (out["type"], out["method"]) == ("spark", "session")
    assert conf["spark.master"] == "local[2]"
    assert conf["spark.driver.memory"] == "2g"
    assert conf["spark.sql.shuffle.partitions"] == "4"
    # metastore and tables live under the Spark directory, never in the working directory
    assert conf["spark.sql.warehouse.dir"] == f"{tmp_path}/warehouse"
    assert f"databaseName={tmp_path}/metastore_db" in conf["spark.hadoop.javax.jdo.option.ConnectionURL"]
    assert conf["spark.sql.session.timeZone"] == "UTC"
    assert conf["spark.sql.ansi.enabled"] == "true"
    # Spark's console progress bar shares stdout with dbt's JSON log lines: a line it overwrites is an
    # event dagster-dbt cannot parse, so the model's output is lost and everything downstream is skipped
    assert conf["spark.ui.showConsoleProgress"] == "false"


def test_engine_selects_the_dbt_target(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("THROUGHLINE_ENGINE", raising=False)
    assert (engine(), dbt_target()) == ("duckdb", "dev")
    monkeypatch.setenv("THROUGHLINE_ENGINE", " Spark ")
    assert (engine(), dbt_target()) == ("spark", "spark")
    monkeypatch.setenv("THROUGHLINE_ENGINE", "snowflake")
    with pytest.raises(ValueError, match="THROUGHLINE_ENGINE='snowflake': expected one of duckdb, spark"):
        engine()
    monkeypatch.delenv("THROUGHLINE_SPARK_DIR", raising=False)
    assert spark_dir(tmp_path / "w.duckdb") == tmp_path / "w.duckdb.spark"
    monkeypatch.setenv("THROUGHLINE_SPARK_DIR", str(tmp_path / "elsewhere"))
    assert spark_dir(tmp_path / "w.duckdb") == tmp_path / "elsewhere"


def test_dagster_dbt_resource_follows_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestration.assets.dbt import dbt_resource

    monkeypatch.setenv("THROUGHLINE_ENGINE", "spark")
    assert dbt_resource().target == "spark"
    monkeypatch.setenv("THROUGHLINE_ENGINE", "duckdb")
    assert dbt_resource().target == "dev"


def test_export_raw_writes_every_raw_table_as_parquet_spark_can_type(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    with duckdb.connect(str(wh)) as con:
        con.execute("create schema raw; create schema raw_psa; create schema marts")
        con.execute(
            "create table raw_psa.clients "
            "(id varchar, extra json, seen timestamp, tags varchar[], amt decimal(18,2))"
        )
        con.execute(
            """insert into raw_psa.clients values
            ('C1', '{"a": 1}', timestamp '2026-01-31 23:30:00', ['x', 'y'], 12.34),
            ('C2', null, null, [], -0.01)"""
        )
        con.execute("create table raw.load_log (file varchar)")
        con.execute("create table marts.not_raw (x int)")
    exported = export_raw(wh, raw_dir(tmp_path / "spark"))
    assert [(t.schema, t.table, t.rows) for t in exported] == [
        ("raw", "load_log", 0),
        ("raw_psa", "clients", 2),
    ]
    clients = raw_dir(tmp_path / "spark") / "raw_psa" / "clients"
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        types = dict(con.execute(f"select name, type from parquet_schema('{clients}/*.parquet')").fetchall())
        rows = con.execute(
            "select id, extra, cast(seen as varchar), tags, amt "
            f"from read_parquet('{clients}/*.parquet') order by id"
        ).fetchall()
    # JSON travels as text; the naive timestamp as a UTC instant with the same wall clock
    assert types["extra"] == "BYTE_ARRAY" and types["seen"] == "INT64"
    assert rows[0][:3] == ("C1", '{"a": 1}', "2026-01-31 23:30:00+00")
    assert rows[0][3] == ["x", "y"] and float(rows[0][4]) == 12.34
    assert rows[1][1:4] == (None, None, [])


def test_export_raw_again_replaces_the_previous_export(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    with duckdb.connect(str(wh)) as con:
        con.execute("create schema raw; create table raw.t as select 1 as x")
    out = raw_dir(tmp_path / "spark")
    export_raw(wh, out)
    with duckdb.connect(str(wh)) as con:
        con.execute("insert into raw.t values (2)")
    assert export_raw(wh, out)[0].rows == 2
    assert len(list((out / "raw" / "t").iterdir())) == 1


def test_spark_contract_types_translate_duckdb_names() -> None:
    module = _macro_module(MACROS / "spark_contracts.sql")
    translate = module.spark_contract_type  # type: ignore[attr-defined]
    assert [str(translate(t)).strip() for t in ("varchar", "JSON", "numeric(38, 6)", "decimal(18,2)")] == [
        "string",
        "string",
        "decimal(38,6)",
        "decimal(18,2)",
    ]
    assert [str(translate(t)).strip() for t in ("varchar[]", "integer", "bigint", "timestamp", "date")] == [
        "array<string>",
        "int",
        "bigint",
        "timestamp",
        "date",
    ]


@pytest.mark.parametrize(
    "systems",
    [None, "{source_systems: {crm: hubspot, erp: quickbooks, psa: harvest}}"],
    ids=["salesforce-netsuite-psa", "hubspot-quickbooks-harvest"],
)
def test_every_model_parses_for_the_spark_target(tmp_path: Path, systems: str | None) -> None:
    """dbt parse on the Spark target renders every model, test and snapshot: a macro with no Spark variant
    (e.g. a new DuckDB-only dispatch) fails here without Java. Only the chosen systems' models are enabled,
    so the other systems' staging and mappings are parsed in a second run."""
    env = {**dbt_env(), "THROUGHLINE_SPARK_DIR": str(tmp_path)}
    result = run_dbt_command(
        [
            "parse",
            "--target",
            "spark",
            "--profiles-dir",
            ".",
            "--target-path",
            str(tmp_path / "t"),
        ]
        + ["--log-path", str(tmp_path / "logs"), "--no-partial-parse"]
        + (["--vars", systems] if systems else []),
        DBT_PROJECT_DIR,
        env,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_no_model_quotes_an_identifier_with_double_quotes() -> None:
    """Spark reads "name" as the string 'name' (no error, wrong data): models quote with adapter.quote."""
    pattern = re.compile(r"""(?<![\w'{])"[a-z_][a-z_0-9]*"(?!\s*:)""")
    # a macro argument such as code_str('"currency"') renders the same literal on Spark
    in_jinja = re.compile(r"""'"[a-z_][a-z_0-9]*"'""")
    found = []
    for path in sorted((DBT_PROJECT_DIR / "models").rglob("*.sql")) + sorted(
        (DBT_PROJECT_DIR / "snapshots").rglob("*.sql")
    ):
        # Jinja (comments, expressions, statements) may hold double-quoted Python strings
        source = path.read_text()
        for expression in re.findall(r"\{\{.*?\}\}|\{%.*?%\}", source, flags=re.S):
            found += [f"{path.relative_to(DBT_PROJECT_DIR)}: {m}" for m in in_jinja.findall(expression)]
        text = re.sub(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", "", source, flags=re.S)
        for number, line in enumerate(text.splitlines(), 1):
            code = line.split("--")[0]
            if pattern.search(code):
                found.append(f"{path.relative_to(DBT_PROJECT_DIR)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


def test_no_model_escapes_a_quote_by_doubling_it() -> None:
    """Spark keeps 'person''s' as person''s (escapedStringLiterals) where DuckDB reads person's: models write
    a literal with a quote through throughline.string_literal. Checked in SQL and in Jinja strings alike."""
    pattern = re.compile(r"\w''\w")
    found = []
    for path in sorted((DBT_PROJECT_DIR / "models").rglob("*.sql")) + sorted(
        (DBT_PROJECT_DIR / "snapshots").rglob("*.sql")
    ):
        text = re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.S)
        for number, line in enumerate(text.splitlines(), 1):
            if pattern.search(line.split("--")[0]):
                found.append(f"{path.relative_to(DBT_PROJECT_DIR)}:{number}: {line.strip()[:120]}")
    assert not found, "\n".join(found)


def test_spark_connected_components_match_the_recursive_ones() -> None:
    """The Spark variant (label propagation, no recursive UNION) gives DuckDB's components on a graph with a
    cycle, a chain as long as the bound allows, an isolated node and an edge to a node outside the set."""
    module = _macro_module(MACROS / "crosswalks" / "cluster_records.sql")
    chain = [f"c{i:02d}" for i in range(17)]  # diameter 16: the most the 16 rounds resolve
    edges = [("b", "a"), ("c", "b"), ("a", "c"), ("e", "d"), ("x", "e")]
    edges += list(zip(chain[1:], chain[:-1], strict=True))
    nodes = ["a", "b", "c", "d", "e", "f", *chain]
    values = lambda rows: ", ".join(f"({', '.join(repr(v) for v in r)})" for r in rows)  # noqa: E731
    setup = (
        f"with nodes(node_key) as (values {values([(n,) for n in nodes])}), "
        f"edges(node_a, node_b) as (values {values(edges)}), "
    )
    spark_sql = setup + str(module.spark__connected_components_ctes("nodes", "edges"))  # type: ignore[attr-defined]
    duck_sql = (
        "with recursive "
        + setup.removeprefix("with ")
        + str(
            module.default__connected_components_ctes("nodes", "edges")  # type: ignore[attr-defined]
        )
    )
    query = " select node_key, component_key from cc_components order by 1"
    spark = duckdb.sql(spark_sql + query).fetchall()
    expected = duckdb.sql(duck_sql + query).fetchall()
    assert spark == expected
    assert dict(spark)["c16"] == "c00" and dict(spark)["b"] == "a" and dict(spark)["f"] == "f"
    assert dict(spark)["d"] == "d" and "x" not in dict(spark)


@pytest.mark.parametrize("value", ["Time recorded after the resource's termination date", "plain", "it''s"])
def test_string_literals_keep_their_quotes_on_both_engines(value: str) -> None:
    module = _macro_module(MACROS / "cross_db.sql")
    for variant in ("default__string_literal", "spark__string_literal"):
        literal = str(getattr(module, variant)(value)).strip()
        # the Spark form uses only '...' || chr(39) || '...', which DuckDB evaluates the same way
        assert duckdb.sql(f"select {literal}").fetchall() == [(value,)], (variant, literal)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("8525.00 * 1.0806", 9212.12),
        ("16205.835", 16205.84),
        ("-2.675", -2.68),
        ("0.125", 0.13),
        ("1e-7", 0.0),
    ],
)
def test_round_double_rounds_a_half_cent_up_on_every_engine(value: str, expected: float) -> None:
    """The scaled double is the same on both engines and a whole-number round agrees, so the macro gives the
    cent a person computes (9212.115 -> 9212.12) where DuckDB's own round(x, 2) gives .11 and Spark's .12."""
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    module = env.from_string((MACROS / "cross_db.sql").read_text()).make_module(
        {"throughline": {"ratio_type": lambda: "double"}}
    )
    sql = str(module.default__round_double(f"cast({value} as double)", 2))  # type: ignore[attr-defined]
    assert duckdb.sql(f"select {sql}").fetchall() == [(expected,)]
    if value == "8525.00 * 1.0806":  # what the macro is for: DuckDB's own round of this double gives .11
        assert duckdb.sql(f"select round({value}::double, 2)").fetchall() == [(9212.11,)]


def test_spark_divide_divides_decimals_as_doubles_like_duckdb() -> None:
    """DuckDB divides two decimals in double precision; the Spark variant casts both sides to double, so a
    ratio multiplied back into an amount (percent complete x contract value) agrees to the cent."""
    module = _macro_module(MACROS / "cross_db.sql")
    a, b = "cast(1234.56 as decimal(18, 2))", "cast(7 as decimal(18, 2))"
    spark = str(module.spark__divide(a, b)).strip()  # type: ignore[attr-defined]
    duck = str(module.default__divide(a, b)).strip()  # type: ignore[attr-defined]
    assert duckdb.sql(f"select {spark}, {duck}, typeof({spark})").fetchall() == [
        (176.3657142857143, 176.3657142857143, "DOUBLE")
    ]


@pytest.mark.parametrize(
    ("path", "literal"),
    [
        ("/data/raw/raw_psa/time_entries", "'/data/raw/raw_psa/time_entries'"),
        ("/tmp/it's/raw", '"/tmp/it\'s/raw"'),
    ],
)
def test_a_raw_table_location_is_a_quoted_spark_literal(path: str, literal: str) -> None:
    """The hand-off folder reaches Spark inside LOCATION '...': a single quote in it (a user's folder name)
    switches to Spark's double-quoted string literal instead of ending the literal early."""
    module = _macro_module(MACROS / "spark_raw.sql")
    assert str(module.spark_path_literal(path)).strip() == literal  # type: ignore[attr-defined]


def _unit_test_fixtures() -> list[tuple[str, object]]:
    """(where, rows) of every given input and expectation of every dbt unit test in the project."""
    out: list[tuple[str, object]] = []
    for path in sorted((DBT_PROJECT_DIR / "models").rglob("*.yml")):
        for test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests", []):
            for fixture in [*test.get("given", []), test.get("expect", {})]:
                where = (
                    f"{path.relative_to(DBT_PROJECT_DIR)}: {test['name']} {fixture.get('input', 'expect')}"
                )
                out.append((where, fixture.get("rows")))
    return out


def test_unit_test_fixtures_render_on_both_engines() -> None:
    """Every unit test ran on the Spark build of the s firm (docs/scale-out.md); two failed on their fixtures,
    not on the model: a dict row whose text holds a quote (dbt-spark writes it as \\', which the Spark target,
    keeping backslashes literal, reads as a backslash and a closing quote) and a SQL fixture calling DuckDB's
    generate_series. Write such a value in a SQL fixture with chr(39); list dates as rows."""
    fixtures = _unit_test_fixtures()
    assert len(fixtures) > 200
    found = []
    for where, rows in fixtures:
        if isinstance(rows, list):
            found += [
                f"{where}: {v!r}" for row in rows for v in row.values() if isinstance(v, str) and "'" in v
            ]
        elif isinstance(rows, str) and re.search(
            r"\b(generate_series|dayofweek|strftime|list_value)\s*\(", rows
        ):
            found.append(f"{where}: a DuckDB-only function in a SQL fixture")
    assert not found, "\n".join(found)
