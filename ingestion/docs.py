"""Generate ``docs/sources/<system>.md`` from the contracts (``python -m ingestion.docs``).

The committed docs must equal this output (a test compares them), so the contract stays the one source.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ingestion.contract import SYSTEMS, SourceObject, SystemContract, load_contract
from ingestion.rules import REJECT_RULES
from ingestion.warehouse import LINEAGE_COLUMNS

DOCS_DIR = Path(__file__).resolve().parents[1] / "docs" / "sources"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _versions(obj: SourceObject) -> str:
    return ", then ".join(f"`{v}`" for v in obj.versioned_by)


def _required(obj: SourceObject, column: str) -> str:
    if column in obj.required_columns:
        return "yes"
    if obj.has_version_fallbacks and column in obj.versioned_by:
        return "one of versioned_by"
    return ""


def _object_md(obj: SourceObject) -> list[str]:
    dm = obj.delete_marker
    deletes = (
        f"`{dm.column}` {'= true' if dm.when == 'true' else 'is set'} (row kept in history, key removed from "
        "current state)"
        if dm
        else "none (records are never deleted)"
    )
    out = [
        f"## {obj.name}",
        "",
        _cell(obj.description),
        "",
        f"- File: `{obj.file}` ({obj.format})",
        f"- Primary key: {', '.join(f'`{k}`' for k in obj.primary_key)}",
        f"- Versioned by (picks the current version; a file uses the first it carries): {_versions(obj)}",
        f"- Delete marker: {deletes}",
        f"- Tables: `{obj.schema}.{obj.name}__history` (every landed version), `{obj.schema}.{obj.name}` "
        "(current state)",
        "",
        "| column | API name | type | key | required | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for c in obj.columns:
        out.append(
            f"| `{c.name}` | {f'`{c.api_name}`' if c.api_name else ''} | {c.type} | "
            f"{'PK' if c.name in obj.primary_key else ''} | "
            f"{_required(obj, c.name)} | {_cell(c.description)} |"
        )
    out.append("")
    return out


def render(contract: SystemContract) -> str:
    """The Markdown page of one source system."""
    lineage = ", ".join(f"`{n}` {t}" for n, t in LINEAGE_COLUMNS)
    lines = [
        f"# {contract.title}",
        "",
        "<!-- Generated from ingestion/contracts/"
        f"{contract.system}.yml by `python -m ingestion.docs`; do not edit by hand. -->",
        "",
        _cell(contract.description),
        "",
        f"Landed as `<landing>/{contract.system}/<YYYY-MM-DD>/<file>` ({contract.format}), one folder per "
        "extract, completed by `_SUCCESS.json` written last. Loaded into DuckDB schema "
        f"`{contract.schema}`: per object an append-only `<object>__history` table and a current-state table "
        "`<object>` (a table maintained per load: the touched keys are re-derived from history, latest "
        "version by its version column desc (the first non-empty of the object's `versioned_by`), extract "
        "date desc, source row desc; deleted keys absent). CSV is read as RFC 4180: a quoted field may hold "
        "commas, doubled quotes and line breaks (a record spanning lines keeps its first line number). "
        "Headers may use the snake_case names or the vendor API names; "
        "matching ignores case, underscores and `__c`.",
        "",
        f"Lineage columns on every row: {lineage}. Unknown extra columns are kept in `_overflow` and "
        "reported as schema drift in `raw.load_log`; rejected rows are in `raw.rejects` with file, line, "
        "column and rule.",
        "",
        *([contract.notes.strip(), ""] if contract.notes.strip() else []),
        "| object | file | primary key | versioned by | delete marker |",
        "|---|---|---|---|---|",
    ]
    for o in contract.objects:
        dm = f"`{o.delete_marker.column}` ({o.delete_marker.when})" if o.delete_marker else ""
        lines.append(
            f"| [{o.name}](#{o.name}) | `{o.file}` | {', '.join(o.primary_key)} | {_versions(o)} | {dm} |"
        )
    lines.append("")
    lines.extend(
        [
            "Reject rules (`raw.rejects.rule`; a file-scope rule rejects every row of the file, the rest "
            "of the "
            "night still loads; every file keeps rows read = rows loaded + rows rejected):",
            "",
            "| rule | scope | meaning | what to do |",
            "|---|---|---|---|",
            *(
                f"| `{rule}` | {scope} | {meaning} | {action} |"
                for rule, (scope, meaning, action) in REJECT_RULES.items()
            ),
            "",
        ]
    )
    for o in contract.objects:
        lines.extend(_object_md(o))
    return "\n".join(lines).rstrip() + "\n"


def write_docs(out_dir: Path = DOCS_DIR) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for system in SYSTEMS:
        path = out_dir / f"{system}.md"
        path.write_text(render(load_contract(system)), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in write_docs(Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS_DIR):
        print(f"wrote {p}")
