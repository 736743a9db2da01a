"""The markdown digest a team lead pastes into a wiki or chat: CommonMark that keeps the notes' own markdown
(bold, lists, code, links) and cannot be broken by any title, tag or note."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from readlist.domain import Status
from readlist.location import Conn
from readlist.store import stream
from readlist.store.read import ItemFilter
from readlist.term import timefmt
from readlist.term.width import CONTROL

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from readlist.store.records import ItemRecord, ReadingRecord


@dataclass(frozen=True)
class Labels:
    """The digest's words in one language."""

    title: str
    all: str
    this_week: str
    last_days: str
    last_months: str
    period: str
    added: str
    started: str
    read: str
    empty: str
    other: str
    code: str
    since: str
    to: str
    week: str
    read_on: str
    team: str
    status: dict[str, str]


LABELS: dict[str, Labels] = {
    "zh": Labels(
        title="阅读记录",
        all="全部",
        this_week="本周阅读",
        last_days="近 {n} 天阅读",
        last_months="近 {n} 个月阅读",
        period="时间范围",
        added="新增",
        started="开始阅读",
        read="读完",
        empty="这段时间没有阅读记录。",
        other="未分类",
        code="代码",
        since="起",
        to="至",
        week="第 {w} 周",
        read_on="读完于",
        team="成员",
        status={
            Status.UNREAD: "未读",
            Status.READING: "在读",
            Status.READ: "已读",
            Status.SKIPPED: "跳过",
            Status.INBOX: "待筛",
        },
    ),
    "en": Labels(
        title="Reading digest",
        all="all time",
        this_week="This week's reading",
        last_days="Reading of the last {n} days",
        last_months="Reading of the last {n} months",
        period="Period",
        added="added",
        started="started",
        read="read",
        empty="Nothing was added or read in this period.",
        other="Untagged",
        code="code",
        since="from",
        to="to",
        week="Week {w}",
        read_on="read",
        team="Members",
        status={s: s.value for s in Status},
    ),
}
GROUPS = ("tag", "status", "week")
# Enough to stop links, emphasis, code, HTML and table cells; lines start with "- " or "> ", so # and
# numbers cannot start a heading or a list.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
# Control characters (ESC, BEL, backspace, C1) would drive the terminal the digest is printed on, and invisible
# format characters (bidi controls and marks among them) would reorder or hide its text: term/width.py's set.
_CONTROL = CONTROL
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# What a note line may not do inside the digest's quote: open a heading or a setext underline, start raw
# HTML (autolinks like <https://…> stay), or open a table.
_HEADING = re.compile(r"^(\s*)(#{1,6})(?=\s|$)")
_SETEXT = re.compile(r"^(\s*)([=-])(?=[=\s-]*$)")
_HTML_START = re.compile(r"<(?![A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>)(?=[A-Za-z/!?])")
_RELATIVE = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$", re.IGNORECASE)
_CJK = re.compile("[\u4e00-\u9fff]")
STATUS_ORDER = {Status.READ: 0, Status.READING: 1, Status.UNREAD: 2, Status.SKIPPED: 3, Status.INBOX: 4}


def plain(text: str | None) -> str:
    """Text without control characters (they would reach the reader's terminal)."""
    return _CONTROL.sub("", text or "")


def md_text(text: str | None) -> str:
    """Text that cannot open a link, emphasis, HTML or a table cell, on one line."""
    flat = " ".join(plain(text).split())
    return _MD_SPECIAL.sub(r"\\\1", flat)


_UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")


def _has_unsafe_link(body: str) -> bool:
    """Whether the note's markdown holds a link or image whose target runs code or reads local files when
    clicked in the wiki or chat the digest is pasted into (read by a markdown parser, entities decoded)."""
    if "[" not in body and "<" not in body:  # CommonMark has no link or image without one (most notes)
        return False
    for block in _parser().parse(body):
        for token in block.children or []:
            target = str(token.attrGet("href") or token.attrGet("src") or "")
            squeezed = "".join(ch for ch in target if not ch.isspace() and ch.isprintable()).lower()
            if squeezed.startswith(_UNSAFE_SCHEMES):
                return True
    return False


