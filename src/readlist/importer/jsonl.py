"""A readlist JSON/JSONL export → drafts, so a teammate's list merges by canonical key.

Every value that crosses into the library is checked here; a bad one is an error naming the line and field.
"""

import json
from collections.abc import Mapping

from readlist.errors import InvalidInputError
from readlist.store.serialize import HINT, to_draft

__all__ = ["looks_like_export", "parse_records", "to_draft"]


def looks_like_export(text: str) -> bool:
    head = text.lstrip()[:200]
    return head.startswith("{") or (head.startswith("[") and '"key"' in text[:2000])


def parse_records(text: str, name: str) -> list[tuple[str, Mapping[str, object]]]:
    """(where, record) pairs; `where` names the line (JSONL) or item (JSON array) for error messages.
    A record is only known to be a JSON object with a key and a URL: to_draft checks every other value."""
    stripped = text.strip()
    rows: list[tuple[str, object]]
    line_number = 0  # the file's line a JSON lines error is on (json counts the lines of what it was given)
    try:
        if stripped.startswith("["):
            rows = [(f"{name} item {n}", r) for n, r in enumerate(json.loads(stripped), 1)]
        else:
            rows = []
            # Lines end in \n, \r\n or \r; not splitlines: a U+2028 may sit inside a string (a raw \r cannot)
            for line_number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
                if line.strip():
                    rows.append((f"{name} line {line_number}", json.loads(line)))
    except json.JSONDecodeError as exc:
        at = line_number or exc.lineno
        raise InvalidInputError(f"{name} is not valid JSON (line {at}: {exc.msg})", HINT) from None
    except RecursionError:
        raise InvalidInputError(f"{name} nests arrays or objects too deeply to read", HINT) from None
    records: list[tuple[str, Mapping[str, object]]] = []
    for where, row in rows:
        if not isinstance(row, dict) or not row.get("key") or not isinstance(row.get("url"), str):
            raise InvalidInputError(f"{where} is not a readlist item (items need key and url)", HINT)
        records.append((where, row))
    return records
