"""Source contracts: the one declaration of every landed object (file, columns, types, keys, deletes).

The YAML files in ``ingestion/contracts/`` are read here and nowhere else; the generator, the loader,
the docs in ``docs/sources/`` and the dbt sources are all derived from these objects.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

CONTRACTS_DIR = Path(__file__).parent / "contracts"
#: Systems with a contract: the three source systems, the controller's reviewed decisions file, then the
#: alternative systems a firm may run instead (hubspot for the CRM, quickbooks or xero for the ERP, harvest
#: for the PSA; see source_systems in docs/sources/choosing-systems.md), and the exchange rates a firm on
#: an ERP without a rate table supplies (fx_rates: read only when the ERP is xero or quickbooks).
SYSTEMS: tuple[str, ...] = (
    "salesforce", "netsuite", "psa", "controller", "harvest", "hubspot", "quickbooks", "xero", "fx_rates",
)  # fmt: skip

#: The systems that can serve each side of the firm, the default first. A firm picks one per side with env
#: THROUGHLINE_CRM / THROUGHLINE_ERP / THROUGHLINE_PSA, as dbt's var source_systems does.
SIDES: dict[str, tuple[str, ...]] = {
    "crm": ("salesforce", "hubspot"),
    "erp": ("netsuite", "quickbooks", "xero"),
    "psa": ("psa", "harvest"),
}


def chosen_systems(env: Mapping[str, str] = os.environ) -> set[str]:
    """The systems this firm runs (one per side, plus the controller's decisions file): the others' extracts
    are not expected, so their absence is no freshness warning."""
    chosen = {"controller"}
    for side, systems in SIDES.items():
        name = env.get(f"THROUGHLINE_{side.upper()}") or systems[0]
        if name not in systems:
            raise ValueError(
                f"THROUGHLINE_{side.upper()}={name!r} is not a {side} system; use one of {', '.join(systems)}"
            )
        chosen.add(name)
    return chosen


#: Name of the completion marker written last into every extract folder. It is JSON:
#: {"system", "extract_date", "extract_type": "full"|"delta", "created_at",
#:  "files": {"<file name>": {"rows": int, "bytes": int, "sha256": str}}}
COMPLETION_MARKER = "_SUCCESS.json"


def normalize_header(name: str) -> str:
    """Key used to match a landed header to a contract column: case, underscores and '__c' ignored.

    ``StageName``, ``stage_name`` and ``STAGE_NAME`` all map to ``stagename``;
    ``ERP_Customer_Id__c`` and ``erp_customer_id_c`` both map to ``erpcustomeridc``.
    """
    return re.sub(r"[^0-9a-z]", "", name.strip().lower())


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str = ""
    required: bool = False
    api_name: str | None = None
    #: The only values allowed (after trimming, case-insensitive); any other non-empty value rejects the row.
    accepted_values: tuple[str, ...] = ()
    #: A primary-key column a file may lack (null when absent; keys compare null-safely): e.g. the
    #: ``source_relation`` a multi-company sync adds, absent from a single-company export.
    key_optional: bool = False

    @property
    def header_keys(self) -> set[str]:
        keys = {normalize_header(self.name)}
        if self.api_name:
            keys.add(normalize_header(self.api_name))
        return keys


@dataclass(frozen=True)
class DeleteMarker:
    column: str
    when: str  # "true" (boolean flag) or "not_null" (timestamp set)

    def sql_predicate(self, alias: str = "") -> str:
        col = f'{alias}."{self.column}"' if alias else f'"{self.column}"'
        if self.when == "true":
            return f"coalesce({col}, false)"
        if self.when == "not_null":
            return f"{col} is not null"
        raise ValueError(f"unknown delete marker rule {self.when!r}")


@dataclass(frozen=True)
class SourceObject:
    system: str
    name: str
    file: str
    description: str
    primary_key: tuple[str, ...]
    #: Columns that version a record, in order of preference: each file uses the first one its header has
    #: (a real sync may lack ``system_modstamp`` but carry ``last_modified_date`` or ``_fivetran_synced``).
    versioned_by: tuple[str, ...]
    delete_marker: DeleteMarker | None
    columns: tuple[Column, ...]
    format: str
    schema: str

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def modified_at(self) -> str:
        """The preferred version column (the first of ``versioned_by``)."""
        return self.versioned_by[0]

    @property
    def has_version_fallbacks(self) -> bool:
        """True when several columns may version a record: then none of them is required on its own; a file
        needs one of them, and its rows need a value in the one the file uses."""
        return len(self.versioned_by) > 1

    @property
    def required_columns(self) -> list[str]:
        fallbacks = set(self.versioned_by) if self.has_version_fallbacks else set()
        return [
            c.name
            for c in self.columns
            if (c.required or (c.name in self.primary_key and not c.key_optional)) and c.name not in fallbacks
        ]

    def version_column_for(self, present: set[str] | list[str]) -> str | None:
        """The version column a file with contract columns ``present`` uses: the first of ``versioned_by``
        it has; None when it has none of them."""
        return next((v for v in self.versioned_by if v in present), None)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.system}.{self.name} has no column {name!r}")

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class SystemContract:
    system: str
    title: str
    format: str
    schema: str
    description: str
    objects: tuple[SourceObject, ...] = field(default_factory=tuple)
    #: Free Markdown rendered into docs/sources/<system>.md after the overview (e.g. how real exports load).
    notes: str = ""
    #: Whether its dbt sources declare nightly freshness: false for a file that arrives when someone has
    #: something to land, or one of alternative files (fx_rates), which no freshness check should expect.
    freshness: bool = True

    def object(self, name: str) -> SourceObject:
        for o in self.objects:
            if o.name == name:
                return o
        raise KeyError(f"{self.system} has no object {name!r}")

    def object_for_file(self, file_name: str) -> SourceObject | None:
        for o in self.objects:
            if o.file == file_name:
                return o
        return None


def _versioned_by(system: str, name: str, o: dict, defaults: dict) -> tuple[str, ...]:
    """``versioned_by: [a, b, c]`` (preferred first) or the older single ``modified_at: a``; the object's own
    key wins over the contract's ``defaults``."""
    for source in (o, defaults):
        if "versioned_by" in source and "modified_at" in source:
            raise ValueError(f"contract {system}.{name}: give versioned_by or modified_at, not both")
        if "versioned_by" in source:
            cols = source["versioned_by"]
            cols = [cols] if isinstance(cols, str) else list(cols)
            if not cols:
                raise ValueError(f"contract {system}.{name}: versioned_by lists no column")
            return tuple(str(c) for c in cols)
        if "modified_at" in source:
            return (str(source["modified_at"]),)
    raise ValueError(f"contract {system}.{name}: no versioned_by (or modified_at) column")


def _check_object(obj: SourceObject) -> None:
    """Declared keys name declared columns; fallback version columns share a type and are not required."""
    names = obj.column_names
    dm = [obj.delete_marker.column] if obj.delete_marker else []
    for needed in [*obj.primary_key, *obj.versioned_by, *dm]:
        if needed not in names:
            raise ValueError(f"contract {obj.system}.{obj.name}: {needed!r} is not a declared column")
    if obj.has_version_fallbacks:
        types = {obj.column(v).type.upper() for v in obj.versioned_by}
        if len(types) > 1:
            raise ValueError(
                f"contract {obj.system}.{obj.name}: versioned_by columns have different types {sorted(types)}"
            )
        required = [v for v in obj.versioned_by if obj.column(v).required]
        if required:
            raise ValueError(
                f"contract {obj.system}.{obj.name}: versioned_by column(s) {', '.join(required)} must not be "
                "required: true (a file needs one of them, its rows a value in the one it uses)"
            )


def _parse(system: str, raw: dict) -> SystemContract:
    defaults = raw.get("defaults", {})
    objects = []
    for o in raw["objects"]:
        dm = o.get("delete_marker", defaults.get("delete_marker"))
        cols = tuple(
            Column(
                name=c["name"],
                type=str(c["type"]),
                description=str(c.get("description", "")),
                required=bool(c.get("required", False)),
                api_name=c.get("api_name"),
                accepted_values=tuple(str(v) for v in c.get("accepted_values", ())),
                key_optional=bool(c.get("key_optional", False)),
            )
            for c in o["columns"]
        )
        obj = SourceObject(
            system=system,
            name=o["name"],
            file=o["file"],
            description=str(o.get("description", "")).strip(),
            primary_key=tuple(o["primary_key"]),
            versioned_by=_versioned_by(system, o["name"], o, defaults),
            delete_marker=DeleteMarker(dm["column"], str(dm["when"])) if dm else None,
            columns=cols,
            format=raw["format"],
            schema=raw["schema"],
        )
        _check_object(obj)
        objects.append(obj)
    return SystemContract(
        system=system,
        title=raw.get("title", system),
        format=raw["format"],
        schema=raw["schema"],
        description=str(raw.get("description", "")).strip(),
        objects=tuple(objects),
        notes=str(raw.get("notes", "")),
        freshness=bool(raw.get("freshness", True)),
    )


#: libyaml's parser when PyYAML was built with it (its wheels are): the same safe loading, about ten times
#: faster than the pure-Python one, which took most of a second of every process that reads the contracts.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def load_contract(system: str) -> SystemContract:
    path = CONTRACTS_DIR / f"{system}.yml"
    if not path.exists():
        raise FileNotFoundError(f"no contract for system {system!r} (expected {path})")
    with path.open(encoding="utf-8") as fh:
        return _parse(system, yaml.load(fh, Loader=_YAML_LOADER))


def load_contracts() -> dict[str, SystemContract]:
    return {s: load_contract(s) for s in SYSTEMS}


def all_objects() -> list[SourceObject]:
    return [o for c in load_contracts().values() for o in c.objects]
