"""Exports: JSON/JSONL (lossless, stable order, so git merges cleanly), BibTeX and CSV."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import unicodedata
from typing import Any

from readlist.library.read import ItemFilter, list_items

FORMATS = ("jsonl", "json", "bibtex", "csv")
# Everything an item is, minus the database's own row number: identity is `key`.
_INTERNAL = ("id",)


def records(conn: sqlite3.Connection, flt: ItemFilter | None = None) -> list[dict[str, Any]]:
    """Items as export records, ordered by key (stable across machines and runs)."""
    items = list_items(conn, flt, order="i.key")
    out = []
    for item in items:
        record = {k: v for k, v in item.items() if k not in _INTERNAL}
        record["authors"] = [
            {"name": n, **({"affiliation": a} if a else {})}
            for n, a in zip(item["authors"], item["author_affiliations"], strict=True)
        ]
        del record["author_affiliations"]
        out.append(record)
    return out


def to_jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)


def to_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


CSV_COLUMNS = (
    "key",
    "kind",
    "title",
    "authors",
    "url",
    "arxiv_id",
    "status",
    "priority",
    "rating",
    "tags",
    "venue",
    "published",
    "added_at",
    "finished_at",
    "note",
)


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: object) -> object:
    """A cell a spreadsheet shows as text: a leading ' before formula starters (numbers stay numbers)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_lines(header: list[str], rows: list[list[str]]) -> list[str]:
    """CSV for `--format csv` on read commands: header first, every cell quoted and neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(c) for c in row])
    return buffer.getvalue().rstrip("\n").split("\n") if rows or header else []


def to_csv(rows: list[dict[str, Any]], bom: bool = False) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                csv_cell(c)
                for c in [
                    r["key"],
                    r["kind"],
                    r["title"],
                    "; ".join(a["name"] for a in r["authors"]),
                    r["url"],
                    r["arxiv_id"] or "",
                    r["status"],
                    r["priority"],
                    r["rating"] or "",
                    "; ".join(r["tags"]),
                    r["venue"] or "",
                    r["published"] or "",
                    r["added_at"],
                    r["finished_at"] or "",
                    r["notes"][0]["body"] if r["notes"] else "",
                ]
            ]
        )
    return ("\ufeff" if bom else "") + buffer.getvalue()


_BIB_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_STOPWORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "on",
        "of",
        "for",
        "in",
        "to",
        "and",
        "with",
        "via",
        "towards",
        "toward",
        "is",
        "are",
        "by",
        "from",
        "at",
    }
)


def bib_escape(text: str) -> str:
    return "".join(_BIB_SPECIAL.get(ch, ch) for ch in text)


def bib_url(url: str) -> str:
    """A URL whose braces, backslashes and spaces are percent-encoded, so the entry's braces stay balanced."""
    return "".join(_URL_UNSAFE.get(ch, ch) for ch in url)


_URL_UNSAFE = {"{": "%7B", "}": "%7D", "\\": "%5C", " ": "%20", "\n": "%0A", "\r": "%0D", "\t": "%09"}


def _ascii_word(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def bib_key(record: dict[str, Any]) -> str:
    """`frantar2024marlin`: first author's family name, year, first significant title word."""
    family = _ascii_word(record["authors"][0]["name"].split()[-1]) if record["authors"] else ""
    year = (record.get("published") or record.get("added_at") or "")[:4]
    words = [_ascii_word(w) for w in re.split(r"[\s:\-]+", record.get("short_name") or record["title"])]
    word = next((w for w in words if w and w not in _STOPWORDS), "")
    key = f"{family}{year}{word}" or _ascii_word(record["key"])[-20:]
    return key or "item"


def to_bibtex(rows: list[dict[str, Any]]) -> str:
    entries, used = [], set()
    for r in rows:
        key = base = bib_key(r)
        suffix = 0
        while key in used:  # stable: rows come in key order, so the same library gives the same suffixes
            suffix += 1
            key = f"{base}{chr(ord('a') + suffix - 1)}" if suffix <= 26 else f"{base}{suffix}"
        used.add(key)
        published = bool(r.get("venue") and r["kind"] == "paper")
        fields = [("title", "{" + bib_escape(r["title"]) + "}")]
        if r["authors"]:
            fields.append(("author", " and ".join(bib_escape(a["name"]) for a in r["authors"])))
        year = (r.get("published") or "")[:4]
        if year:
            fields.append(("year", year))
        if published:
            fields.append(("journal", bib_escape(r["venue"])))
        if r.get("arxiv_id"):
            fields += [("eprint", r["arxiv_id"]), ("archivePrefix", "arXiv")]
            if r.get("primary_category"):
                fields.append(("primaryClass", r["primary_category"]))
        if r.get("doi"):
            fields.append(("doi", bib_escape(r["doi"])))
        fields.append(("url", bib_url(r["url"])))
        if r["tags"]:
            fields.append(("keywords", bib_escape(", ".join(r["tags"]))))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@{'article' if published else 'misc'}{{{key},\n{body}\n}}\n")
    return "\n".join(entries)


def render(fmt: str, rows: list[dict[str, Any]], *, bom: bool = False) -> str:
    if fmt == "jsonl":
        return to_jsonl(rows)
    if fmt == "json":
        return to_json(rows)
    if fmt == "bibtex":
        return to_bibtex(rows)
    return to_csv(rows, bom=bom)
