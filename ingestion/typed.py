"""SQL of the typing and publishing steps of a file load.

``typed_sql`` casts every contract column (TRY_CAST to the declared type) and lists the rules each row
breaks; ``bad_sql`` adds in-file duplicate keys; ``refresh_current`` re-derives the current state of the
keys a file touched from the whole history (latest version, deletes honoured).
"""

from __future__ import annotations

import duckdb

from ingestion import parse
from ingestion.contract import SourceObject
from ingestion.warehouse import LINEAGE_COLUMNS, current_table, history_table, q

#: C0 controls and DEL, except tab, line feed and carriage return (free text legitimately holds them, e.g. a
#: JSON note with "\n"). A NUL or ESC inside a value is a broken export: loaded silently, it cuts strings in
#: some clients and breaks files written downstream.
_CONTROL_RANGES = "\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F"
CONTROL_CHARACTER = f"[{_CONTROL_RANGES}]"


def _control_character_check(col: str, name: str) -> str:
    """The rule for a text column: a value holding a control character rejects its row, naming the character
    and its position. Only text columns need it: in a typed value the character already fails the cast."""
    found = f"regexp_extract({col}, {parse.sql_str(CONTROL_CHARACTER)})"
    before = f"regexp_extract({col}, {parse.sql_str(f'^[^{_CONTROL_RANGES}]*')})"
    return (
        f"case when parse_rule is null and regexp_matches({col}, {parse.sql_str(CONTROL_CHARACTER)}) then "
        f"{{'column': {parse.sql_str(name)}, 'rule': 'control_character', 'message': "
        f"'value holds control character ' || printf('U+%04X', unicode({found})) "
        f"|| ' at character ' || (length({before}) + 1)}} end"
    )


def _version_check(obj: SourceObject, version_column: str) -> str:
    """A row with no value in the file's version column nor in any later fallback cannot be ordered."""
    usable = obj.versioned_by[obj.versioned_by.index(version_column) :]
    empty = " and ".join(f"_r{obj.column_names.index(v)} is null" for v in usable)
    names = ", ".join(usable)
    return (
        f"case when parse_rule is null and {empty} then {{'column': {parse.sql_str(version_column)}, "
        f"'rule': 'required_missing', 'message': 'version value missing ({names} all empty)'}} end"
    )


def typed_sql(obj: SourceObject, version_column: str | None = None, control_characters: bool = True) -> str:
    """``_typed``: contract columns cast to their declared types plus the list of rules each row breaks.

    ``version_column``: the ``versioned_by`` column this file uses; with fallbacks a row needs a value in it
    or in a later fallback (an empty one falls back per row, as the current-state order does). Each value is
    cast once (a materialized CTE holds the raw text and the cast value side by side). ``control_characters``
    False leaves out the search for control characters in text values, for a file known to hold none
    (``ingestion.fast_json``)."""
    required = set(obj.required_columns)
    checks = [
        "case when parse_rule is not null then {'column': parse_column, 'rule': "
        "case when unterminated then 'truncated_line' else parse_rule end, 'message': "
        "case when unterminated then 'last line is cut off (no line ending): ' || parse_message "
        "else parse_message end} end"
    ]
    pairs = []
    for i, c in enumerate(obj.columns):
        col, raw = q(c.name), f"_r{i}"
        typed = c.type.upper() != "VARCHAR"
        pairs.append(f"{col} as {raw}, " + (f"try_cast({col} as {c.type}) as {col}" if typed else col))
        if typed:
            checks.append(
                f"case when parse_rule is null and {raw} is not null and {col} is null then "
                f"{{'column': {parse.sql_str(c.name)}, 'rule': 'wrong_type', 'message': "
                f"'value ''' || left({raw}, 80) || ''' is not a valid {c.type}'}} end"
            )
        elif control_characters:
            checks.append(_control_character_check(col, c.name))
        if c.accepted_values:
            allowed = ", ".join(parse.sql_str(v.lower()) for v in c.accepted_values)
            checks.append(
                f"case when parse_rule is null and {col} is not null and lower(trim({col}::varchar)) "
                f"not in ({allowed}) then {{'column': {parse.sql_str(c.name)}, 'rule': 'not_accepted', "
                f"'message': 'value ''' || left({raw}, 80) || ''' is not one of "
                f"{', '.join(c.accepted_values).replace(chr(39), '')}'}} end"
            )
        if c.name in required:
            checks.append(
                f"case when parse_rule is null and {raw} is null then "
                f"{{'column': {parse.sql_str(c.name)}, 'rule': 'required_missing', 'message': "
                f"'required value missing'}} end"
            )
    if obj.has_version_fallbacks and version_column:
        checks.append(_version_check(obj, version_column))
    cols = ", ".join(q(c) for c in obj.column_names)
    return (
        "create or replace temp table _typed as with c as materialized ("
        "select lineno, unterminated, parse_rule, parse_message, parse_column, "
        f"{', '.join(pairs)}, _overflow from _rows) "
        "select lineno as _source_row, "
        f"list_filter([{', '.join(checks)}], lambda x: x is not null) as _errs, {cols}, _overflow from c"
    )


