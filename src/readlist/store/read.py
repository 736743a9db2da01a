"""The read side: plain SQL on a backend's DB-API connection (sqlite3, psycopg), returning plain dicts.

Every function takes a connection and returns data. The SQL is written once for both backends; the one fragment
they spell differently (a list of ids passed as one JSON parameter) comes from the connection's backend.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from readlist.domain import Kind, LinkRole, MetadataStatus, Status, tag_slug
from readlist.location import Conn
from readlist.store.backends import backend_of
from readlist.store.backends.base import Connection, Spelling
from readlist.store.provenance import setters, user_fields

if TYPE_CHECKING:  # records only name types here: a read need not load them (start-up time)
    from readlist.store.records import (
        FeedRecord,
        ItemRecord,
        LibraryStats,
        MemberStats,
        Overview,
        TagCount,
        TrashRecord,
    )

ITEM_COLUMNS = (
    "id, kind, key, arxiv_id, arxiv_version, url, title, short_name, authors, abstract, published, updated, "
    "venue, doi, comment, affiliation, primary_category, categories, status, priority, rating, added_at, "
    "started_at, finished_at, metadata_status, metadata_fetched_at, inbox_score, citation_key, year, work_type, site, "
    "details, added_by, provenance"
)
TODO_ORDER = f"CASE i.status WHEN '{Status.READING}' THEN 0 ELSE 1 END, i.priority DESC, i.added_at, i.id"


Tags = str | Sequence[str] | None  # a tag, or several (items with every one)


def tag_list(tag: Tags) -> list[str]:
    """The tags a filter names, empty ones left out."""
    return [t for t in ([tag] if isinstance(tag, str) else tag or []) if t]


@dataclass
class ItemFilter:
    status: list[str] | None = None
    tag: Tags = None
    kind: str | None = None
    since: str | None = None  # ISO timestamp: added (or finished) on or after
    ids: list[int] | None = None
    read_since: str | None = None  # finished (by this member) on or after
    anyone_since: str | None = None  # added, or started or finished by any member, on or after (team digest)
    after_id: int | None = None  # a page that starts after this id (keyset paging by id)
    after_key: str | None = None  # a page that starts after this key (keyset paging by key)

    def sql(self, spelling: Spelling) -> tuple[str, list[Any]]:
        """The WHERE clause on `member_item i` and its parameters, in the backend's spelling."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.status:
            clauses.append(f"i.status IN ({','.join('?' * len(self.status))})")
            params += self.status
        if self.kind:
            clauses.append("i.kind = ?")
            params.append(self.kind)
        for tag in tag_list(self.tag):
            clauses.append(
                "i.id IN (SELECT it.item_id FROM itemtag it JOIN tag t ON t.id = it.tag_id WHERE t.slug = ?)"
            )
            params.append(tag_slug(tag))
        if self.since:
            clauses.append("(i.added_at >= ? OR i.finished_at >= ? OR i.started_at >= ?)")
            params += [self.since] * 3
        if self.ids is not None:
            clauses.append(f"i.id IN ({spelling.id_list})")
            params.append(json.dumps(self.ids))
        if self.read_since:
            clauses.append("i.finished_at >= ?")
            params.append(self.read_since)
        if self.anyone_since:
            clauses.append(
                "(i.added_at >= ? OR EXISTS (SELECT 1 FROM reading r WHERE r.item_id = i.id "
                "AND (r.finished_at >= ? OR r.started_at >= ?)))"
            )
            params += [self.anyone_since] * 3
        if self.after_id is not None:
            clauses.append("i.id > ?")
            params.append(self.after_id)
        if self.after_key is not None:
            clauses.append("i.key > ?")
            params.append(self.after_key)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def list_items(
    conn: Conn,
    flt: ItemFilter | None = None,
    *,
    order: str = "i.id",
    limit: int | None = None,
    full: bool = True,
    offset: int = 0,
    indexed: bool = False,
) -> list[ItemRecord]:
    """Items in `order`; `limit` and `offset` take one page of them (the web view's pages). `indexed`: the
    order is a unique index's (id, key), so a page is read straight from it (keyset pages, store/stream.py)."""
    where, params = (flt or ItemFilter()).sql(backend_of(conn).sql)
    cols = ", ".join(f"i.{c.strip()}" for c in ITEM_COLUMNS.split(","))
    sql = f"SELECT {cols} FROM member_item i{where} ORDER BY {order}"
    if limit is not None and indexed:
        # Not the ids first: PostgreSQL joined that list of ids back to a scan of every item (a page of a 100k
        # library read all 100k rows), while the index walk stops after `limit` rows on both backends.
        sql += " LIMIT ? OFFSET ?"
        params += [limit, offset]
    elif limit is not None:
        # Ids first: sorting whole rows read every matching item's abstract and all to show one page (todo read
        # 10,000 rows to show 20); the page's ids come from the narrow columns, then only its rows are read.
        page = f"SELECT i.id FROM member_item i{where} ORDER BY {order} LIMIT ? OFFSET ?"
        sql = f"SELECT {cols} FROM member_item i WHERE i.id IN (SELECT id FROM ({page}) page) ORDER BY {order}"
        params += [limit, offset]
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    items = [_item_dict(dict(zip(names, r, strict=True))) for r in cursor.fetchall()]
    _attach_related(conn, items, full=full)
    return cast("list[ItemRecord]", items)  # the columns and related lists above are exactly ItemRecord's keys


