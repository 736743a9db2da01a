"""The recommendation use cases of a `Library`: the inbox ranked by a model of the library, items like one
item, items that fit a tag and tags that fit an item (docs/recommend.md). scikit-learn is loaded only here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from readlist.api.base import Door
from readlist.domain import Status
from readlist.errors import InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from readlist.api.reports import RankedItem, Ranking, TagFit
    from readlist.recommend.ranking import Ranked
    from readlist.recommend.training import Space


class Recommending(Door):
    def _space(self) -> Space:
        """The model's space; each item's term counts come from the library's cache (only new or edited items
        are tokenised) and go back to it when they changed, for every process and machine reading the library."""
        from readlist.recommend.termcounts import CACHE_NAME
        from readlist.recommend.training import library_space
        from readlist.store import termcache

        space, changed = library_space(self._conn, termcache.load(self._conn, CACHE_NAME))
        if changed is not None:
            try:
                with self._writer.transaction() as tx:
                    termcache.save(tx.conn, CACHE_NAME, changed)
            except Exception:  # noqa: BLE001 — a read-only file or a role without the grant: only speed is lost
                pass
        return space

    def ranked_inbox(self, *, limit: int | None = None, full: bool = True) -> Ranking:
        """Inbox entries best first by a model of what this person keeps and reads (`inbox --by date`: `inbox`)."""
        from readlist.api.reports import Ranking, RankMethod
        from readlist.recommend.ranking import rank_inbox

        if not self._reads.inbox(limit=1, full=False):  # nothing to rank: no model, no NumPy
            return Ranking([], RankMethod.DATE, 0)
        ranking = self._records(rank_inbox(self._space(), limit), full=full)
        if ranking.method == RankMethod.DATE:  # nothing to learn from yet: the feeds' own order
            items = [{**item, "score": 0.0, "why": []} for item in self._reads.inbox(limit=limit, full=full)]
            return Ranking(items, RankMethod.DATE, 0)  # type: ignore[arg-type]
        return ranking

    def similar(self, ref: str | int, *, inbox: bool = False, limit: int = 10, full: bool = True) -> Ranking:
        """The items (library and inbox; `inbox`: the inbox only) most like one item."""
        from readlist.recommend.ranking import similar
        from readlist.store.read import find_item_id

        item_id = find_item_id(self._conn, str(ref))
        space = self._space()
        pool = [n for n, r in enumerate(space.rows) if r.status == Status.INBOX] if inbox else None
        return self._records(similar(space, item_id, pool, limit), full=full)

    def suggest_tag(self, tag: str, *, limit: int = 10, full: bool = True) -> Ranking:
        """Items not yet tagged `tag` that look like its members, best first."""
        from readlist.recommend.ranking import suggest_for_tag
        from readlist.store.read import tag_suggestion

        if not tag.strip():
            raise InvalidInputError("no tag given", "readlist suggest --tag NAME (see: readlist tags)")
        missing, close = tag_suggestion(self._conn, tag)
        if missing:
            hint = f'did you mean "{close}"?' if close else "see: readlist tags"
            raise NotFoundError(f'no tag "{tag}"', hint)
        return self._records(suggest_for_tag(self._space(), tag, limit), full=full)

    def suggest_tags(self, ref: str | int, *, limit: int = 5) -> list[TagFit]:
        """The existing tags that fit one item (its own left out), best first."""
        from readlist.api.reports import TagFit
        from readlist.recommend.ranking import tags_for_item
        from readlist.store.read import find_item_id

        item_id = find_item_id(self._conn, str(ref))
        return [TagFit(name, round(score, 4), why) for name, score, why in tags_for_item(self._space(), item_id, limit)]

    def _records(self, ranked: Ranked, *, full: bool) -> Ranking:
        from readlist.api.reports import Ranking, RankMethod
        from readlist.store.read import ItemFilter

        ids = [s.id for s in ranked.items]
        found = {r["id"]: r for r in self._reads.list_items(ItemFilter(ids=ids), full=full)} if ids else {}
        items: list[RankedItem] = []
        for s in ranked.items:
            if s.id in found:
                items.append({**found[s.id], "score": round(s.score, 4), "why": s.why})
        return Ranking(items, RankMethod(ranked.method), ranked.examples)