@functools.cache
def _parser() -> MarkdownIt:
    """One CommonMark parser that sees every link, unsafe ones too (made once: a parser costs a millisecond)."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark")
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return parser


def note_lines(body: str) -> list[str]:
    """A note's own markdown kept (bold, lists, code, links), minus what could break the digest around it.
    A note linking to `javascript:` (or another unsafe scheme) is quoted as plain text: nothing in it links."""
    if _has_unsafe_link(body):
        return [md_text(line) for line in plain(body).splitlines() if line.strip()]
    out: list[str] = []
    fence = ""
    for line in plain(body).splitlines():
        opener = _FENCE.match(line)
        if fence:
            out.append(line)
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = ""
            continue
        if opener:
            fence = opener.group(1)
            out.append(line)
            continue
        if not line.strip():
            out.append("")
            continue
        line = _HEADING.sub(lambda m: m.group(1) + "\\" + m.group(2), line)
        line = _SETEXT.sub(lambda m: m.group(1) + "\\" + m.group(2), line)
        line = _HTML_START.sub("&lt;", line).replace("|", "\\|")
        out.append(line)
    if fence:
        out.append(fence[0] * len(fence))  # a fence the note never closed would swallow the rest
    while out and not out[-1].strip():
        out.pop()
    return out


def md_url(url: str) -> str:
    """A link destination that survives parentheses, spaces and angle brackets."""
    return "<" + url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E") + ">"


def detect_language(conn: Conn) -> str:
    """`zh` when the library's own words are mostly Chinese (the notes decide), else `en`."""
    rows = conn.execute("SELECT title FROM item ORDER BY id DESC LIMIT 200").fetchall()
    notes = conn.execute("SELECT body FROM note ORDER BY id DESC LIMIT 200").fetchall()
    texts = [r[0] or "" for r in rows + notes]
    chinese = sum(1 for t in texts if _CJK.search(t))
    return "zh" if texts and chinese * 3 >= len(texts) else "en"


def _authors(item: ItemRecord) -> str:
    names = item["authors"]
    short = ", ".join(names[:3]) + (" et al." if len(names) > 3 else "")
    return md_text(short)


def _first_paragraph(body: str) -> str:
    return body.strip().split("\n\n", 1)[0]


def _status_text(item: ItemRecord | ReadingRecord, labels: Labels) -> str:
    status = str(labels.status.get(item["status"], item["status"]))
    if item["status"] == Status.READ and item.get("finished_at"):
        status += f" {timefmt.date(item['finished_at'])}"
    return status


def _team_status_text(item: ItemRecord, labels: Labels) -> str:
    """Who started or finished it: `alice read 11-20, bob reading` (members who only queued it are left out)."""
    parts = []
    for one in item.get("readings") or []:
        if one["status"] in (Status.READ, Status.READING):
            who = md_text(one["member"])
            parts.append(f"{who} {_status_text(one, labels)}")
    return ", ".join(parts) or labels.status[Status.UNREAD]


def _item_lines(item: ItemRecord, labels: Labels, full_notes: bool, team: bool = False) -> list[str]:
    url = f"https://arxiv.org/abs/{item['arxiv_id']}" if item.get("arxiv_id") else item["url"]
    title = md_text(item["title"]) or md_text(url)
    parts = [f"[{title}]({md_url(url)})" if url.strip() else title]  # no link at all rather than an empty one
    if item["authors"]:
        parts.append(_authors(item))
    place = item.get("venue") or item.get("affiliation")
    if place:
        parts.append(md_text(place))
    parts.append(_team_status_text(item, labels) if team else _status_text(item, labels))
    if item["tags"]:
        parts.append(" ".join(f"`{plain(t).replace('`', '')}`" for t in item["tags"]))
    code = next((lk["url"] for lk in item.get("links") or [] if lk["role"] == "code"), None)
    if code:
        parts.append(f"[{labels.code}]({md_url(code)})")
    lines = ["- " + " · ".join(parts)]
    for note in item.get("notes") or []:
        body = note["body"] if full_notes else _first_paragraph(note["body"])
        quoted = note_lines(body)
        if quoted and team and note.get("author"):
            quoted[0] = f"**{md_text(note['author'])}:** {quoted[0]}"
        if quoted:
            lines += [""] if lines[-1] else []
            lines += [("  > " + line).rstrip() for line in quoted]
            lines.append("")
        if not full_notes and not team:  # a team digest keeps every member's note
            break
    return lines


def _team_line(tally: dict[str, dict[str, int]], labels: Labels) -> str:
    """`Members: alice read 3, started 1 · bob read 1` over the digest's period."""
    people = [
        f"{md_text(name)} {labels.read} {n['read']}, {labels.started} {n['started']}"
        for name, n in sorted(tally.items())
    ]
    return f"{labels.team}: " + (" · ".join(people) if people else "—")


def heading(labels: Labels, since_text: str | None, period: str) -> str:
    """The range the digest covers, as the reader would say it: 本周 / 近 30 天 / 2026-11-01 – 2026-11-22."""
    if not since_text:
        return f"{labels.title} ({labels.all}, {period})"
    relative = _RELATIVE.match(since_text)
    if not relative:
        return f"{labels.title} {period}"
    n, unit = int(relative.group(1)), relative.group(2).lower()
    days = n * {"d": 1, "w": 7, "m": 30, "y": 365}[unit]
    if days == 7:
        return f"{labels.this_week} ({period})"
    if unit in "my":
        months = n if unit == "m" else 12 * n
        return f"{labels.last_months.format(n=months)} ({period})"
    return f"{labels.last_days.format(n=days)} ({period})"