def todo(conn: Conn, *, tag: Tags = None, limit: int | None = 20, full: bool = False) -> list[ItemRecord]:
    """The unread queue: reading first, then priority, then oldest added (`full`: with notes and readings)."""
    return list_items(
        conn, ItemFilter(status=[Status.READING, Status.UNREAD], tag=tag), order=TODO_ORDER, limit=limit, full=full
    )


def inbox(conn: Conn, *, limit: int | None = None, full: bool = False) -> list[ItemRecord]:
    """New feed entries waiting for triage: best matches first, then newest."""
    return list_items(
        conn,
        ItemFilter(status=[Status.INBOX]),
        limit=limit,
        full=full,
        order="coalesce(i.inbox_score, 0) DESC, coalesce(i.published, i.added_at) DESC, i.id",
    )


def feeds(conn: Conn) -> list[FeedRecord]:
    rows = conn.execute(
        "SELECT id, name, url, match, tags, last_pulled, last_error, etag, last_modified FROM feed ORDER BY name"
    ).fetchall()
    return [
        cast("FeedRecord", {**dict(r), "match": json.loads(r["match"]), "tags": json.loads(r["tags"])}) for r in rows
    ]


def count_todo(conn: Conn, *, tag: Tags = None) -> int:
    where, params = ItemFilter(status=[Status.READING, Status.UNREAD], tag=tag).sql(backend_of(conn).sql)
    return int(conn.execute(f"SELECT count(*) FROM member_item i{where}", params).fetchone()[0])


# How each kind of reference is looked up, most exact first (a DOI also finds the arXiv paper that has it, and
# an arXiv ID the published version it was folded into).
LOOKUPS = {
    "id": ("SELECT id FROM item WHERE id = ?",),
    "key": (
        "SELECT id FROM item WHERE key = ?",
        "SELECT id FROM item WHERE 'doi:' || lower(doi) = ? LIMIT 1",
        "SELECT id FROM item WHERE 'arxiv:' || arxiv_id = ? LIMIT 1",
        # A key it was known by before: its URL was edited, or it was folded into this item.
        "SELECT i.id FROM keyalias a JOIN item i ON i.key = a.item_key WHERE a.key = ? LIMIT 1",
    ),
    "citation": (
        "SELECT id FROM item WHERE citation_key = ?",
        "SELECT id FROM item WHERE lower(citation_key) = lower(?) ORDER BY id LIMIT 1",  # ASCII case, as NOCASE
    ),
}


def find_item_id(conn: Conn, ref: str) -> int:
    from readlist.ids import parse_item_ref  # only when an item is named (start-up time)

    how, value = parse_item_ref(ref)
    for sql in LOOKUPS[how]:
        row = conn.execute(sql, (value,)).fetchone()
        if row is not None:
            return int(row[0])
    from readlist.store.trashref import not_found  # only when nothing was found

    raise not_found(conn, ref)


def get_item(conn: Conn, ref: str) -> ItemRecord:
    item_id = find_item_id(conn, ref)
    return list_items(conn, ItemFilter(ids=[item_id]))[0]


def item_text(conn: Conn, ref: str) -> tuple[ItemRecord, str | None]:
    """An item and the main text kept for it (None when nothing was kept)."""
    item = get_item(conn, ref)
    row = conn.execute("SELECT text FROM itemtext WHERE item_id = ?", (item["id"],)).fetchone()
    return item, (row[0] if row else None)


