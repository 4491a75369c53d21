"""The catalogue of reject rules written to ``raw.rejects.rule``: what each means and what to do about it.

Rendered into ``docs/sources/*.md``; a test checks that the loader emits no rule missing from here.
"""

from __future__ import annotations

#: rule -> (scope, meaning, what the analyst should do)
REJECT_RULES: dict[str, tuple[str, str, str]] = {
    "unbalanced_quote": (
        "row",
        "a quoted field is never closed (odd number of double quotes on the line; a quoted field may "
        "span lines, but this one is not closed by a later line that reads as a well-formed record)",
        "fix the quoting in the source record",
    ),
    "malformed_quoting": (
        "row",
        'text after a closing quote (a quote inside a quoted field must be doubled: "")',
        "fix the quoting in the source record",
    ),
    "wrong_field_count": (
        "row",
        "more or fewer fields than the header",
        "check for stray commas / cut lines",
    ),
    "invalid_json": ("row", "the JSON line does not parse", "fix or re-export the record"),
    "not_an_object": ("row", "the JSON line is not an object", "fix or re-export the record"),
    "truncated_line": ("row", "the last line is cut off (no line ending)", "re-deliver the file"),
    "wrong_type": ("row", "a value does not cast to the declared type", "correct the value in the source"),
    "required_missing": ("row", "a required or key value is empty", "fill the value in the source"),
    "control_character": (
        "row",
        "a text value holds a control character (NUL, ESC...; tab and line breaks excepted)",
        "remove the character in the source or fix the export's encoding",
    ),
    "not_accepted": (
        "row",
        "a value is not one of the contract's accepted values",
        "correct the value (the contract lists the accepted ones)",
    ),
    "duplicate_key": ("row", "primary key repeated in one file; first kept", "remove the duplicate upstream"),
    "required_column_missing": ("file", "a required column is absent", "fix the export's column list"),
    "duplicate_header": ("file", "the header repeats a column", "fix the export's column list"),
    "ambiguous_header": ("file", "two columns map to one contract column", "drop one of the two columns"),
    "truncated": ("file", "fewer rows than the completion marker says", "re-deliver the file"),
    "row_count_mismatch": (
        "file",
        "more rows than the completion marker says",
        "re-deliver the file or correct the marker",
    ),
    "size_mismatch": (
        "file",
        "byte count differs from the completion marker's",
        "re-deliver the file or correct the marker",
    ),
    "checksum_mismatch": ("file", "content differs from the marker's sha256", "re-deliver the extract"),
    "not_utf8": ("file", "the file is not UTF-8", "re-export the file as UTF-8"),
    "path_escape": (
        "file",
        "name or symlink leaves the landing folder",
        "deliver a regular file in the folder",
    ),
    "file_missing": ("file", "listed in the marker, not on disk", "re-deliver the extract folder"),
}