def bad_sql(obj: SourceObject, with_text: bool = True, source: str = "_typed") -> str:
    """``_bad``: one row per broken rule: the typed checks, then duplicate keys (first occurrence kept), each
    with its line's text (``_raw``) from ``_lines`` (``with_text``; without it, ``_raw`` is NULL: the fast
    path has no ``_lines`` and only asks whether any rule is broken)."""
    pk = ", ".join(q(k) for k in obj.primary_key)
    on = " and ".join(f"t.{q(k)} is not distinct from d.{q(k)}" for k in obj.primary_key)
    label = " || ', ' || ".join(f"'{k}=' || coalesce(t.{q(k)}::varchar, 'null')" for k in obj.primary_key)
    return f"""
        create or replace temp table _bad as
        with dup as (  -- keys only: a group-by, not a window carrying every column of every row
            select {pk}, min(_source_row) as first_row from {source} where len(_errs) = 0
            group by all having count(*) > 1
        ),
        b as (
            select _source_row, unnest(_errs) as e from {source} where len(_errs) > 0
            union all
            select t._source_row, {{'column': null::varchar, 'rule': 'duplicate_key', 'message':
                   'duplicate primary key (' || {label} || ') already on line ' || d.first_row
                   || ' of this file; first occurrence kept'}}
            from {source} t join dup d on {on}
            where len(t._errs) = 0 and t._source_row <> d.first_row
        )
        {
        "select b._source_row, b.e, l.line as _raw from b join _lines l on l.lineno = b._source_row"
        if with_text
        else "select b._source_row, b.e, null::varchar as _raw from b"
    }
    """


def refresh_current(con: duckdb.DuckDBPyConnection, obj: SourceObject, source: str, fresh: bool) -> None:
    """Rebuild the current row of every key touched by this file from the whole history."""
    pk = [q(k) for k in obj.primary_key]
    on = " and ".join(f"t.{k} is not distinct from k.{k}" for k in pk)  # an optional key column may be null
    cols = ", ".join(q(n) for n in [*obj.column_names, *(n for n, _ in LINEAGE_COLUMNS)])
    mod = "coalesce(" + ", ".join(f"t.{q(v)}" for v in obj.versioned_by) + ")"
    if fresh:  # first load of this object: every key is new, its only version is the current one
        con.execute(
            f"insert into {current_table(obj)} ({cols}) select {cols} from {history_table(obj)} "
            "where not _is_deleted"
        )
        return
    con.execute(f"create or replace temp table _keys as select distinct {', '.join(pk)} from {source}")
    con.execute(f"delete from {current_table(obj)} t using _keys k where {on}")
    con.execute(
        f"""
        insert into {current_table(obj)} ({cols})
        select {cols} from (
            select t.*, row_number() over (
                partition by {", ".join("t." + k for k in pk)}
                order by {mod} desc nulls last, t._extract_date desc, t._source_row desc, t._loaded_at desc
            ) as _rn
            from {history_table(obj)} t semi join _keys k on {on}
        ) where _rn = 1 and not _is_deleted
        """
    )
