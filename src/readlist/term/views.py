"""What each read command shows: item rows for tables and TSV/CSV, and the `show` page."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from readlist.domain import Status
from readlist.term import markdown, style, timefmt
from readlist.term.table import Column
from readlist.term.width import cells, one_line, pad, safe, wrap
from readlist.text.hits import HIT_END, HIT_START, without_hits

STATUS_STYLE: dict[str, str] = {
    Status.READING: "bold yellow",
    Status.UNREAD: "cyan",
    Status.READ: "green",
    Status.SKIPPED: "dim",
    Status.INBOX: "magenta",
}
ITEM_FIELDS = ("id", "status", "kind", "title", "tags", "added")


def display_title(item: Mapping[str, Any]) -> str:
    """The title, led by the short name the notes use when the title does not already say it."""
    label = item.get("title") or item.get("url") or ""
    short = item.get("short_name")
    if short and _squash(short) not in _squash(label):  # "TreeTraining" is already said by "Tree Training"
        label = f"{short}: {label}"
    return str(label)


def _squash(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def item_columns() -> list[Column]:
    """Drop order when narrow: tags, then kind, then the date (shortened to 11-22 first)."""
    return [
        Column("id", right=True, style="bold"),
        Column("status", styler=lambda s: STATUS_STYLE.get(s, "")),
        Column("kind", style="dim", drop=2),
        Column("title", flex=True),
        Column("tags", style="blue", drop=1, shrink_to=10, max_width=28),
        Column("added", style="dim", drop=3, shrink_to=5, shorten=timefmt.short_date),
    ]


def item_row(item: Mapping[str, Any]) -> list[str]:
    """Table cells: one line each, control characters visible, dates in local time."""
    return [
        str(item["id"]),
        item["status"],
        item["kind"],
        one_line(display_title(item)),
        one_line(", ".join(item.get("tags") or [])),
        timefmt.date(item.get("added_at")),
    ]


def item_record(item: Mapping[str, Any]) -> list[str]:
    """TSV/CSV cells: full values, exact local timestamps."""
    return [
        str(item["id"]),
        item["status"],
        item["kind"],
        one_line(display_title(item)),
        one_line(",".join(item.get("tags") or [])),
        timefmt.iso(item.get("added_at")),
    ]


def snippet_plain(snippet: str) -> str:
    return one_line(without_hits(snippet))


def snippet_line(snippet: str, width: int, color: bool) -> str:
    """The snippet on one line of `width` cells, matched words highlighted. Each piece keeps the spaces at its
    edges (they separate a highlighted word from the text around it); a cut ends in one …, never two."""
    out, used = [], 0
    for n, chunk in enumerate(snippet.split(HIT_START)):
        hit, _, rest = chunk.partition(HIT_END) if n else ("", "", chunk)
        for text, spec in ((_spaced(hit), "bold reverse"), (_spaced(rest), "dim")):
            if not text or used >= width:
                continue
            if used + cells(text) > width:
                from readlist.term.width import truncate

                text = truncate(text, width - used)
                if text.endswith("…"):
                    text = text[:-1].rstrip(" .…") + "…"
            out.append(style.paint(text, spec, color))
            used += cells(text)
    return "".join(out)


def _spaced(text: str) -> str:
    """`one_line` that keeps one space where the text began or ended with some."""
    if not text:
        return ""
    inner = one_line(text)
    lead = " " if text[:1].isspace() and inner else ""
    tail = " " if text[-1:].isspace() else ""
    return lead + inner + tail


def _authors_line(item: Mapping[str, Any]) -> str:
    parts = []
    for name, aff in zip(item.get("authors") or [], item.get("author_affiliations") or [], strict=False):
        parts.append(f"{name} ({aff})" if aff else name)
    return ", ".join(parts)


# Which source details `show` lists, in this order (the rest stay in --json).
_DETAIL_LABELS = (("language", "language"), ("stars", "stars"), ("topics", "topics"), ("license", "licence"))


def _details_lines(details: Mapping[str, Any]) -> list[tuple[str, str]]:
    lines = []
    for key, label in _DETAIL_LABELS:
        value = details.get(key)
        if value not in (None, "", []):
            lines.append((label, one_line(", ".join(map(str, value)) if isinstance(value, list) else str(value))))
    return lines


def _version(item: Mapping[str, Any]) -> str | None:
    """The latest version, and the one the user added when that differs (`v3 (you added v2)`)."""
    if not item.get("arxiv_version"):
        return None
    asked = (item.get("details") or {}).get("asked_version")
    latest = f"v{item['arxiv_version']}"
    return f"{latest} (you added v{asked})" if asked and asked != item["arxiv_version"] else latest


def _readers_line(item: Mapping[str, Any]) -> str | None:
    """Every member's status in a team library (`alice read 11-20 · bob reading`); None for a team of one."""
    readings = item.get("readings") or []
    if len(readings) < 2 and not any(r["status"] != item.get("status") for r in readings):
        return None
    parts = []
    for one in readings:
        when = timefmt.date(one.get("finished_at")) if one["status"] == Status.READ else None
        parts.append(f"{one['member']} {one['status']}" + (f" {when}" if when else ""))
    return " · ".join(parts)


