"""The markdown digest a team lead pastes into a wiki or chat: plain CommonMark, safe against any title."""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from readlist.library.read import ItemFilter, list_items

LABELS: dict[str, dict[str, Any]] = {
    "zh": {
        "title": "阅读周报",
        "period": "时间范围",
        "added": "新增",
        "started": "开始阅读",
        "read": "读完",
        "empty": "这段时间没有阅读记录。",
        "other": "未分类",
        "code": "代码",
        "since": "起",
        "to": "至",
        "status": {"unread": "未读", "reading": "在读", "read": "已读", "skipped": "跳过", "inbox": "待筛"},
        "week": "第 {w} 周",
        "read_on": "读完于",
    },
    "en": {
        "title": "Reading digest",
        "period": "Period",
        "added": "added",
        "started": "started",
        "read": "read",
        "empty": "Nothing was added or read in this period.",
        "other": "Untagged",
        "code": "code",
        "since": "from",
        "to": "to",
        "status": {"unread": "unread", "reading": "reading", "read": "read", "skipped": "skipped", "inbox": "inbox"},
        "week": "Week {w}",
        "read_on": "read",
    },
}
GROUPS = ("tag", "status", "week")
# Enough to stop links, emphasis, code, HTML and table cells; lines start with "- " or "> ", so # and
# numbers cannot start a heading or a list.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_CJK = re.compile("[\u4e00-\u9fff]")
STATUS_ORDER = {"read": 0, "reading": 1, "unread": 2, "skipped": 3, "inbox": 4}


def md_text(text: str | None) -> str:
    """Text that cannot open a link, emphasis, HTML or a table cell, on one line."""
    flat = " ".join((text or "").split())
    return _MD_SPECIAL.sub(r"\\\1", flat)


def md_url(url: str) -> str:
    """A link destination that survives parentheses, spaces and angle brackets."""
    return "<" + url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E") + ">"


def detect_language(conn: sqlite3.Connection) -> str:
    """`zh` when the library's own words are mostly Chinese (the notes decide), else `en`."""
    rows = conn.execute("SELECT title FROM item ORDER BY id DESC LIMIT 200").fetchall()
    notes = conn.execute("SELECT body FROM note ORDER BY id DESC LIMIT 200").fetchall()
    texts = [r[0] or "" for r in rows + notes]
    chinese = sum(1 for t in texts if _CJK.search(t))
    return "zh" if texts and chinese * 3 >= len(texts) else "en"


def _authors(item: dict[str, Any]) -> str:
    names = item["authors"]
    short = ", ".join(names[:3]) + (" et al." if len(names) > 3 else "")
    return md_text(short)


def _first_paragraph(body: str) -> str:
    return body.strip().split("\n\n", 1)[0]


def _item_lines(item: dict[str, Any], labels: dict[str, Any], full_notes: bool) -> list[str]:
    url = f"https://arxiv.org/abs/{item['arxiv_id']}" if item.get("arxiv_id") else item["url"]
    parts = [f"[{md_text(item['title']) or md_text(url)}]({md_url(url)})"]
    if item["authors"]:
        parts.append(_authors(item))
    place = item.get("venue") or item.get("affiliation")
    if place:
        parts.append(md_text(place))
    status = labels["status"].get(item["status"], item["status"])
    if item["status"] == "read" and item.get("finished_at"):
        status += f" {item['finished_at'][:10]}"
    parts.append(status)
    if item["tags"]:
        parts.append(" ".join(f"`{t.replace('`', '')}`" for t in item["tags"]))
    code = next((lk["url"] for lk in item.get("links") or [] if lk["role"] == "code"), None)
    if code:
        parts.append(f"[{labels['code']}]({md_url(code)})")
    lines = ["- " + " · ".join(parts)]
    for note in item.get("notes") or []:
        body = note["body"] if full_notes else _first_paragraph(note["body"])
        for line in body.splitlines():
            if line.strip():
                lines.append("  > " + md_text(line))
        if not full_notes:
            break
    return lines


def _group_key(item: dict[str, Any], by: str, labels: dict[str, Any]) -> tuple[str, str]:
    """(sort key, heading) of the group an item belongs to."""
    if by == "status":
        return f"{STATUS_ORDER.get(item['status'], 9)}", labels["status"].get(item["status"], item["status"])
    if by == "week":
        stamp = item.get("finished_at") or item.get("started_at") or item["added_at"]
        year, week, _ = datetime.fromisoformat(stamp.replace("Z", "+00:00")).isocalendar()
        return f"{-year:05d}{-week:03d}", f"{year} " + labels["week"].format(w=week)
    tags = sorted(item["tags"], key=str.casefold)
    return ("0" + tags[0].casefold(), tags[0]) if tags else ("1", labels["other"])


def digest(
    conn: sqlite3.Connection,
    flt: ItemFilter,
    *,
    group_by: str = "tag",
    lang: str | None = None,
    full_notes: bool = False,
) -> str:
    labels = LABELS[lang or detect_language(conn)]
    items = list_items(conn, flt, order="i.key")
    now = datetime.now(UTC).strftime("%Y-%m-%d")
    since = (flt.since or "")[:10]
    period = f"{since} — {now}" if since else f"{labels['to']} {now}"
    counts = {
        "added": sum(1 for i in items if not flt.since or i["added_at"] >= flt.since),
        "started": sum(1 for i in items if i["started_at"] and (not flt.since or i["started_at"] >= flt.since)),
        "read": sum(1 for i in items if i["finished_at"] and (not flt.since or i["finished_at"] >= flt.since)),
    }
    out = [f"# {labels['title']} {period}", ""]
    out.append(f"{labels['period']}: {period} · " + " · ".join(f"{labels[k]} {v}" for k, v in counts.items()))
    out.append("")
    if not items:
        return "\n".join([*out, labels["empty"], ""])
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        groups[_group_key(item, group_by, labels)].append(item)
    for key in sorted(groups):
        out += [f"## {md_text(key[1])}", ""]
        ordered = sorted(groups[key], key=lambda i: (STATUS_ORDER.get(i["status"], 9), i["title"].casefold(), i["key"]))
        for item in ordered:
            out += _item_lines(item, labels, full_notes)
        out.append("")
    return "\n".join(out)
