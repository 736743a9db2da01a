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
from collections.abc import Iterable, Iterator, Sequence

from readlist.location import Conn, dialect
from readlist.text import TOKEN, expansions, segment

COLUMNS = ("title", "authors", "tags", "abstract", "notes", "text", "venue", "extra")
SNIPPET_COLUMNS = ("abstract", "notes", "text")  # never the title, authors or tags: the table shows those

_ROWS_SQL = """
SELECT i.id, i.title, i.short_name, i.authors, i.abstract, i.venue, i.affiliation, i.comment,
       (SELECT group_concat(t.name, ' ; ') FROM itemtag it JOIN tag t ON t.id = it.tag_id
         WHERE it.item_id = i.id) AS tags,
       (SELECT group_concat(n.body, char(10)) FROM note n WHERE n.item_id = i.id) AS notes,
       (SELECT x.text FROM itemtext x WHERE x.item_id = i.id) AS text
FROM item i
"""
_INSERT = f"INSERT INTO search_index (rowid, {', '.join(COLUMNS)}) VALUES (?{', ?' * len(COLUMNS)})"
_DELETE = (
    f"INSERT INTO search_index (search_index, rowid, {', '.join(COLUMNS)}) VALUES ('delete', ?{', ?' * len(COLUMNS)})"
)


def _with_expansions(text: str) -> str:
    extra = expansions(text)
    return f"{text} {extra}" if extra else text


def index_values(row: Sequence[object]) -> tuple[str, ...]:
    """The indexed text of one item, column by column (see COLUMNS). Title and tags carry their other
    spellings inline, so a title match stays a title match; the long fields put theirs in `extra`."""
    _id, title, short_name, authors_json, abstract, venue, affiliation, comment, tags, notes, text = row
    authors = " ; ".join(a.get("name", "") for a in json.loads(str(authors_json or "[]")))
    title_text = f"{short_name} : {title}" if short_name and str(short_name) not in str(title) else str(title or "")
    venue_text = " ; ".join(str(v) for v in (venue, affiliation, comment) if v)
    a, ab, no, te, ve = (segment(str(v or "")) for v in (authors, abstract, notes, text, venue_text))
    return (
        segment(_with_expansions(title_text)),
        a,
        segment(_with_expansions(str(tags or ""))),
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
    values = zlib.decompress(blob).decode("utf-8").split(_FIELD_SEP)
    return [*values, _extra(values[1], *values[3:7])]


def _extra(*long_fields: str) -> str:
    return " ".join(e for e in (expansions(f) for f in long_fields) if e)


_TO_VECTOR = ", to_tsvector('readlist', ?)"
_PG_INSERT = (
    "INSERT INTO search_index (item_id, " + ", ".join(f'"{c}"' for c in COLUMNS) + ") "
    "VALUES (?" + _TO_VECTOR * len(COLUMNS) + ")"
)
_LATIN_MARKS = re.compile(r"(?<=[\u0000-\u024f])[\u0300-\u036f]+")


def pg_words(text: str) -> str:
    """Segmented text as PostgreSQL's parser should see it: the tokens FTS5's unicode61 finds (Chinese words
    already split by WORD_SEP), separated by spaces, Latin diacritics removed (remove_diacritics 2)."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", _LATIN_MARKS.sub("", unicodedata.normalize("NFD", text)))
    return " ".join(TOKEN.findall(text))


def _forget(conn: Conn, ids: list[int]) -> None:
    marks = ",".join("?" * len(ids))
    if dialect(conn) == "postgresql":
        conn.execute(f"DELETE FROM search_index WHERE item_id IN ({marks})", ids)
        conn.execute(f"DELETE FROM search_index_doc WHERE item_id IN ({marks})", ids)
        return
    marks = ",".join("?" * len(ids))
    old = conn.execute(f"SELECT item_id, body FROM search_index_doc WHERE item_id IN ({marks})", ids).fetchall()
    conn.executemany(_DELETE, [(item_id, *unpack(body)) for item_id, body in old])
    conn.execute(f"DELETE FROM search_index_doc WHERE item_id IN ({marks})", ids)


Prepared = list[tuple[int, Sequence[str], bytes]]  # (item id, values as the backend indexes them, doc blob)
CHUNK = 500  # items per query and per piece of work
HELPED = 2 * CHUNK  # from this many items on, a second process builds half the index text (see forked.py)


def _prepare(rows: Sequence[Sequence[object]], pg: bool) -> Prepared:
    """The pure (CPU-bound) part of indexing these rows: no database access, so a helper can do it."""
    prepared: Prepared = []
    for row in rows:
        values = index_values(row)
        indexed = [pg_words(v) for v in values] if pg else values
        prepared.append((int(str(row[0])), indexed, pack(values)))
    return prepared


def _index(conn: Conn, batches: Iterable[list[tuple[object, ...]]], helped: bool) -> int:
    """Insert the index rows of these batches of item rows, built here and (when `helped`) in a helper."""
    from readlist.forked import in_order, start

    pg = dialect(conn) == "postgresql"
    insert = _PG_INSERT if pg else _INSERT

    def prepare(rows: list[tuple[object, ...]]) -> Prepared:
        return _prepare(rows, pg)

    helper = start(prepare) if helped else None
    count = 0
    try:
        for _rows, prepared in in_order(batches, prepare, helper, ahead=2):
            conn.executemany(insert, [(item_id, *values) for item_id, values, _ in prepared])
            conn.executemany(
                "INSERT INTO search_index_doc (item_id, body) VALUES (?, ?)", [(i, blob) for i, _, blob in prepared]
            )
            count += len(prepared)
    finally:
        if helper is not None:
            helper.close()
    return count


def _rows(conn: Conn, ids: list[int]) -> Iterator[list[tuple[object, ...]]]:
    """The item rows to index, a chunk at a time (plain tuples: they may cross to the helper)."""
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        yield [tuple(r) for r in conn.execute(f"{_ROWS_SQL} WHERE i.id IN ({','.join('?' * len(chunk))})", chunk)]


def refresh(conn: Conn, item_ids: Iterable[int]) -> None:
    """Re-index these items (deleted ones drop out). Runs in the caller's transaction."""
    ids = sorted(set(item_ids))
    for start in range(0, len(ids), CHUNK):
        _forget(conn, ids[start : start + CHUNK])
    _index(conn, _rows(conn, ids), helped=len(ids) >= HELPED)


def rebuild(conn: Conn) -> int:
    """Rebuild the whole index from the item tables; returns the number of items indexed."""
    if dialect(conn) == "postgresql":
        conn.execute("DELETE FROM search_index")
    else:
        conn.execute("INSERT INTO search_index (search_index) VALUES ('delete-all')")
    conn.execute("DELETE FROM search_index_doc")
    ids = [int(r[0]) for r in conn.execute("SELECT id FROM item ORDER BY id")]
    return _index(conn, _rows(conn, ids), helped=len(ids) >= HELPED)


def count(conn: Conn) -> int:
    return int(conn.execute("SELECT count(*) FROM search_index_doc").fetchone()[0])


def documents(conn: Conn, ids: list[int]) -> dict[int, dict[str, str]]:
    """The indexed (segmented) text of these items by column, for snippets."""
    rows = conn.execute(
        "SELECT item_id, body FROM search_index_doc WHERE item_id IN (SELECT value FROM json_each(?))",
        (json.dumps(ids),),
    )
    return {item_id: dict(zip(COLUMNS, unpack(body), strict=True)) for item_id, body in rows}