def _group_key(
    status: str, stamps: tuple[str | None, str | None, str], first_tag: str | None, by: str, labels: Labels
) -> tuple[str, str]:
    """(sort key, heading) of the group an item belongs to; `stamps`: its finished, started and added times."""
    if by == "status":
        return f"{STATUS_ORDER.get(Status(status), 9)}", labels.status.get(status, status)
    if by == "week":
        stamp = stamps[0] or stamps[1] or stamps[2]
        moment = timefmt.local(stamp) or datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        year, week, _ = moment.isocalendar()
        return f"{-year:05d}{-week:03d}", f"{year} " + labels.week.format(w=week)
    return ("0" + first_tag.casefold(), first_tag) if first_tag else ("1", labels.other)


def _within(stamp: str | None, since: str | None) -> bool:
    """Whether a time is known and in the period."""
    return bool(stamp) and (not since or str(stamp) >= since)


@dataclass
class _Plan:
    """What a digest knows before it writes an item: the counts in its header and the order of its items."""

    counts: dict[str, int]
    tally: dict[str, dict[str, int]]  # a team digest's per-member reads and starts
    groups: list[tuple[str, list[int]]]  # (heading, item ids in the order shown)


def _plan(conn: Conn, flt: ItemFilter, since: str | None, group_by: str, labels: Labels, team: bool) -> _Plan:
    """Count and order the items from a few columns each; whole records are read later, a page at a time."""
    first_tags: dict[int, str] = {}
    if group_by == "tag":
        for item_id, name in stream.item_tags(conn, flt):
            known = first_tags.get(item_id)
            if known is None or name.casefold() < known.casefold():
                first_tags[item_id] = name
    counts = {"added": 0, "started": 0, "read": 0}
    order: list[tuple[tuple[str, str], int, str, str, int]] = []
    for item_id, key, title, status, added, started, finished in stream.digest_rows(conn, flt):
        counts["added"] += _within(added, since)
        if not team:
            counts["started"] += _within(started, since)
            counts["read"] += _within(finished, since)
        group = _group_key(status, (finished, started, added), first_tags.get(item_id), group_by, labels)
        order.append((group, STATUS_ORDER.get(Status(status), 9), title.casefold(), key, item_id))
    del first_tags
    tally: dict[str, dict[str, int]] = defaultdict(lambda: {"read": 0, "started": 0})
    if team:  # every member's starts and finishes; a personal digest counts the reader's own
        for member, started, finished in stream.reading_times(conn, flt):
            if _within(finished, since):
                counts["read"] += 1
                tally[member]["read"] += 1
            if _within(started, since):
                counts["started"] += 1
                tally[member]["started"] += 1
    order.sort()
    groups: list[tuple[str, list[int]]] = []
    last = None
    for group, *_, item_id in order:
        if group != last:
            groups.append((group[1], []))
            last = group
        groups[-1][1].append(item_id)
    return _Plan(counts, dict(tally), groups)


def digest(
    conn: Conn,
    flt: ItemFilter,
    *,
    group_by: str = "tag",
    lang: str | None = None,
    full_notes: bool = False,
    since_text: str | None = None,
    team: bool = False,
) -> Iterator[str]:
    """The digest of one member's reading, or with `team` of everyone's: who read what, with their notes.

    Written in pieces as the items are read, a page at a time: memory holds a few columns per item, not the
    items themselves."""
    return _joined(_lines(conn, flt, group_by, lang, full_notes, since_text, team))


def _lines(
    conn: Conn,
    flt: ItemFilter,
    group_by: str,
    lang: str | None,
    full_notes: bool,
    since_text: str | None,
    team: bool,
) -> Iterator[str]:
    labels = LABELS[lang or detect_language(conn)]
    if team:  # what anyone added, started or finished in the period
        flt = replace(flt, since=None, anyone_since=flt.since)
    since = flt.anyone_since if team else flt.since
    plan = _plan(conn, flt, since, group_by, labels, team)
    now = datetime.now(UTC).astimezone().strftime("%Y-%m-%d")
    since_day = timefmt.date(since) if since else ""
    period = f"{since_day} – {now}" if since_day else f"{labels.to} {now}"
    yield f"# {heading(labels, since_text, period)}"
    yield ""
    yield f"{labels.period}: {period} · " + " · ".join(f"{getattr(labels, k)} {v}" for k, v in plan.counts.items())
    yield ""
    if team:
        yield _team_line(plan.tally, labels)
        yield ""
    if not plan.groups:
        yield labels.empty
        yield ""
        return
    for title, ids in plan.groups:
        yield f"## {md_text(title)}"
        yield ""
        for entry in stream.items_in_order(conn, ids):
            yield from _item_lines(entry, labels, full_notes, team)
        yield ""


def _joined(lines: Iterator[str]) -> Iterator[str]:
    """The lines joined by newlines, as `"\\n".join` would, handed on in pieces of about 64 KB."""
    pending: list[str] = []
    size, first = 0, True
    for line in lines:
        pending.append(line if first else "\n" + line)
        size += len(line) + 1
        first = False
        if size >= 1 << 16:
            yield "".join(pending)
            pending, size = [], 0
    yield "".join(pending)
