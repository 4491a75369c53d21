"""The core marts on the hand-made mini firm: every expected value below is computed by hand.

Rates (tests/dbt/mini_firm.py): GBP = 1.25 USD and EUR = 1.5 USD quoted on 2025-01-01 only and carried
forward 5 days (to 2025-01-06); Jan 2025 consolidated GBP->USD average 1.24, closing 1.26.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dbt_raw_fixtures import query as q
from dbt_raw_fixtures import run_dbt


def test_fx_rates_resolve_every_pair_and_flag_gaps(mini_warehouse: Path) -> None:
    rows = dict(
        ((d, f, t), (r, s))
        for d, f, t, r, s in q(
            mini_warehouse,
            "select cast(rate_date as varchar), from_currency, to_currency, rate, rate_source"
            " from intermediate.int_fx_rates_daily",
        )
    )
    assert rows[("2025-01-03", "GBP", "USD")] == (1.25, "direct")
    assert rows[("2025-01-03", "USD", "GBP")][0] == pytest.approx(0.8)
    assert rows[("2025-01-06", "EUR", "GBP")] == (pytest.approx(1.2), "triangulated")
    assert ("2025-01-07", "GBP", "USD") not in rows  # beyond the last quote + fx_max_gap_days
    periodic = q(
        mini_warehouse,
        "select average_rate, closing_rate, average_rate_source from intermediate.int_fx_rates_periodic"
        " where from_currency = 'GBP' and to_currency = 'USD' and period_start = date '2025-01-01'",
    )
    assert periodic == [(1.24, 1.26, "netsuite_consolidated")]


def test_invoice_lines_amounts_in_three_currencies(mini_warehouse: Path) -> None:
    rows = {
        r[0]: r[1:]
        for r in q(
            mini_warehouse,
            "select invoice_line_id, transaction_type, legal_entity_key, service_line_key, is_tax_line,"
            " transaction_currency_code, amount_transaction, entity_currency_code, amount_entity,"
            " amount_reporting"
            " from marts.fct_invoice_lines",
        )
    }
    assert set(rows) == {"100-1", "100-2", "101-1", "103-1", "104-1"}  # header lines excluded
    assert rows["100-1"] == ("invoice", "UK01", "data_ai", False, "GBP", 1000, "GBP", 1000, 1250)
    assert rows["100-2"][3] is True
    assert rows["101-1"][0] == "credit_memo" and rows["101-1"][-1] == -125
    # EUR invoice in the UK entity: functional amount as booked, reporting at EUR->USD spot
    assert rows["103-1"] == ("invoice", "UK01", "-1", False, "EUR", 500, "GBP", 600, pytest.approx(750))
    # unknown subsidiary resolves to the unknown member; functional amount from the header rate
    assert rows["104-1"] == ("invoice", "-1", "-1", False, "USD", 50, "-1", 50, 50)


def test_payments_applications_sum_to_payment_total(mini_warehouse: Path) -> None:
    rows = q(
        mini_warehouse,
        "select row_type, invoice_transaction_id, amount_transaction, amount_reporting, legal_entity_key"
        " from marts.fct_payments order by row_type",
    )
    assert rows == [("application", "100", 600, 750, "UK01"), ("unapplied", None, 400, 500, "UK01")]


def test_time_entries_value_cost_and_missing_rates(mini_warehouse: Path) -> None:
    rows = {
        r[0]: r[1:]
        for r in q(
            mini_warehouse,
            "select time_entry_id, legal_entity_key, service_line_key, billable_amount_transaction,"
            " billable_amount_entity, billable_amount_reporting, cost_amount_reporting, is_fx_rate_missing"
            " from marts.fct_time_entries",
        )
    }
    assert set(rows) == {"1", "2", "3"}  # entry 4 is deleted at the source
    assert rows["1"] == ("UK01", "data_ai", 800, 800, 1000, pytest.approx(500), False)
    assert rows["2"][:2] == ("-1", "-1") and rows["2"][5] == pytest.approx(300)  # 4h x 50 EUR x 1.5
    assert rows["3"][4] is None and rows["3"][-1] is True  # 2025-01-10 is past the carry-forward limit


def test_fact_keys_fall_back_to_unknown_members(mini_warehouse: Path) -> None:
    """Project 1 exists; its client 7 and the resources are in no crosswalk, so they resolve to '-1'."""
    rows = q(
        mini_warehouse,
        "select time_entry_id, project_key, client_key, resource_key, contract_key"
        " from marts.fct_time_entries order by time_entry_id",
    )
    assert rows == [("1", "1", "-1", "-1", "-1"), ("2", "2", "-1", "-1", "-1"), ("3", "1", "-1", "-1", "-1")]
    assert q(mini_warehouse, "select count(*) from marts.dim_client where client_key = '-1'") == [(1,)]


def test_expenses_markup_and_conversion(mini_warehouse: Path) -> None:
    assert q(
        mini_warehouse,
        "select billable_amount_transaction, billable_amount_entity, amount_reporting"
        " from marts.fct_expenses",
    ) == [(pytest.approx(110), pytest.approx(132), pytest.approx(150))]


def test_opportunities_won_date_and_capped_rate_date(mini_warehouse: Path) -> None:
    rows = {
        r[0]: r[1:]
        for r in q(
            mini_warehouse,
            "select opportunity_id, stage_category, contract_type, cast(first_won_at as varchar),"
            " cast(fx_rate_date as varchar), amount_reporting, legal_entity_key from marts.fct_opportunities",
        )
    }
    assert rows["o1"] == ("won", "time_and_materials", "2025-01-03 10:00:00", "2025-01-03", 6250, "UK01")
    assert rows["o2"] == ("open", "fixed_fee", None, "2025-01-06", 150, "DE01")


def test_gl_lines_period_rates_by_account_type(mini_warehouse: Path) -> None:
    rows = {
        r[0]: r[1:]
        for r in q(
            mini_warehouse,
            "select gl_line_id, period_rate_type, amount_reporting_period, amount_reporting_spot"
            " from marts.fct_gl_lines",
        )
    }
    assert rows["100-0-1"] == ("closing", pytest.approx(1512), 1500)  # AR at closing 1.26
    assert rows["100-1-1"] == ("average", pytest.approx(-1240), -1250)  # revenue at average 1.24


def test_no_fact_row_lost_and_unknown_members_exist(mini_warehouse: Path) -> None:
    counts = q(
        mini_warehouse,
        """
        select
          (select count(*) from marts.fct_invoice_lines),
          (select count(*) from staging.stg_netsuite__transaction_lines l
             join staging.stg_netsuite__transactions t using (transaction_id)
            where t.transaction_type in ('invoice', 'credit_memo') and not l.is_main_line),
          (select count(*) from marts.fct_time_entries), (select count(*) from staging.stg_psa__time_entries),
          (select count(*) from marts.dim_legal_entity where legal_entity_key = '-1' and is_unknown)
        """,
    )[0]
    assert counts == (5, 5, 3, 3, 1)


def test_incremental_facts_pick_up_changes_and_deletes(mini_warehouse: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    shutil.copy(mini_warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update raw_psa.time_entries set _is_deleted = true, _loaded_at = '2025-01-08' where id = 1"
        )
        con.execute("update raw_psa.time_entries set hours = 6, _loaded_at = '2025-01-08' where id = 2")
        con.execute(
            "insert into raw_psa.time_entries (id, resource_id, project_id, spent_date, hours, updated_at,"
            " _loaded_at, _is_deleted) values (5, 1, 1, '2025-01-04', 3, '2025-01-08', '2025-01-08', false)"
        )
    # the staged time entries are an incremental table too (docs/performance.md, item 22)
    run_dbt(["run", "-s", "stg_psa__time_entries", "fct_time_entries"], warehouse, tmp_path / "target")
    rows = dict(q(warehouse, "select time_entry_id, hours from marts.fct_time_entries"))
    assert rows == {"2": 6, "3": 2, "5": 3}
    assert dict(q(warehouse, "select time_entry_id, hours from staging.stg_psa__time_entries")) == rows


def test_staged_time_entries_judge_only_the_keys_loaded_since_the_last_build(
    mini_warehouse: Path, tmp_path: Path
) -> None:
    """With ingestion's history table, a night drops the entries whose newest version was loaded since the
    last build and left the current table (a deletion), without the whole-table anti-join; a reload that
    removes a record with no new version (ingestion/reload.py) is caught by the row count, checked whole."""
    warehouse, target = tmp_path / "wh.duckdb", tmp_path / "target"
    shutil.copy(mini_warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        for table in ("raw_psa.time_entries", "staging.stg_psa__time_entries", "marts.fct_time_entries"):
            con.execute(f"update {table} set _loaded_at = '2024-12-01'")
        con.execute("create table raw_psa.time_entries__history as from raw_psa.time_entries")
        # tonight: entry 1 deleted upstream (a tombstone in the history, gone from the current table)
        con.execute(
            "insert into raw_psa.time_entries__history by name select * replace (true as _is_deleted,"
            " timestamp '2025-01-08' as _loaded_at) from raw_psa.time_entries where id = 1"
        )
        con.execute("delete from raw_psa.time_entries where id = 1")
        # ... and entry 2 changed: loaded tonight too, and still live (a key judged must not go for that)
        con.execute("update raw_psa.time_entries set hours = 7, _loaded_at = '2025-01-08' where id = 2")
        con.execute(
            "insert into raw_psa.time_entries__history by name"
            " select * from raw_psa.time_entries where id = 2"
        )
    models = ["run", "-s", "stg_psa__time_entries", "fct_time_entries"]  # the fact: the same check
    out = run_dbt(models, warehouse, target)
    assert "whole-table check" not in out
    staged = "select time_entry_id, hours from staging.stg_psa__time_entries order by 1"
    fact = "select time_entry_id, hours from marts.fct_time_entries order by 1"
    assert q(warehouse, staged) == q(warehouse, fact) == [("2", 7), ("3", 2)]

    with duckdb.connect(str(warehouse)) as con:  # a reload took entry 3 out with its file: no new version
        for table in ("raw_psa.time_entries", "raw_psa.time_entries__history"):
            con.execute(f"delete from {table} where id = 3")
    out = run_dbt(models, warehouse, target)
    assert out.count("2 rows against 1 live source rows: whole-table check") == 2
    assert q(warehouse, staged) == q(warehouse, fact) == [("2", 7)]


FACTS = ["fct_time_entries", "fct_invoice_lines", "fct_gl_lines"]
# per fact, a column no lookup feeds
SENTINELS = {
    "fct_time_entries": "work_type",
    "fct_invoice_lines": "transaction_number",
    "fct_gl_lines": "transaction_number",
}

AGED = [  # the facts' own rows, loaded long before the lookback (and so staged long ago: item 22)
    f"update {table} set _loaded_at = '2024-12-01'"
    for table in (
        "raw_psa.time_entries",
        "staging.stg_psa__time_entries",
        "raw_netsuite.transaction",
        "raw_netsuite.transactionline",
        "raw_netsuite.transactionaccountingline",
    )
]
# A night after go-live that lands no fact row but changes what old rows look up: the project moves to the
# German entity (entity, entity currency and every rate of its time), a GBP quote arrives for days that had
# none, the account is renamed and January's average rate is corrected. The facts' own rows were loaded
# long before the lookback, so only changed_lookups can bring them up to date.
LOOKUPS_CHANGED = [
    "update raw_psa.projects set legal_entity = 'DE01', _loaded_at = '2025-01-08' where id = 1",
    "update raw_netsuite.account set fullname = 'Consulting revenue', _loaded_at = '2025-01-08'"
    " where id = 20",
    "update raw_netsuite.consolidatedexchangerate set averagerate = 1.23, _loaded_at = '2025-01-08'",
    "insert into raw_netsuite.currencyrate (id, basecurrency, transactioncurrency, exchangerate,"
    " effectivedate, lastmodifieddate, _loaded_at, _is_deleted)"
    " values (3, 1, 2, 1.3, '2025-01-08', '2025-01-08', '2025-01-08', false)",
]


def test_incremental_facts_follow_changed_lookups_as_a_build_from_empty(
    mini_warehouse: Path, tmp_path: Path
) -> None:
    """An incremental night re-reads exactly the old rows whose lookups moved, and tests what it wrote.

    First a night with nothing new and no lookup changed: it rewrites no row (a column no lookup feeds holds a
    sentinel a re-read row would lose). Then a night that changes lookups only: its marts equal a build from
    empty of the same data.
    """
    from warehouse_diff import table_differences

    warehouse, target = tmp_path / "wh.duckdb", tmp_path / "target"  # one path for every run: dbt parses once

    def night(statements: list[str]) -> None:
        shutil.copy(mini_warehouse, warehouse)
        with duckdb.connect(str(warehouse)) as con:
            for statement in statements:
                con.execute(statement)

    night(AGED)
    with duckdb.connect(str(warehouse)) as con:
        for fact, column in SENTINELS.items():
            con.execute(f"update marts.{fact} set {column} = 'sentinel'")
    run_dbt(["run", "-s", "stg_psa__time_entries", *FACTS], warehouse, target)
    for fact, column in SENTINELS.items():
        sentinel = f"count(*) filter (where {column} = 'sentinel')"
        kept = q(warehouse, f"select {sentinel}, count(*) from marts.{fact}")
        assert kept[0][0] == kept[0][1] > 0, f"{fact}: a night with nothing new re-read rows: {kept}"

    night(AGED + LOOKUPS_CHANGED)
    run_dbt(["run", "-s", *(f"+{fact}" for fact in FACTS)], warehouse, target)
    assert q(
        warehouse,
        "select distinct legal_entity_key, entity_currency_code from marts.fct_time_entries "
        "where psa_project_id = '1'",
    ) == [("DE01", "EUR")]
    renamed = q(warehouse, "select distinct account_name from marts.fct_gl_lines where erp_account_id = '20'")
    assert renamed == [("Consulting revenue",)]
    incremental = tmp_path / "incremental.duckdb"
    shutil.copy(warehouse, incremental)
    run_dbt(["run", "-s", *(f"+{fact}" for fact in FACTS), "--full-refresh"], warehouse, target)
    assert table_differences(warehouse, incremental, ["marts"], min_tables=3) == {}

    # a target built before a column the comparison reads existed (an upgrade): re-read whole, once
    with duckdb.connect(str(warehouse)) as con:
        con.execute("alter table marts.fct_gl_lines drop column erp_class_id")
    log = run_dbt(["run", "-s", "fct_gl_lines"], warehouse, target)
    assert "lacks erp_class_id: every row is re-read" in log
    assert table_differences(warehouse, incremental, ["marts"], min_tables=3) == {}

    # the data tests judge the rows of the last build (macros/build_stamp.sql): a duplicate among older rows
    # passes them, an audit of every row (test_every_row) finds it
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into marts.fct_time_entries select * replace (timestamp '2000-01-01' as _built_at)"
            " from marts.fct_time_entries limit 1"
        )
    run_dbt(["test", "-s", "fct_time_entries"], warehouse, target)
    with pytest.raises(AssertionError, match="unique_fct_time_entries_time_entry_id"):
        run_dbt(["test", "-s", "fct_time_entries", "--vars", "{test_every_row: true}"], warehouse, target)


def _kept_lookups(warehouse: Path) -> dict[str, list[str]]:
    """The time fact's kept lookup values (macros/kept_lookups.sql): {table: its columns}."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'ops'"
                " and starts_with(table_name, 'fct_time_entries__lookups_') order by 1"
            ).fetchall()
        ]
        return {t: [c for (c, *_) in con.execute(f"describe ops.{t}").fetchall()] for t in tables}


