"""The reports a `Library` returns beside its records: import reports, fetch summaries, rankings, tag fits, an
article's text, a missing tag. Defined when first used, not when `readlist.api` loads: a read needs one only when a
filter names a tag nobody has, and each dataclass costs 0.3-0.6 ms to define (start-up time)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from readlist.importer.run import FileReport, ImportTotals
    from readlist.services.fetch import FetchReport
    from readlist.store.records import ItemRecord


@dataclass
class ImportReport:
    """Per file (in the order given) and in all: distinct items new, merged, unchanged."""

    files: list[FileReport]
    totals: ImportTotals


@dataclass
class FetchPart:
    source: str  # "arXiv" or "other" (Crossref, GitHub, OpenReview, web pages)
    asked: int
    report: FetchReport


@dataclass
class FetchSummary:
    """What a fetch did, and whether it failed as a whole (`problem`: the error a front end reports)."""

    parts: list[FetchPart] = field(default_factory=list)
    skipped: int = 0  # items others added, settled: a member's `fetch --all` leaves them to an admin

    @property
    def fetched(self) -> int:
        return sum(len(p.report.fetched) for p in self.parts)

    @property
    def asked(self) -> int:
        return sum(p.asked - p.report.unidentified for p in self.parts)

    @property
    def unidentified(self) -> int:
        """Items with nothing to look up (no arXiv ID, DOI or link): skipped, never counted as failed."""
        return sum(p.report.unidentified for p in self.parts)

    @property
    def requests(self) -> int:
        return sum(p.report.requests for p in self.parts)

    @property
    def problem(self) -> str | None:
        """Nothing fetched because a source stopped us or every request failed: the run failed (exit 1).
        Items a source does not know are an answer, not a failure."""
        if self.fetched:
            return None
        stopped = next((p.report.stopped for p in self.parts if p.report.stopped), None)
        if stopped:
            return stopped
        failed = any(p.report.failed for p in self.parts) and not any(p.report.not_found for p in self.parts)
        return "nothing was fetched" if failed else None


@dataclass(frozen=True)
class NoteAdded:
    item_id: int
    title: str


class RankMethod(StrEnum):
    LEARNED = "learned"  # a classifier of the positives against the rest
    SIMILAR = "similar"  # too few examples to learn from: similarity to those there are
    DATE = "date"  # nothing to learn from: newest first


if TYPE_CHECKING:

    class RankedItem(ItemRecord):
        """An item with how well it fits (higher is better) and the terms that made it fit."""

        score: float
        why: list[str]

else:
    RankedItem = dict


@dataclass(frozen=True)
class Ranking:
    """Items best first, how they were ranked and from how many examples (positives)."""

    items: list[RankedItem]
    method: RankMethod
    examples: int


@dataclass(frozen=True)
class TagFit:
    """An existing tag that fits an item: its score and the shared terms."""

    tag: str
    score: float
    why: list[str]


@dataclass(frozen=True)
class ItemText:
    """An article's kept main text (`show --text`)."""

    id: int
    title: str
    url: str
    text: str


@dataclass(frozen=True)
class MissingTag:
    """A filter's tag that no item has, and the closest one that exists."""

    name: str
    close: str | None