def tag_counts(conn: Conn) -> list[TagCount]:
    # Counted on the itemtag index alone, then joined to the (few) tags: joining first looked up every link.
    rows = conn.execute(
        "SELECT t.name, c.n FROM (SELECT tag_id, count(*) AS n FROM itemtag GROUP BY tag_id) c "
        "JOIN tag t ON t.id = c.tag_id ORDER BY c.n DESC, t.name"
    ).fetchall()
    return [{"tag": r[0], "count": r[1]} for r in rows]


def tag_suggestion(conn: Conn, name: str) -> tuple[bool, str | None]:
    """(the tag is missing, the closest existing tag name) — for "no tag "cuda" (did you mean …)"."""
    import difflib

    names = [r[0] for r in conn.execute("SELECT name FROM tag")]
    slug = tag_slug(name)
    if any(tag_slug(n) == slug for n in names):
        return False, None
    by_fold = {n.casefold(): n for n in names}
    close = difflib.get_close_matches(name.casefold(), list(by_fold), n=1, cutoff=0.6)
    if not close:
        close = [f for f in by_fold if slug and (slug in f or f in slug)][:1]
    return True, (by_fold[close[0]] if close else None)


_KINDS = {k.value: k for k in Kind}
_STATUSES = {s.value: s for s in Status}
_METADATA = {m.value: m for m in MetadataStatus}


def _json(text: object, empty: Any) -> Any:
    """A JSON column; the empty values most rows hold are not parsed (10k rows of `list` parsed 40k of them)."""
    if text is None or text == "" or text == "[]" or text == "{}":
        return empty
    return json.loads(text) if isinstance(text, str) else text


def _item_dict(item: dict[str, Any]) -> dict[str, object]:
    people = _json(item.pop("authors"), ())
    item["authors"] = [p.get("name", "") for p in people]
    item["author_affiliations"] = [p.get("affiliation") for p in people]
    item["kind"] = _KINDS[item["kind"]]
    item["status"] = _STATUSES[item["status"]]
    item["metadata_status"] = _METADATA[item["metadata_status"]]
    item["categories"] = _json(item["categories"], None) or []
    item["details"] = _json(item["details"], None) or {}
    item["user_fields"] = user_fields(_json(item.pop("provenance"), None))
    return item


def tags_of(conn: Conn, ids: list[int]) -> dict[int, list[str]]:
    """item id → its tag names, in tag order (one query for many items; items with no tag are left out)."""
    found: dict[int, list[str]] = defaultdict(list)
    for item_id, name in conn.execute(
        "SELECT it.item_id, t.name FROM itemtag it JOIN tag t ON t.id = it.tag_id "
        f"WHERE it.item_id IN ({backend_of(conn).sql.id_list}) ORDER BY t.slug",
        (json.dumps(ids),),
    ):
        found[item_id].append(name)
    return found


def _attach_related(conn: Conn, items: list[dict[str, object]], *, full: bool) -> None:
    """Tags, notes, links and sources for many items in four queries, not four per item."""
    if not items:
        return
    ids = json.dumps([it["id"] for it in items])
    in_ids = f"IN ({backend_of(conn).sql.id_list})"
    names = ("tags", "notes", "links", "sources", "attachments", "readings")
    related: dict[str, dict[int, list[Any]]] = {k: defaultdict(list) for k in names}
    set_by: dict[int, dict[str, str]] = {}  # item → field → the member (not the viewer) who set it
    related["tags"].update(tags_of(conn, [cast(int, it["id"]) for it in items]))
    if full:
        for item_id, body, created, updated, source, author in conn.execute(
            "SELECT item_id, body, created_at, updated_at, source, author FROM note "
            f"WHERE item_id {in_ids} ORDER BY id",
            (ids,),
        ):
            related["notes"][item_id].append(
                {"body": body, "created_at": created, "updated_at": updated, "source": source, "author": author}
            )
        for item_id, url, role in conn.execute(
            f"SELECT item_id, url, role FROM link WHERE item_id {in_ids} ORDER BY id",
            (ids,),
        ):
            related["links"][item_id].append({"url": url, "role": LinkRole(role)})
        for item_id, file, line, section in conn.execute(
            f"SELECT item_id, file, line, section FROM source WHERE item_id {in_ids} ORDER BY file, line, section",
            (ids,),
        ):
            related["sources"][item_id].append({"file": file, "line": line, "section": section})
        for item_id, path, kind, added in conn.execute(
            f"SELECT item_id, path, kind, added_at FROM attachment WHERE item_id {in_ids} ORDER BY id",
            (ids,),
        ):
            related["attachments"][item_id].append({"path": path, "kind": kind, "added_at": added})
        viewer = conn.execute("SELECT name FROM viewing_member").fetchone()
        for item_id, marks, adder in conn.execute(
            f"SELECT id, provenance, added_by FROM item WHERE id {in_ids}", (ids,)
        ):  # who set the fields a person set: `show` tells the viewer's own from another member's
            others = {k: v for k, v in setters(_json(marks, None), adder).items() if viewer is None or v != viewer[0]}
            set_by[item_id] = others
        for item_id, member, status, priority, started, finished in conn.execute(
            "SELECT item_id, member, status, priority, started_at, finished_at FROM reading "
            f"WHERE item_id {in_ids} ORDER BY member",
            (ids,),
        ):
            related["readings"][item_id].append(
                {
                    "member": member,
                    "status": Status(status),
                    "priority": priority,
                    "started_at": started,
                    "finished_at": finished,
                }
            )
    shown = related if full else {"tags": related["tags"]}
    for item in items:
        item_id = cast(int, item["id"])
        for name, by_item in shown.items():
            item[name] = by_item.get(item_id, [])
        if full:
            item["set_by_others"] = set_by.get(item_id, {})
        else:
            item.update(notes=[], links=[], sources=[], attachments=[], readings=[])


