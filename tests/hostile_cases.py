"""Hostile input for the whole CLI, shared by the fast test (a sample) and `benchmarks/hostile.py` (all of it).

A case is the argument list a shell could pass (non-UTF-8 bytes arrive as surrogate escapes, as Python decodes
argv), maybe with files to import. Whatever the input, readlist must answer with exit 0, 1 or 2, never an
internal error or a traceback, and never pass a control character from the input through to the terminal.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

GBK = "量化".encode("gbk").decode("utf-8", "surrogateescape")  # a GBK terminal's bytes, as argv decodes them
LATIN1 = "café".encode("latin-1").decode("utf-8", "surrogateescape")

PAYLOADS: dict[str, list[str]] = {
    "control": [
        "\x1b]0;pwned\x07title",
        "\x1b[31mred\x1b[0m",
        "\x9b31mC1 CSI",
        "bell\x07back\x08del\x7f",
        "carriage\rreturn",
        "line\nbreak",
        "[bold]markup[/bold] [link=http://e.example]x[/]",
        "\u202eevil\u202c right-to-left",
    ],
    "encoding": [GBK, LATIN1, "\udcff\udcfe", "a\udc80b", "𝕳𝖊𝖑𝖑𝖔 😀", "é\u0301\u0301\u0301"],
    "numbers": ["99999999999999999999", "-1", "0", "1e309", "１２", "٣", "00000000000000000001", "-0", "nan"],
    "empty": ["", " ", "\t", "+", "-", "--", "#"],
    "long": ["x" * 1_000_000, "长" * 100_000, "a " * 50_000],
    "path": ["../../etc/passwd", "/", "a/b/c", "~", "C:\\Windows", ".", "..", "/dev/null"],
    "query": [
        '"',
        '""',
        "*",
        "NEAR(a b)",
        "a OR b",
        "OR",
        "AND NOT",
        "-x",
        "^a",
        "title:",
        'author:"',
        "a:b:c",
        "(",
        ")",
        "'; DROP TABLE item;--",
        "%_\\",
        "{a}",
        "kv*cache",
        "NOT NOT",
        "a NEAR/2 b",
    ],
    "ids": [
        "2401.999999",
        "arXiv:",
        "0000.00000",
        "9913.12345",
        "math.GT/0309136v99",
        "http://",
        "https://[::1",
        "http://x:99999",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "10.",
        "10.1145/",
        "doi:",
        "owner/",
        "/repo",
        "https://github.com/a",
        "http://%zz",
        "ftp://x",
        "data:text/html,x",
        "https://例え.jp/",
    ],
}

# Where a value goes: `{}` is the payload; one template per place a user types something.
TEMPLATES: list[tuple[str, ...]] = [
    ("search", "{}"),
    ("search", "kv", "--tag", "{}"),
    ("search", "kv", "--since", "{}"),
    ("search", "kv", "--limit", "{}"),
    ("add", "{}", "--no-fetch"),
    ("add", "2401.00009", "--no-fetch", "--title", "{}"),
    ("add", "2401.00009", "--no-fetch", "--tag", "{}"),
    ("add", "2401.00009", "--no-fetch", "--note", "{}"),
    ("add", "2401.00009", "--no-fetch", "--priority", "{}"),
    ("note", "1", "{}"),
    ("tag", "1", "+{}"),
    ("tag", "1", "-{}"),
    ("tag", "{}", "+x"),
    ("show", "{}"),
    ("list", "--tag", "{}"),
    ("list", "--since", "{}"),
    ("todo", "--limit", "{}"),
    ("status", "1", "{}"),
    ("edit", "1", "--title", "{}"),
    ("edit", "1", "--url", "{}"),
    ("edit", "1", "--rating", "{}"),
    ("export", "--format", "{}"),
    ("tags", "--rename", "cuda", "{}"),
    ("rm", "{}", "--yes"),
    ("config", "set", "todo_limit", "{}"),
]

# Files handed to `import`: what reference managers, browsers and broken editors really leave behind.
FILES: dict[str, bytes] = {
    "escapes.md": b"# \x1b]0;pwned\x07Heading\n\n- [\x1b[31mred](https://e.example/a) \x07 note\n",
    "nul.md": b"# notes\x00\x00\n- https://arxiv.org/abs/2401.00003\n",
    "huge-int.jsonl": b'{"key": "arxiv:2401.00004", "url": "https://arxiv.org/abs/2401.00004", "priority": 99999999999999999999}\n',
    "not-json.jsonl": b"plain text\n{}\n",
    "wrong-types.jsonl": b'{"key": 1, "url": ["x"], "tags": "a"}\n',
    "braces.bib": b"@article{k, title = {Unbalanced {brace}, url = {https://e.example/}\n@misc{",
    "bad-csl.json": b'[{"type": "article", "title": {"x": 1}, "author": "nobody", "issued": 7}]',
    "bookmarks.html": b'<!DOCTYPE NETSCAPE-Bookmark-file-1><DL><DT><A HREF="javascript:alert(1)">x</A>'
    b'<DT><A HREF="https://e.example/\x1b]0;t\x07">\x1b[2Jclear</A></DL>',
    "binary.md": bytes(range(256)) * 4,
    "empty.md": b"",
    "utf16-no-bom.md": "# 标题\n- https://arxiv.org/abs/2401.00005\n".encode("utf-16-le"),
    "deep.md": b"".join(b"  " * n + b"- level\n" for n in range(200)) + b"> " * 200 + b"https://e.example/deep\n",
    "one-line.md": b" ".join(b"https://e.example/%d" % n for n in range(20000)),
    "bad.md.gz": b"\x1f\x8b\x08\x00garbage",
}
OUTPUT_ONLY = [
    ("digest",),
    ("list", "--format", "tsv"),
    ("show", "1", "--raw"),
    ("show", "2"),
    ("tags",),
    *(("export", "--format", fmt) for fmt in ("csv", "bibtex", "jsonl", "json", "markdown")),
]


@dataclass
class Case:
    label: str
    args: tuple[str, ...]
    files: dict[str, bytes] = field(default_factory=dict)  # written into the case's folder first


def cases() -> list[Case]:
    """Every payload in every place, every hostile file imported, then the read commands over a library that
    now holds hostile titles, tags and notes."""
    found = []
    for (kind, payloads), template in itertools.product(PAYLOADS.items(), TEMPLATES):
        for n, payload in enumerate(payloads):
            if kind == "long" and template[0] in ("rm", "config"):
                continue  # a 1 MB item reference or setting says nothing new
            args = tuple(part.replace("{}", payload) for part in template)
            found.append(Case(f"{' '.join(template[:2])} {kind}#{n}", args))
    for name, body in FILES.items():
        found.append(Case(f"import {name}", ("import", "{dir}/" + name), {name: body}))
        found.append(Case(f"import --dry-run {name}", ("import", "--dry-run", "{dir}/" + name), {name: body}))
    for args in OUTPUT_ONLY:
        found.append(Case(" ".join(args), args))
    return found


def sample(every: int) -> list[Case]:
    """A spread-out subset (for the fast test): every n-th typed value, every file imported, every read."""
    # `add ~` and `add /` really look for PDFs in those folders: right, but slow for a fast test.
    typed = [c for c in cases() if not c.files and c.args not in OUTPUT_ONLY and "add {} path" not in c.label]
    files = [c for c in cases() if c.files and c.args[1] != "--dry-run"]
    return typed[::every] + files + [Case(" ".join(args), args) for args in OUTPUT_ONLY]


HOSTILE_SETUP: list[tuple[str, ...]] = [
    ("add", "2401.00001", "--no-fetch", "--tag", "cuda", "--title", "KV cache \x1b]0;pwned\x07 paper"),
    ("add", "2401.00002", "--no-fetch", "--tag", "\x1b[31mred", "--note", "# x\n\x07 note \x9b2J"),
    ("add", "https://e.example/post", "--no-fetch", "--title", "=1+2"),
]
_RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")  # tab and newline are output's own


def defect(code: int, out: str, err: str) -> str | None:
    """What is wrong with one run, or None: an internal error, a traceback, an odd exit code, or a control
    character that reached the terminal (colours are off in these runs, so no escape is readlist's own)."""
    if "internal error" in err or "Traceback" in err or "Traceback" in out:
        return "internal error: " + (err.strip().splitlines() or [""])[0][:200]
    if code not in (0, 1, 2):
        return f"exit code {code}"
    for stream, text in (("stdout", out), ("stderr", err)):
        found = _RAW_CONTROL.search(text.replace("\r\n", "\n"))
        if found:
            return f"raw control character {found.group(0)!r} on {stream}"
    return None
