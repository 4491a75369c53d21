"""The values of ``raw.load_log.status``: one place, so the loader, the summary and ``reload`` agree.

A ``StrEnum`` member is its string (``LoadStatus.REJECTED == "rejected"``), so it goes into SQL parameters and
compares with what the load log holds as is.
"""

from __future__ import annotations

from enum import StrEnum


class LoadStatus(StrEnum):
    """What happened to one landed file (or folder) in one load."""

    LOADED = "loaded"
    LOADED_WITH_REJECTS = "loaded_with_rejects"  # some rows quarantined in raw.rejects
    REJECTED = (
        "rejected"  # the whole file quarantined (marker disagrees, not UTF-8, required column missing…)
    )
    REFUSED = "refused"  # the file name leaves the landing folder: never read
    MISSING = "missing"  # listed in the completion marker, not on disk
    UNLISTED = "unlisted"  # on disk, not in the completion marker
    UNKNOWN_OBJECT = "unknown_object"  # no contract for the file
    SKIPPED_DUPLICATE = "skipped_duplicate"  # same content as a file already loaded
    EMPTY = "empty"  # no rows where the previous extract had some
    NO_EXTRACT = "no_extract"  # no complete extract folder in the landing folder at all
    WAITING = "waiting"  # extract folder without its completion marker yet
    INVALID_FOLDER = "invalid_folder"
    UNKNOWN_SYSTEM = "unknown_system"
    BAD_MARKER = "bad_marker"


#: Data of this object was not loaded and someone must act.
FAILED_STATUSES = frozenset({LoadStatus.REJECTED, LoadStatus.REFUSED, LoadStatus.MISSING})
LOADED_STATUSES = frozenset({LoadStatus.LOADED, LoadStatus.LOADED_WITH_REJECTS})
#: A night that loaded nothing where something was expected: a warning, never a plain success.
EMPTY_STATUSES = frozenset({LoadStatus.EMPTY, LoadStatus.NO_EXTRACT})
#: A file whose latest attempt left it (or some of its rows) out of the warehouse: what ``reload`` re-reads.
#: ``--all-refused`` takes the whole-file ones; a filter (system, object, date, file) also takes files with
#: quarantined rows, e.g. after a contract was widened to accept them.
REFUSED_STATUSES = frozenset(
    {LoadStatus.REJECTED, LoadStatus.REFUSED, LoadStatus.MISSING, LoadStatus.UNLISTED}
)
RELOADABLE_STATUSES = REFUSED_STATUSES | {LoadStatus.LOADED_WITH_REJECTS}
