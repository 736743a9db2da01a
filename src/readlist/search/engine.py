"""Runs a parsed query against the FTS5 index (BM25, title weighted highest), with a fuzzy fallback."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from readlist.library.read import ItemFilter, list_items
from readlist.search.query import Query, parse
from readlist.search.text import nfkc, strip_separators

# BM25 weights per column: title, authors, tags, abstract, notes, venue.
WEIGHTS = (30.0, 3.0, 5.0, 1.5, 0.5, 0.5)
HIT_START, HIT_END = "\x02", "\x03"  # snippet markers; rendered bold, or «» in JSON
FUZZY_BELOW = 3  # fewer FTS hits than this → also propose close matches
FUZZY_CUTOFF = 80
TITLE_SCAN_MAX = 20_000  # scanning every title is ~5 ms per 1,000 items: only for libraries up to this size


@dataclass
class SearchResult:
    items: list[dict[str, Any]] = field(default_factory=list)
    fuzzy: bool = False  # the items are close matches, not matches
    query: Query | None = None


def _filters(query: Query, tag: str | None, status: list[str] | None, kind: str | None) -> tuple[str, list[Any]]:
    clauses, params = [], []
    statuses = list(status or []) + query.status
    if statuses:
        clauses.append(f"i.status IN ({','.join('?' * len(statuses))})")
        params += statuses
    kinds = ([kind] if kind else []) + query.kinds
    if kinds:
        clauses.append(f"i.kind IN ({','.join('?' * len(kinds))})")
        params += kinds
    if query.years:
        clauses.append(
            "(" + " OR ".join("substr(coalesce(i.published, i.added_at), 1, 4) = ?" for _ in query.years) + ")"
        )
        params += query.years
    if tag:
        where, tag_params = ItemFilter(tag=tag).sql()
        clauses.append(where.removeprefix(" WHERE "))
        params += tag_params
    return "".join(f" AND {c}" for c in clauses), params


def search(
    conn: sqlite3.Connection,
    text: str,
    *,
    tag: str | None = None,
    status: list[str] | None = None,
    kind: str | None = None,
    limit: int = 20,
    fuzzy: bool = True,
) -> SearchResult:
    query = parse(text)
    extra, params = _filters(query, tag, status, kind)
    if query.match is None:
        sql = f"SELECT i.id, 0.0 AS score, '' AS snippet FROM item i WHERE 1 = 1{extra} ORDER BY i.id LIMIT ?"
        rows = conn.execute(sql, [*params, limit]).fetchall()
    else:
        rows = _ranked(conn, query.match, extra, params, limit)
    result = SearchResult(_hydrate(conn, rows), query=query)
    if fuzzy and len(result.items) < FUZZY_BELOW and query.words:
        seen = {it["id"] for it in result.items}
        close = _corrected(conn, query, extra, params, limit, seen)
        if not close and conn.execute("SELECT count(*) FROM item").fetchone()[0] <= TITLE_SCAN_MAX:
            close = _close_titles(conn, " ".join(query.words), limit, seen)
        for item in close:
            item["fuzzy"] = True
        result.fuzzy = bool(close) and not result.items
        result.items += close
    return result


def _edits(word: str) -> list[str]:
    """Spellings one edit away, likeliest kinds of typo first (swapped, missing, extra, wrong letter)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    inserts = [a + c + b for a, b in splits for c in letters]
    deletes = [a + b[1:] for a, b in splits if b]
    replaces = [a + c + b[1:] for a, b in splits if b for c in letters if c != b[0]]
    return list(dict.fromkeys(swaps + inserts + deletes + replaces))


def _known(conn: sqlite3.Connection, word: str) -> bool:
    row = conn.execute("SELECT 1 FROM search_index WHERE search_index MATCH ? LIMIT 1", ('"' + word + '"',))
    return row.fetchone() is not None


def _corrected(
    conn: sqlite3.Connection, query: Query, extra: str, params: list[Any], limit: int, seen: set[int]
) -> list[dict[str, Any]]:
    """Typos: replace each unknown word by a known spelling one edit away, and search again.

    Each candidate is checked with a one-row MATCH, which stays fast at any library size (scanning the
    index vocabulary costs ~1 s at 100,000 items)."""
    fixed, changed = [], False
    for word in query.words:
        low = nfkc(word).casefold()
        if not low.isascii() or not low.isalpha() or len(low) < 4 or _known(conn, low):
            fixed.append(word)
            continue
        found = next((c for c in _edits(low) if _known(conn, c)), None)
        fixed.append(found or word)
        changed = changed or found is not None
    if not changed:
        return []
    corrected = parse(" ".join(fixed))
    if corrected.match is None:
        return []
    rows = [r for r in _ranked(conn, corrected.match, extra, params, limit) if r[0] not in seen]
    return _hydrate(conn, rows)


def _ranked(conn: sqlite3.Connection, match: str, extra: str, params: list[Any], limit: int) -> list[Any]:
    """Rank first, then make snippets for the page only: SQLite would otherwise build a snippet for every
    matching row before sorting (measured: 240 ms → see benchmarks/search.py at 100k items)."""
    weights = ", ".join(str(w) for w in WEIGHTS)
    restrict = f" AND rowid IN (SELECT i.id FROM item i WHERE 1 = 1{extra})" if extra else ""
    ranked = conn.execute(
        f"SELECT rowid, bm25(search_index, {weights}) AS score FROM search_index "
        f"WHERE search_index MATCH ?{restrict} ORDER BY score LIMIT ?",
        [match, *params, limit],
    ).fetchall()
    if not ranked:
        return []
    snippets = dict(
        conn.execute(
            f"SELECT rowid, snippet(search_index, -1, '{HIT_START}', '{HIT_END}', '…', 14) FROM search_index "
            "WHERE search_index MATCH ? AND rowid IN (SELECT value FROM json_each(?))",
            [match, json.dumps([r[0] for r in ranked])],
        ).fetchall()
    )
    return [(rowid, score, snippets.get(rowid, "")) for rowid, score in ranked]


def _hydrate(conn: sqlite3.Connection, rows: list[Any]) -> list[dict[str, Any]]:
    if not rows:
        return []
    ids = [r[0] for r in rows]
    by_id = {it["id"]: it for it in list_items(conn, ItemFilter(ids=ids), full=False)}
    items = []
    for item_id, score, snippet in rows:
        item: dict[str, Any] = dict(by_id[item_id])
        item["score"] = round(-float(score), 4)
        item["snippet"] = strip_separators(snippet or "").strip()
        items.append(item)
    return items


def _close_titles(conn: sqlite3.Connection, text: str, limit: int, exclude: set[int]) -> list[dict[str, Any]]:
    """Typos the vocabulary cannot fix (joined or split words): rapidfuzz over titles, short names and tags."""
    from rapidfuzz import fuzz, process, utils

    needle = nfkc(text).casefold()
    choices: dict[int, str] = {}
    for item_id, title, short_name, tags in conn.execute(
        "SELECT i.id, i.title, coalesce(i.short_name, ''), "
        "(SELECT group_concat(t.name, ' ') FROM itemtag it JOIN tag t ON t.id = it.tag_id WHERE it.item_id = i.id) "
        "FROM item i"
    ):
        if item_id not in exclude:
            choices[item_id] = f"{short_name} {title} {tags or ''}"
    found = process.extract(
        needle,
        choices,
        scorer=fuzz.partial_ratio,
        processor=utils.default_process,
        limit=limit,
        score_cutoff=FUZZY_CUTOFF,
    )
    rows = [(item_id, -score / 100, "") for _, score, item_id in found]
    return _hydrate(conn, rows)