def _values_not_kept(warehouse: Path) -> dict[str, int]:
    """Per kept table, the distinct values the time fact's rows hold that the table lacks (none may be)."""
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table, columns in _kept_lookups(warehouse).items():
            cols = ", ".join(columns)
            out[table] = con.execute(
                f"select count(*) from (select distinct {cols} from marts.fct_time_entries"
                f" except select {cols} from ops.{table})"
            ).fetchall()[0][0]
    return out


def test_kept_lookups_follow_the_time_fact_night_after_night(mini_warehouse: Path, tmp_path: Path) -> None:
    """The values the time fact's rows hold from their lookups are kept between nights, and a night compares
    tonight's lookups with those instead of grouping the fact (docs/performance.md, item 74).

    Night after night the kept values cover every value the fact holds: a project moved to the German entity
    and then back is re-read both times, as a build from empty would read it. Without the kept tables (an
    upgrade) the night groups the fact, as before, and keeps them again.
    """
    from warehouse_diff import table_differences

    warehouse, target = tmp_path / "wh.duckdb", tmp_path / "target"
    shutil.copy(mini_warehouse, warehouse)
    kept = _kept_lookups(warehouse)  # a build from empty keeps them: project x person, currency, day's rates
    assert len(kept) == 3 and ["psa_project_id", "transaction_currency_code"] in kept.values()
    assert set(_values_not_kept(warehouse).values()) == {0}
    [(entity,)] = q(warehouse, "select legal_entity from raw_psa.projects where id = 1")
    assert entity != "DE01"
    facts = ["stg_psa__time_entries", "fct_time_entries", "+int_psa_project_context"]

    def night(statements: list[str]) -> list[tuple]:
        with duckdb.connect(str(warehouse)) as con:
            for statement in statements:
                con.execute(statement)
        run_dbt(["run", "-s", *facts], warehouse, target)
        assert set(_values_not_kept(warehouse).values()) == {0}
        return q(
            warehouse,
            "select distinct legal_entity_key from marts.fct_time_entries where psa_project_id = '1'",
        )

    assert night(AGED + LOOKUPS_CHANGED[:1]) == [("DE01",)]
    moved_back = (
        f"update raw_psa.projects set legal_entity = '{entity}', _loaded_at = '2025-01-09' where id = 1"
    )
    assert night([moved_back]) == [(entity,)]
    with duckdb.connect(
        str(warehouse)
    ) as con:  # the moved entity's value was dropped when it stopped matching
        [(de01,)] = con.execute(
            f"select count(*) from ops.{next(t for t, c in kept.items() if 'legal_entity_key' in c)}"
            " where legal_entity_key = 'DE01' and psa_project_id = '1'"
        ).fetchall()
    assert de01 == 0
    incremental = tmp_path / "incremental.duckdb"
    shutil.copy(warehouse, incremental)
    run_dbt(["run", "-s", *facts, "--full-refresh"], warehouse, target)
    assert table_differences(warehouse, incremental, ["marts"], min_tables=3) == {}

    # a fact written some other way since its values were kept (the Spark engine hands a fact back whole): the
    # kept values are not used, the night compares the fact itself and keeps them again (no entry is in the
    # lookback: only the comparison can bring project 1 back)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update marts.fct_time_entries set _loaded_at = timestamp '2100-01-01'")
        con.execute(
            "update marts.fct_time_entries set legal_entity_key = 'ZZ', _built_at = timestamp '2100-01-01'"
            " where psa_project_id = '1'"
        )
    run_dbt(["run", "-s", "fct_time_entries"], warehouse, target)
    assert q(
        warehouse, "select distinct legal_entity_key from marts.fct_time_entries where psa_project_id = '1'"
    ) == [(entity,)]
    assert set(_values_not_kept(warehouse).values()) == {0}

    # without the kept tables the night groups the fact, and keeps them again
    with duckdb.connect(str(incremental)) as con:
        for table in kept:
            con.execute(f"drop table ops.{table}")
        con.execute(
            "update raw_psa.projects set legal_entity = 'DE01', _loaded_at = '2025-01-10' where id = 1"
        )
    run_dbt(["run", "-s", *facts], incremental, target)
    assert _kept_lookups(incremental) == kept
    assert set(_values_not_kept(incremental).values()) == {0}
    assert q(
        incremental, "select distinct legal_entity_key from marts.fct_time_entries where psa_project_id = '1'"
    ) == [("DE01",)]