def stats(conn: Conn, months: int = 12) -> LibraryStats:
    """Counts by status, top tags, items added and read per month, and the recent reading pace."""
    # Statuses: the member's readings counted on their (member, status) index, plus the items they have no
    # reading of, by their initial status (a covering index of item and the reading key: no row is read).
    # The rest from narrow indexes and the member's own readings, never whole item rows.
    member = "(SELECT name FROM viewing_member)"
    by_status: dict[str, int] = defaultdict(int)
    for status, n in conn.execute(
        f"SELECT status, count(*) FROM reading WHERE member = {member} GROUP BY status "
        "UNION ALL SELECT i.initial_status, count(*) FROM item i "
        f"LEFT JOIN reading r ON r.item_id = i.id AND r.member = {member} WHERE r.item_id IS NULL "
        "GROUP BY i.initial_status"
    ):
        by_status[status] += n
    by_status = dict(sorted(by_status.items()))
    per_month: dict[str, dict[str, int]] = defaultdict(lambda: {"added": 0, "read": 0})
    for month, n in conn.execute("SELECT substr(added_at, 1, 7), count(*) FROM item GROUP BY 1"):
        per_month[month]["added"] = n
    read_8_weeks = 0
    cutoff = weeks_ago(PACE_WEEKS)
    for month, n, recent in conn.execute(
        "SELECT substr(finished_at, 1, 7), count(*), count(CASE WHEN finished_at >= ? THEN 1 END) FROM reading "
        "WHERE member IN (SELECT name FROM viewing_member) AND finished_at IS NOT NULL GROUP BY 1",
        (cutoff,),
    ):
        per_month[month]["read"] = n
        read_8_weeks += recent
    recent_months = sorted(per_month)[-months:]
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_kind": dict(conn.execute("SELECT kind, count(*) FROM item GROUP BY kind ORDER BY kind").fetchall()),
        "top_tags": tag_counts(conn)[:15],
        "per_month": [
            {"month": m, "added": per_month[m]["added"], "read": per_month[m]["read"]} for m in recent_months
        ],
        "read_per_week": round(read_8_weeks / PACE_WEEKS, 2),
    }


PACE_WEEKS = 8  # reading pace is measured over the last eight weeks


def weeks_ago(weeks: int) -> str:

    return (datetime.now(UTC) - timedelta(weeks=weeks)).strftime("%Y-%m-%dT%H:%M:%SZ")


