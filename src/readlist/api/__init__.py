"""The door: `Library` and the records it returns. Front ends (the CLI, the web view, Python users) import this
package, `readlist.errors` and `readlist.domain`, never the store."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from readlist.api.admin import Admin
from readlist.api.feeds import Feeds
from readlist.api.reading import Reading
from readlist.api.recommending import Recommending
from readlist.api.writing import ProgressFactory, Writing
from readlist.errors import ReadlistError

if TYPE_CHECKING:
    from readlist.api.reports import (
        FetchPart,
        FetchSummary,
        ImportReport,
        ItemText,
        MissingTag,
        NoteAdded,
        RankedItem,
        Ranking,
        RankMethod,
        TagFit,
    )
    from readlist.store.records import (
        Edited,
        ExportRecord,
        FeedRecord,
        ItemRecord,
        LibraryStats,
        MemberStats,
        NoteRecord,
        NoteText,
        Overview,
        Removed,
        Restored,
        SearchHit,
        StatusChange,
        TagChange,
        TagCount,
        TrashRecord,
    )

if TYPE_CHECKING:  # the reports of heavier use cases: named here for front ends, imported when they run
    from readlist.importer.run import FileReport
    from readlist.search.engine import SearchResult
    from readlist.services.add import AddReport
    from readlist.services.feeds import PullReport
    from readlist.services.fetch import FetchReport
    from readlist.services.health import HealthReport

__all__ = [
    "AddReport",
    "FileReport",
    "HealthReport",
    "PullReport",
    "SearchHit",
    "SearchResult",
    "Edited",
    "ExportRecord",
    "FeedRecord",
    "LibraryStats",
    "MemberStats",
    "Overview",
    "TrashRecord",
    "FetchPart",
    "FetchReport",
    "FetchSummary",
    "ImportReport",
    "ItemRecord",
    "ItemText",
    "Library",
    "MissingTag",
    "NoteAdded",
    "NoteRecord",
    "NoteText",
    "ProgressFactory",
    "RankMethod",
    "RankedItem",
    "Ranking",
    "TagFit",
    "Removed",
    "Restored",
    "StatusChange",
    "TagChange",
    "TagCount",
    "friendly_error",
    "on_lock_wait",
    "on_notice",
]


def on_lock_wait(notice: Callable[[], None] | None) -> None:
    """Called once when a write has to wait for another process's write (the CLI prints a line)."""
    from readlist.store.backends import base

    base.on_lock_wait = notice


def on_notice(hear: Callable[[str], None] | None) -> None:
    """Hears a one-line warning that is not an error (a member's readlist newer than the library's schema)."""
    from readlist.store.backends import base

    base.on_notice = hear


def friendly_error(exc: BaseException) -> ReadlistError | None:
    """A database driver's error (locked, full disk, damaged file, lost server) in a user's words, if it is one."""
    from readlist.store.db import friendly_error as translate

    return translate(exc)


# The records and reports in `__all__` are imported when first named (`readlist.api.ItemRecord`), as
# `readlist.Library` is: opening the door does not define the writes' drafts and reports, nor the rankings (ids,
# a dozen and more dataclasses, ~10 ms) for a command that only reads.
def __getattr__(name: str) -> Any:
    if name in __all__:
        from readlist.api import reports
        from readlist.store import records

        for home in (reports, records):
            if hasattr(home, name):
                value = getattr(home, name)
                globals()[name] = value
                return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Library(Reading, Writing, Feeds, Admin, Recommending):
    """One reading list, as sqlite-utils' `Database` is one database file.

    >>> with Library("papers.db") as lib:
    ...     lib.add("2408.11743", tags=["quantization"], fetch=False)
    ...     [item["title"] for item in lib.todo()]

    `path` defaults like the CLI's: `$READLIST_DB`, then the config file's `db`, then the user data dir.
    Items are named by number (`"1"` or `1`), arXiv ID, DOI, URL or citation key. Errors are
    `readlist.errors.ReadlistError`s; methods return typed records (see `readlist.store.records`)."""

    def __enter__(self) -> Library:
        return self
