"""Whether a reference names a removed item: by its old number, key, arXiv ID or URL. Apart from the trash
itself so that a failed lookup can say "it is in the trash" without the trash's write machinery."""

from __future__ import annotations

import json
from collections.abc import Mapping

from readlist.errors import InvalidInputError, NotFoundError
from readlist.ids import parse_item_ref, parse_reference
from readlist.location import Conn


def refers_to(key: str, record: Mapping[str, object], ref: str) -> bool:
    """Whether `ref` names the removed item with this key and export record."""
    raw = ref.strip()
    if raw.isdecimal():
        return str(record.get("id")) == raw
    keys = {raw}
    for parse in (parse_item_ref, parse_reference):
        try:
            parsed = parse(raw)
        except InvalidInputError:
            continue
        keys.add(str(parsed[1]) if isinstance(parsed, tuple) else parsed.key)
    return key in keys


def not_found(conn: Conn, ref: str) -> NotFoundError:
    """The error for a reference that names no item; one in the trash says how to bring it back."""
    for key, record in conn.execute("SELECT key, record FROM tombstone").fetchall():
        if refers_to(str(key), json.loads(record) if isinstance(record, str) else dict(record), ref):
            return NotFoundError(f"no item {ref}: it is in the trash", f"bring it back with: readlist restore {ref}")
    return NotFoundError(f"no item {ref}", 'run "readlist list" to see ids')
