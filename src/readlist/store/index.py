"""Keeps the search index in step with items, inside the caller's transaction: SQLite's FTS5 table, or on
PostgreSQL the tsvector table of migration 0008, built from the same normalised, CJK-split text.

The FTS table is contentless (it stores only the inverted index), which keeps the index under 1.5× the
text it covers. FTS5 can only forget a row of a contentless table when given the values it indexed, so
`search_index_doc` keeps them, zlib-compressed; snippets read the Chinese word boundaries from there too.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from readlist.location import Conn
from readlist.store.backends import backend_of
from readlist.text import CJK_RUN, TOKEN, WORD_SEP, expansions, nfkc, segment, unsegment

if TYPE_CHECKING:
    from readlist.forked import Helper
    from readlist.store.backends.base import Backend, Spelling

COLUMNS = ("title", "authors", "tags", "abstract", "notes", "text", "venue", "extra")
SNIPPET_COLUMNS = ("abstract", "notes", "text")  # never the title, authors or tags: the table shows those


def _rows_sql(sql: Spelling) -> str:
    """The columns an item's index entry is built from (tags and notes joined as the backend spells it)."""
    tags = sql.group_concat("t.name", "' ; '")
    notes = sql.group_concat("n.body", sql.newline)
    return f"""
SELECT i.id, i.title, i.short_name, i.authors, i.abstract, i.venue, i.affiliation, i.comment,
       (SELECT {tags} FROM itemtag it JOIN tag t ON t.id = it.tag_id WHERE it.item_id = i.id) AS tags,
       (SELECT {notes} FROM note n WHERE n.item_id = i.id) AS notes,
       (SELECT x.text FROM itemtext x WHERE x.item_id = i.id) AS text
FROM item i
"""


Known = Mapping[str, str]  # a run of CJK characters → the same run with its words marked (WORD_SEP)
# A marked run in indexed text: WORD_SEP, then words of CJK characters each followed by WORD_SEP.
_MARKED_RUN = f"{WORD_SEP}(?:(?:{CJK_RUN.pattern}){WORD_SEP})+"  # compiled on first use (wide ranges: slow)


def _with_expansions(text: str) -> str:
    extra = expansions(text)
    return f"{text} {extra}" if extra else text


def known_runs(values: Iterable[str]) -> dict[str, str]:
    """The CJK runs already cut into words in an item's indexed text (its `search_index_doc`), so re-indexing
    it after a change elsewhere (a tag, a status, an ASCII note) needs no segmenter: loading jieba's
    dictionary costs more than the whole of a `tag` command otherwise."""
    found: dict[str, str] = {}
    for value in values:
        if WORD_SEP in value:
            for m in re.finditer(_MARKED_RUN, value):
                found[unsegment(m.group(0))] = m.group(0)
    return found


def _segment(text: str, known: Known) -> str:
    """`segment(text)`, taking the words of CJK runs from `known` when every run of the text is there (a run's
    words depend on the run alone). Text around the runs has no CJK character, which `segment` handles
    without the segmenter."""
    if not known:
        return segment(text)
    normal = nfkc(text)
    runs = list(CJK_RUN.finditer(normal))
    if not runs or any(m.group(0) not in known for m in runs):
        return segment(text)
    pieces, at = [], 0
    for m in runs:
        pieces += [segment(normal[at : m.start()]), known[m.group(0)]]
        at = m.end()
    pieces.append(segment(normal[at:]))
    return "".join(pieces)


def index_values(row: Sequence[object], known: Known | None = None) -> tuple[str, ...]:
    """The indexed text of one item, column by column (see COLUMNS). Title and tags carry their other
    spellings inline, so a title match stays a title match; the long fields put theirs in `extra`.
    `known`: CJK runs already cut into words (see known_runs)."""
    _id, title, short_name, authors_json, abstract, venue, affiliation, comment, tags, notes, text = row
    words = known or {}
    authors = " ; ".join(a.get("name", "") for a in json.loads(str(authors_json or "[]")))
    title_text = f"{short_name} : {title}" if short_name and str(short_name) not in str(title) else str(title or "")
    venue_text = " ; ".join(str(v) for v in (venue, affiliation, comment) if v)
    a, ab, no, te, ve = (_segment(str(v or ""), words) for v in (authors, abstract, notes, text, venue_text))
    return (
        _segment(_with_expansions(title_text), words),
        a,
        _segment(_with_expansions(str(tags or "")), words),
        ab,
        no,
        te,
        ve,
        _extra(a, ab, no, te, ve),
    )


