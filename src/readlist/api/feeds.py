"""The feed use cases of a `Library`: follow, unfollow and pull feeds; the inbox they fill."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from readlist.api.base import Door

if TYPE_CHECKING:
    from readlist.services.feeds import PullReport
    from readlist.store.models import Feed
    from readlist.store.records import FeedRecord, ItemRecord


class Feeds(Door):
    def inbox(self, *, limit: int | None = None, full: bool = True) -> list[ItemRecord]:
        """New feed entries to triage, best matches first (`full=False`: without notes, links and readings)."""
        return self._reads.inbox(limit=limit, full=full)

    def feeds(self) -> list[FeedRecord]:
        return self._reads.feeds()

    def follow(
        self,
        url: str,
        *,
        name: str | None = None,
        match: str | Iterable[str] = (),
        tags: Iterable[str] = (),
        check: bool = True,
    ) -> Feed:
        """Follow an RSS or Atom feed (fetched once first with `check`); `match`: terms, or "a, b" text."""
        from readlist.services.feeds import add_feed

        terms = [t.strip() for t in (match.split(",") if isinstance(match, str) else match) if t.strip()]
        return add_feed(self._writer, url, name, terms, list(tags), check=check)

    def unfollow(self, ref: str) -> Feed:
        """Stop following a feed (name, URL or id); its items stay."""
        from readlist.services.feeds import remove_feed

        return remove_feed(self._writer, ref)

    def pull_feeds(self, *feeds: str) -> list[PullReport]:
        """Fetch followed feeds (all, or those named) into the inbox; a failing feed does not stop the others."""
        from readlist.services.feeds import pull

        return pull(self._writer, list(feeds) or None)
