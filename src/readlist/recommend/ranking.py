"""Ranking with the model: the inbox by fit to the library, items like one item, items that fit a tag, tags
that fit an item. Each answer carries its scores, a *why* per item and how it was reached."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from readlist.domain import Status, tag_slug
from readlist.recommend.explanations import why
from readlist.recommend.features import tag_feature
from readlist.recommend.training import MIN_POSITIVES, Space, contrast_fit, learned_fit

LIBRARY = (Status.UNREAD, Status.READING, Status.READ)  # what the person chose to keep: the positives


@dataclass
class Scored:
    """One ranked item: its id, score and the strongest shared terms."""

    id: int
    score: float
    why: list[str]


@dataclass
class Ranked:
    """A ranking and how it was made: `learned` (a classifier), `similar` (too few examples) or `date`."""

    items: list[Scored] = field(default_factory=list)
    method: str = "learned"
    examples: int = 0


def _positives_of_library(space: Space) -> list[int]:
    return [n for n, r in enumerate(space.rows) if r.status in LIBRARY or (r.rating and r.status != Status.SKIPPED)]


def rank_inbox(space: Space, limit: int | None = None) -> Ranked:
    """Inbox entries by fit to the library: nearer to kept, read and reading items than to skipped ones (with
    few skipped, against the library's background or the inbox); with no library yet, newest first."""
    inbox = [n for n, r in enumerate(space.rows) if r.status == Status.INBOX]
    positives = _positives_of_library(space)
    if not positives:
        order = sorted(inbox, key=lambda n: (space.rows[n].date, space.rows[n].id), reverse=True)
        return Ranked([Scored(space.rows[n].id, 0.0, []) for n in order[:limit]], "date", 0)
    # Against what was skipped and the library's background, never the other inbox entries: two new papers on
    # the reader's main topic must not pull each other down.
    taken = set(positives)
    negatives = [n for n, r in enumerate(space.rows) if r.status != Status.INBOX and n not in taken]
    if len(positives) >= MIN_POSITIVES and len(negatives) >= MIN_POSITIVES:
        fit = contrast_fit(space, positives, inbox, negatives)
    else:  # too few skipped to contrast with: the kept items' centroid against what there is
        fit = learned_fit(space, positives, inbox, negatives or inbox, fast=True)
    method = "learned" if fit.learned else "similar"
    return _ranked(space, fit.scores, fit.weights, inbox, limit, method, positives, everything=True)


def similar(space: Space, item_id: int, candidates: Sequence[int] | None = None, limit: int = 10) -> Ranked:
    """Items most like one item (cosine of their TF-IDF rows); the *why* is the terms they share most."""
    import numpy as np

    me = space.index[item_id]
    sims = space.similarities(me)
    sims[me] = 0
    if candidates is not None:
        allowed = np.zeros(len(space.rows), dtype=bool)
        allowed[list(candidates)] = True
        sims[~allowed] = 0
    order = np.argsort(-sims, kind="stable")[:limit]
    pool = [int(n) for n in order if sims[n] > 0]
    mine = np.zeros(len(space.terms), dtype=np.float32)
    ids, weights = space.row(me)
    mine[ids] = weights
    items = [Scored(space.rows[n].id, float(sims[n]), _why(space, n, mine)) for n in pool]
    return Ranked(items, "similar", 1)


def suggest_for_tag(space: Space, tag: str, limit: int = 10) -> Ranked:
    """Items without the tag that look like its members, best first (the tag's own feature is masked, or the
    model would learn only that members have it)."""
    slug = tag_slug(tag)
    members = [n for n, r in enumerate(space.rows) if any(tag_slug(t) == slug for t in r.tags)]
    if not members:
        return Ranked([], "similar", 0)
    member_set = set(members)
    others = [n for n in range(len(space.rows)) if n not in member_set]
    mask = [space.terms.index(tag_feature(tag))] if tag_feature(tag) in space.terms else []
    fit = learned_fit(space, members, others, mask=mask)
    return _ranked(space, fit.scores, fit.weights, others, limit, "learned" if fit.learned else "similar", members)


def tags_for_item(space: Space, item_id: int, limit: int = 5) -> list[tuple[str, float, list[str]]]:
    """The existing tags an item fits, by similarity of the item to each tag's members (its own tags left out)."""
    import numpy as np

    me = space.index[item_id]
    mine = {tag_slug(t) for t in space.rows[me].tags}
    members: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    for n, r in enumerate(space.rows):
        for t in r.tags:
            key = tag_slug(t)
            names.setdefault(key, t)
            if n != me:
                members.setdefault(key, []).append(n)
    sims = space.similarities(me)
    out: list[tuple[str, float, list[str]]] = []
    for key, rows in members.items():
        if key in mine:
            continue
        top = np.sort(sims[rows])[::-1][: min(3, len(rows))]
        score = float(top.mean())
        if score > 0:
            out.append((names[key], score, []))
    out.sort(key=lambda t: (-t[1], t[0]))
    ids, weights = space.row(me)
    result = []
    for name, score, _ in out[:limit]:
        rows = members[tag_slug(name)]
        centroid = space.sums_over(rows, ids) / len(rows)  # the members' mean weight at this item's terms
        result.append((name, score, why(ids, weights * centroid, space.terms)))
    return result


def _ranked(
    space: Space,
    scores: Any,
    weights: Any,
    pool: Sequence[int],
    limit: int | None,
    method: str,
    positives: Sequence[int],
    *,
    everything: bool = False,
) -> Ranked:
    """`everything`: every entry of the pool, the unmatched last (the inbox is a list to triage: none is hidden)."""
    import numpy as np

    score_of = dict(zip(pool, scores, strict=True))
    if method == "similar" and not everything:  # similarity 0: shares no term with any example, nothing to show
        pool = [n for n in pool if score_of[n] > 0]
    order = sorted(pool, key=lambda n: (-score_of[n], -_day(space.rows[n].date), space.rows[n].id))
    w = np.asarray(weights, dtype=np.float32)
    items = [Scored(space.rows[n].id, float(score_of[n]), _why(space, n, w)) for n in order[:limit]]
    return Ranked(items, method, len(positives))


def _why(space: Space, n: int, weights: Any) -> list[str]:
    """Row n's why under per-term `weights` (a model's, or another item's row)."""
    ids, data = space.row(n)
    return why(ids, data * weights[ids], space.terms)


def _day(date: str) -> int:
    digits = "".join(ch for ch in date[:10] if ch.isdigit())
    return int(digits) if digits else 0


__all__ = ["MIN_POSITIVES", "Ranked", "Scored", "rank_inbox", "similar", "suggest_for_tag"]
