"""What dbt puts in a model's Jinja context, for sqlfluff's jinja templater (``.sqlfluff``: library_path).

sqlfluff renders models without running dbt. sqlfluff's own dbt builtins cover ``ref``, ``source`` and
``config``; this package adds the rest the models use, close enough to dbt that the rendered SQL is the SQL
dbt-duckdb runs: ``var`` returns the project's real defaults from ``dbt_project.yml`` (models loop over list
vars and do arithmetic on numbers), ``adapter.dispatch`` and ``throughline.<macro>`` call the project's own
macros (loaded by ``load_macros_from_path``), ``dbt.<macro>`` renders dbt's cross-database macros the way
dbt-duckdb does. Every name defined here is a top-level name in the Jinja context.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import pass_context
from jinja2.runtime import Context
from sqlfluff.core.templaters.builtins.dbt import MacroReturn

_PROJECT = Path(__file__).resolve().parents[1] / "dbt_project.yml"

_TYPES = {
    "type_string": "varchar",
    "type_float": "double",
    "type_int": "integer",
    "type_bigint": "bigint",
    "type_numeric": "numeric(28, 6)",
    "type_timestamp": "timestamp",
    "type_boolean": "boolean",
}


@cache
def _vars() -> dict[str, Any]:
    return (yaml.safe_load(_PROJECT.read_text(encoding="utf-8")) or {}).get("vars") or {}


def env_var(name: str, default: str = "") -> str:
    """dbt's ``env_var``: always the default, so the lint does not depend on the shell (source_systems)."""
    return default


def var(name: str, default: Any = None) -> Any:
    """dbt's ``var``: the value in ``dbt_project.yml``, else the default given in the model."""
    return _vars().get(name, default)


def _macro(ctx: Context, *names: str) -> Any:
    for name in names:
        found = ctx.get(name)
        if found is not None and callable(found):
            return found
    raise KeyError(f"no macro {' / '.join(names)} for sqlfluff to render")


class _Adapter:
    """``adapter.dispatch(name, namespace)``: the project's ``duckdb__``/``default__`` implementation."""

    @pass_context
    def dispatch(self, ctx: Context, name: str, macro_namespace: str | None = None) -> Any:
        return _macro(ctx, f"duckdb__{name}", f"default__{name}", name)

    def type(self) -> str:
        return "duckdb"

    def quote(self, identifier: str) -> str:
        return '"' + str(identifier).replace('"', '""') + '"'


class _Namespace:
    """``throughline.<macro>(...)``: the project's macro of that name, and what it ``return``s. A macro of the
    calling macro's own file is the bare Jinja macro, whose ``return`` would otherwise end the caller."""

    def __getattr__(self, name: str) -> Any:
        @pass_context
        def call(ctx: Context, *args: Any, **kwargs: Any) -> Any:
            try:
                return _macro(ctx, name)(*args, **kwargs)
            except MacroReturn as returned:
                return returned.value

        return call


def _concat(fields: list[str]) -> str:
    return "(" + " || ".join(str(f) for f in fields) + ")"


class _Dbt:
    """dbt's cross-database macros as dbt-duckdb renders them."""

    date_trunc = staticmethod(lambda part, expr: f"date_trunc('{part}', {expr})")
    dateadd = staticmethod(lambda part, n, expr: f"date_add({expr}, interval ({n}) {part})")
    datediff = staticmethod(lambda a, b, part: f"date_diff('{part}', {a}, {b})")
    string_literal = staticmethod(lambda value: "'" + str(value).replace("'", "''") + "'")
    concat = staticmethod(_concat)
    safe_cast = staticmethod(lambda expr, type_: f"try_cast({expr} as {type_})")
    cast = staticmethod(lambda expr, type_: f"cast({expr} as {type_})")
    hash = staticmethod(lambda expr: f"md5(cast({expr} as varchar))")
    length = staticmethod(lambda expr: f"length({expr})")
    replace = staticmethod(lambda expr, old, new: f"replace({expr}, {old}, {new})")
    split_part = staticmethod(lambda expr, delim, n: f"split_part({expr}, {delim}, {n})")
    position = staticmethod(lambda sub, expr: f"position({sub} in {expr})")
    any_value = staticmethod(lambda expr: f"any_value({expr})")
    bool_or = staticmethod(lambda expr: f"bool_or({expr})")
    last_day = staticmethod(lambda expr, part: f"last_day({expr})")
    current_timestamp = staticmethod(lambda: "current_timestamp")
    escape_single_quotes = staticmethod(lambda value: str(value).replace("'", "''"))

    def __getattr__(self, name: str) -> Any:
        if name in _TYPES:
            return lambda *args, **kwargs: _TYPES[name]
        raise AttributeError(f"dbt.{name} is not emulated for sqlfluff; add it to dbt_project/sqlfluff_jinja")


class _Exceptions:
    """``exceptions.raise_compiler_error``: models guard their vars with it; the real defaults pass."""

    @staticmethod
    def raise_compiler_error(message: str) -> str:
        raise RuntimeError(message)

    @staticmethod
    def warn(message: str) -> str:
        return ""


adapter = _Adapter()
throughline = _Namespace()
dbt = _Dbt()
exceptions = _Exceptions()