def members(conn: Conn) -> list[str]:
    """Everyone who has read, added or noted something in this library, by name."""
    rows = conn.execute(
        "SELECT name FROM member UNION SELECT author FROM note WHERE author IS NOT NULL "
        "UNION SELECT added_by FROM item WHERE added_by IS NOT NULL ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def team_stats(conn: Conn) -> list[MemberStats]:
    """Each member's queue and pace: unread, reading, read, read in the last 8 weeks, per week, last finished."""
    cutoff = weeks_ago(PACE_WEEKS)
    out: list[MemberStats] = []
    for name in members(conn):
        counts = dict(
            conn.execute(
                "SELECT coalesce(r.status, i.initial_status), count(*) FROM item i "
                "LEFT JOIN reading r ON r.item_id = i.id AND r.member = ? GROUP BY 1",
                (name,),
            ).fetchall()
        )
        recent, last = conn.execute(
            "SELECT count(CASE WHEN finished_at >= ? THEN 1 END), max(finished_at) FROM reading "
            "WHERE member = ? AND status = ?",
            (cutoff, name, Status.READ),
        ).fetchone()
        out.append(
            {
                "member": name,
                "unread": counts.get(Status.UNREAD, 0),
                "reading": counts.get(Status.READING, 0),
                "read": counts.get(Status.READ, 0),
                "skipped": counts.get(Status.SKIPPED, 0),
                "read_8_weeks": recent,
                "read_per_week": round(recent / PACE_WEEKS, 2),
                "last_finished": last,
            }
        )
    return out


# An item some source can be asked about (net.works.source_for, in SQL): one with nothing to look up is never
# "not fetched yet" — fetch skips it.
_ASKABLE = (
    "(arxiv_id IS NOT NULL OR key LIKE 'doi:%' OR key LIKE 'github:%' "
    "OR lower(url) LIKE 'http://%' OR lower(url) LIKE 'https://%')"
)


def home(conn: Conn, *, top: int = 5) -> Overview:
    """What `readlist` alone shows: reading now, the top of the queue, inbox and pending-metadata counts."""
    counts = dict(conn.execute("SELECT status, count(*) FROM member_item GROUP BY status ORDER BY status").fetchall())
    # Every item a plain `fetch` would ask its source about, of every kind (as store/targets.py picks them).
    waiting = (MetadataStatus.PENDING, MetadataStatus.FAILED, MetadataStatus.NONE)
    pending = conn.execute(f"SELECT count(*) FROM item WHERE metadata_status IN (?, ?, ?) AND {_ASKABLE}", waiting)
    pending = pending.fetchone()[0]
    return {
        "total": sum(counts.values()),
        "counts": counts,
        # The first few only (counts has how many): a team lead may have hundreds started.
        "reading": list_items(
            conn, ItemFilter(status=[Status.READING]), order="i.started_at DESC, i.id", limit=top + 1, full=False
        ),
        "next": list_items(conn, ItemFilter(status=[Status.UNREAD]), order=TODO_ORDER, limit=top, full=False),
        "inbox": counts.get(Status.INBOX, 0),
        "metadata_pending": int(pending),
    }


class SqlReader:
    """The read side over one backend connection (sqlite3's on the fast path, or psycopg's): the functions
    above, whose SQL serves both backends. `conn` is there for read functions that take one (search, digest)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def list_items(
        self,
        flt: ItemFilter | None = None,
        *,
        order: str = "i.id",
        limit: int | None = None,
        full: bool = True,
        offset: int = 0,
    ) -> list[ItemRecord]:
        return list_items(self.conn, flt, order=order, limit=limit, full=full, offset=offset)

    def todo(self, *, tag: Tags = None, limit: int | None = 20, full: bool = False) -> list[ItemRecord]:
        return todo(self.conn, tag=tag, limit=limit, full=full)

    def count_todo(self, *, tag: Tags = None) -> int:
        return count_todo(self.conn, tag=tag)

    def inbox(self, *, limit: int | None = None, full: bool = False) -> list[ItemRecord]:
        return inbox(self.conn, limit=limit, full=full)

    def get_item(self, ref: str) -> ItemRecord:
        return get_item(self.conn, ref)

    def tag_counts(self) -> list[TagCount]:
        return tag_counts(self.conn)

    def feeds(self) -> list[FeedRecord]:
        return feeds(self.conn)

    def stats(self, months: int = 12) -> LibraryStats:
        return stats(self.conn, months)

    def team_stats(self) -> list[MemberStats]:
        return team_stats(self.conn)

    def members(self) -> list[str]:
        return members(self.conn)

    def close(self) -> None:
        self.conn.close()


def trash(conn: Conn) -> list[TrashRecord]:
    """Removed items, newest first: their old number, key, title, tags and how many notes they keep."""
    rows = conn.execute("SELECT key, removed_at, record FROM tombstone ORDER BY removed_at DESC, key").fetchall()
    out: list[TrashRecord] = []
    for key, removed_at, record_json in rows:
        record = json.loads(record_json or "{}")
        out.append(
            {
                "id": record.get("id"),
                "key": key,
                "title": record.get("title") or key,
                "removed_at": removed_at,
                "tags": record.get("tags") or [],
                "notes": len(record.get("notes") or []),
            }
        )
    return out


Reader = SqlReader  # the one read side: both backends share its SQL