def _finished(item: Mapping[str, Any]) -> str | None:
    """When it was read; `unknown` for an item read at a time nobody recorded (an import without read dates)."""
    if item.get("finished_at"):
        return timefmt.minute(item["finished_at"])
    return "unknown" if item.get("status") == Status.READ else None


def _set_by_others(set_by: Mapping[str, str]) -> list[tuple[str, object]]:
    """("set by bob", "rating, title") for each other member who set fields of this item."""
    by_member: dict[str, list[str]] = {}
    for name, member in sorted(set_by.items()):
        by_member.setdefault(member, []).append(name)
    return [(f"set by {one_line(member)}", ", ".join(names)) for member, names in sorted(by_member.items())]


def item_fields(item: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of every field a person cares about, in reading order, dates local."""
    fields: list[tuple[str, object]] = [
        ("short name", item.get("short_name")),
        ("kind", item.get("kind")),
        ("key", item.get("key")),
        ("cite as", item.get("citation_key")),
        ("url", item.get("url")),
        ("status", item.get("status")),
        ("authors", _authors_line(item)),
        ("affiliation", item.get("affiliation")),
        ("published", timefmt.date(item.get("published"))),
        ("updated", timefmt.date(item.get("updated"))),
        ("version", _version(item)),
        ("venue", item.get("venue")),
        ("year", item.get("year")),
        ("type", item.get("work_type")),
        ("site", item.get("site")),
        ("doi", item.get("doi")),
        ("comment", item.get("comment")),
        ("categories", ", ".join(item.get("categories") or [])),
        ("pdf", f"https://arxiv.org/pdf/{item['arxiv_id']}" if item.get("arxiv_id") else None),
        ("priority", item.get("priority") or None),
        ("rating", item.get("rating")),
        ("tags", ", ".join(item.get("tags") or [])),
        ("added", timefmt.minute(item.get("added_at"))),
        ("started", timefmt.minute(item.get("started_at"))),
        ("finished", _finished(item)),
        ("readers", _readers_line(item)),
        ("added by", item.get("added_by") if _readers_line(item) else None),
        ("metadata", item.get("metadata_status")),
        # fields a person set (no fetch replaces them): the viewer's own, then each other member's
        ("yours", ", ".join(f for f in item.get("user_fields") or [] if f not in (item.get("set_by_others") or {}))),
        *_set_by_others(item.get("set_by_others") or {}),
    ]
    out = [(label, one_line(value)) for label, value in fields if value not in (None, "")]
    out += _details_lines(item.get("details") or {})
    out += [(f"link ({link['role']})", one_line(link["url"])) for link in item.get("links") or []]
    out += [
        (f"file ({a['kind']})", one_line(a["path"] + ("" if Path(a["path"]).is_file() else "  (missing)")))
        for a in item.get("attachments") or []
    ]
    out += [("from", one_line(f"{s['file']}:{s['line']}  {s['section']}")) for s in item.get("sources") or []]
    return out


def show_lines(item: Mapping[str, Any], width: int, *, color: bool, raw: bool) -> Iterator[str]:
    """The `show` page: heading, fields, abstract, then each note rendered (or raw with --raw)."""
    width = max(40, width)
    head = f"#{item['id']} " + one_line(item.get("title") or item.get("url"))
    for line in wrap(head, width):
        yield style.paint(line, "bold", color)
    fields = item_fields(item)
    label_width = max((cells(label) for label, _ in fields), default=0)
    for label, value in fields:
        for n, line in enumerate(wrap(value, width - label_width - 2)):
            lead = style.paint(pad(label if n == 0 else "", label_width), "dim", color)
            shown = style.paint(line, STATUS_STYLE.get(value, ""), color) if label == "status" else line
            yield f"{lead}  {shown}"
    if item.get("abstract"):
        yield ""
        yield style.paint("abstract", "bold", color)
        yield from wrap(one_line(item["abstract"]), width)
    for note in item.get("notes") or []:
        yield ""
        author = f" · {one_line(note['author'])}" if note.get("author") else ""
        yield style.paint(f"note · {timefmt.minute(note.get('created_at'))}{author}", "bold", color)
        body = note.get("body") or ""
        if raw:
            yield from safe(body).rstrip("\n").split("\n")
        else:
            yield from markdown.render(body, width, color=color)