_FIELD_SEP = "\x1e"  # a control character: removed from text on the way in (segment), so never inside a value


def pack(values: Sequence[str]) -> bytes:
    """The indexed values without `extra`, which is recomputed from the long fields (pure regex)."""
    return zlib.compress(_FIELD_SEP.join(values[:-1]).encode("utf-8"), 9)


def unpack(blob: bytes) -> list[str]:
    values = _values(blob)
    return [*values, _extra(values[1], *values[3:7])]


def _values(blob: bytes) -> list[str]:
    """The stored values, every column but `extra`."""
    return zlib.decompress(blob).decode("utf-8").split(_FIELD_SEP)


def _extra(*long_fields: str) -> str:
    return " ".join(e for e in (expansions(f) for f in long_fields) if e)


_LATIN_MARKS = re.compile(r"(?<=[\u0000-\u024f])[\u0300-\u036f]+")


def pg_words(text: str) -> str:
    """Segmented text as PostgreSQL's parser should see it: the tokens FTS5's unicode61 finds (Chinese words
    already split by WORD_SEP), separated by spaces, Latin diacritics removed (remove_diacritics 2)."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", _LATIN_MARKS.sub("", unicodedata.normalize("NFD", text)))
    return " ".join(TOKEN.findall(text))


Prepared = list[tuple[int, Sequence[str], bytes]]  # (item id, values as the backend indexes them, doc blob)
CHUNK = 500  # items per query and per piece of work
HELPED = 2 * CHUNK  # from this many items on, a second process builds half the index text (see forked.py)


def _prepare(rows: Sequence[Sequence[object]], words: Any, known: Known | None = None) -> Prepared:
    """The pure (CPU-bound) part of indexing these rows: no database access, so a helper can do it."""
    prepared: Prepared = []
    for row in rows:
        values = index_values(row, known)
        prepared.append((int(str(row[0])), words(values), pack(values)))
    return prepared


def _as_is(values: Sequence[str]) -> Sequence[str]:
    return values


def _prepare_plain(rows: Sequence[Sequence[object]]) -> Prepared:
    """The index text of these rows before the backend's own word split (the shared helper's work)."""
    return _prepare(rows, _as_is)


_shared: list[Helper[Sequence[Sequence[object]], Prepared] | None] = []  # the import's helper (shared_helper)


@contextmanager
def shared_helper(fork: bool = True) -> Iterator[None]:
    """One helper for every transaction of a long import, forked now, while this process is small. Forked at
    each transaction instead, it copied the importing process as that grew (a fork a second), and its copy of
    every page counted again in the import's memory (170 MB more at 50 MB of notes). `fork=False`: none, and
    none forked per transaction either (the index text is built here: the other cores are busy reading)."""
    from readlist.forked import start

    helper = start(_prepare_plain) if fork else None
    if helper is not None or not fork:
        _shared.append(helper)
    try:
        yield
    finally:
        if helper is not None or not fork:
            _shared.pop()
        if helper is not None:
            helper.close()


def _index(conn: Conn, batches: Iterable[list[tuple[object, ...]]], helped: bool, known: Known | None = None) -> int:
    """Insert the index rows of these batches of item rows, built here and (when `helped`) in a helper."""
    backend = backend_of(conn)

    def prepare(rows: list[tuple[object, ...]]) -> Prepared:
        return _prepare(rows, backend.index_words, known)

    count = 0
    if not helped or (_shared and _shared[-1] is None):  # a few items (every daily write), or no helper wanted
        for rows in batches:
            count += _insert(conn, backend, prepare(rows))
        return count
    from readlist.forked import in_order, start

    shared = _shared[-1] if _shared else None
    if shared is not None and not known:
        return _index_shared(conn, backend, batches, shared)

    helper = start(prepare)
    try:
        for _rows, prepared in in_order(batches, prepare, helper, ahead=2):
            count += _insert(conn, backend, prepared)
    finally:
        if helper is not None:
            helper.close()
    return count


def _index_shared(
    conn: Conn, backend: Backend, batches: Iterable[list[tuple[object, ...]]], helper: Helper[Any, Prepared]
) -> int:
    """`_index` with the import's shared helper; the backend's word split is done here, as the rows come back."""
    from readlist.forked import in_order

    count, done = 0, False
    try:
        for _rows, prepared in in_order(batches, _prepare_plain, helper, ahead=2):
            count += _insert(conn, backend, [(i, backend.index_words(v), blob) for i, v, blob in prepared])
        done = True
    finally:
        if not done:  # stopped midway (an error, Ctrl-C): results may wait in the helper, so it is not used again
            helper.close()
    return count


def _insert(conn: Conn, backend: Backend, prepared: Prepared) -> int:
    backend.index_insert(conn, COLUMNS, [(item_id, values) for item_id, values, _ in prepared])
    conn.executemany(
        "INSERT INTO search_index_doc (item_id, body) VALUES (?, ?)", [(i, blob) for i, _, blob in prepared]
    )
    return len(prepared)


def _rows(conn: Conn, ids: list[int]) -> Iterator[list[tuple[object, ...]]]:
    """The item rows to index, a chunk at a time (plain tuples: they may cross to the helper)."""
    sql = _rows_sql(backend_of(conn).sql)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        yield [tuple(r) for r in conn.execute(f"{sql} WHERE i.id IN ({','.join('?' * len(chunk))})", chunk)]


def words_of(conn: Conn, ids: Sequence[int]) -> dict[str, str]:
    """The CJK runs the index entries of these items already cut into words (see known_runs)."""
    found: dict[str, str] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        rows = conn.execute(
            f"SELECT body FROM search_index_doc WHERE item_id IN ({','.join('?' * len(chunk))})", chunk
        ).fetchall()
        for (body,) in rows:
            found.update(known_runs(unpack(bytes(body))))
    return found


def refresh(conn: Conn, item_ids: Iterable[int], words: Known | None = None) -> None:
    """Re-index these items (deleted ones drop out). Runs in the caller's transaction. `words`: CJK runs cut
    into words elsewhere (a removed item's, brought back), used besides those of the items' own entries."""
    backend = backend_of(conn)
    ids = sorted(set(item_ids))
    helped = len(ids) >= HELPED
    # A run's words depend on the run alone, so the runs known from any entry serve every item. A big batch
    # loads the segmenter anyway (and its helper process could not share them).
    known = {} if helped else {**words_of(conn, ids), **(words or {})}
    for start in range(0, len(ids), CHUNK):
        backend.index_forget(conn, ids[start : start + CHUNK], COLUMNS, unpack)
    _index(conn, _rows(conn, ids), helped, known)


def rebuild(conn: Conn) -> int:
    """Rebuild the whole index from the item tables; returns the number of items indexed."""
    backend_of(conn).index_clear(conn)
    conn.execute("DELETE FROM search_index_doc")
    ids = [int(r[0]) for r in conn.execute("SELECT id FROM item ORDER BY id")]
    indexed = _index(conn, _rows(conn, ids), helped=len(ids) >= HELPED)
    compact(conn)
    return indexed


COMPACT_FROM = 1000  # index entries an import writes from which it merges the index after (see compact)


def compact(conn: Conn) -> None:
    """Merge the index into one piece after a bulk write (see the backend's index_compact)."""
    backend_of(conn).index_compact(conn)


def count(conn: Conn) -> int:
    return int(conn.execute("SELECT count(*) FROM search_index_doc").fetchone()[0])


def documents(conn: Conn, ids: list[int]) -> dict[int, dict[str, str]]:
    """The indexed (segmented) text of these items by column, for snippets."""
    id_list = backend_of(conn).sql.id_list
    rows = conn.execute(f"SELECT item_id, body FROM search_index_doc WHERE item_id IN ({id_list})", (json.dumps(ids),))
    # Without `extra` (the other spellings): snippets never show them, and recomputing them cost more than
    # the rest of a 1,000-row search.
    return {item_id: dict(zip(COLUMNS, _values(body), strict=False)) for item_id, body in rows}
