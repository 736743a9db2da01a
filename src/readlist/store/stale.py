"""What a re-imported notes file no longer says about an item it still mentions: the notes and source lines that
came from an older version of that file (a heading renamed or added above moves a note to another section: it
was added beside the old one, which stayed, searchable, for good).

Only notes the file gave (an imported note, never one a person wrote or edited: `author` is set then) and only
for the items this import read from that file. A note whose text the file still holds under another heading is
kept. An item the file no longer mentions at all keeps what it had: a removed line is not read as a removal.
"""

from __future__ import annotations

from collections import defaultdict

from readlist.store.rows import CHUNK
from readlist.store.txn import Tx


def forget_stale(tx: Tx, mentions: set[tuple[int, str]], noted: set[int], placed: set[int]) -> tuple[int, int]:
    """Delete what the files of `mentions` ((item id, file) pairs this import read) no longer give those items:
    notes from the file whose section (`noted`: hashes of (item id, note source)) and text (of (item id, body))
    this import did not give, source lines whose section it did not place (`placed`: hashes of (item id, file,
    section)). Returns (notes, source lines) deleted; the items whose notes went are re-indexed."""
    files: dict[int, set[str]] = defaultdict(set)
    for item_id, file in mentions:
        files[item_id].add(file)
    ids = sorted(files)
    notes: list[int] = []
    sources: list[int] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = ",".join("?" * len(chunk))
        for note_id, item_id, source, body in tx.conn.execute(
            f"SELECT id, item_id, source, body FROM note WHERE item_id IN ({marks}) AND source IS NOT NULL "
            "AND author IS NULL",
            chunk,
        ):
            from_file = any(str(source).startswith(f"{file}#") for file in files[item_id])
            if from_file and hash((item_id, source)) not in noted and hash((item_id, body)) not in noted:
                notes.append(note_id)
                tx.touched.add(item_id)
        for source_id, item_id, file, section in tx.conn.execute(
            f"SELECT id, item_id, file, section FROM source WHERE item_id IN ({marks})", chunk
        ):
            if file in files[item_id] and hash((item_id, file, section)) not in placed:
                sources.append(source_id)
    for table, gone in (("note", notes), ("source", sources)):
        for start in range(0, len(gone), CHUNK):
            part = gone[start : start + CHUNK]
            tx.conn.execute(f"DELETE FROM {table} WHERE id IN ({','.join('?' * len(part))})", part)
    return len(notes), len(sources)
