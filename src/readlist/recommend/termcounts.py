"""Each item's term counts, kept in the library (table `termcache`) so that only new or edited items are
tokenised: the flat arrays of a sparse matrix, one text key per item and the vocabulary as one string, in a raw
format that loads without a copy and without pickle (a shared library must not run anyone's code on load)."""

from __future__ import annotations

import itertools
import json
import struct
from collections import Counter
from collections.abc import Sequence
from typing import Any

from readlist.recommend.features import item_features
from readlist.store.corpus import CorpusRow

CACHE_VERSION = 6  # 6: raw arrays read in place (5: an .npz archive, unzipped and copied on every run)
CACHE_NAME = f"terms.v{CACHE_VERSION}"  # the row of the library's `termcache` table
MAGIC = b"readlist term counts\n"
_ARRAYS = {"items": "<i8", "keys": "<u8", "indptr": "<i8", "ids": "<i4", "counts": "<u2", "vocabulary": "u1"}


class Terms:
    """Term ids → terms: the cached vocabulary (one UTF-8 string, a term decoded only when a *why* names it)
    followed by the terms new in this run."""

    def __init__(self, blob: bytes = b"", size: int = 0, extra: Sequence[str] = ()) -> None:
        self._blob = blob
        self._size = size  # terms in the blob
        self._extra = list(extra)
        self._starts: Any = None

    def __len__(self) -> int:
        return self._size + len(self._extra)

    def _bounds(self) -> Any:
        if self._starts is None:
            import numpy as np

            ends = np.flatnonzero(np.frombuffer(self._blob, dtype=np.uint8) == 10)
            self._starts = np.concatenate([[0], ends + 1, [len(self._blob) + 1]]).astype(np.int64)
        return self._starts

    def __getitem__(self, n: int) -> str:
        if n >= self._size:
            return self._extra[n - self._size]
        starts = self._bounds()
        return self._blob[int(starts[n]) : int(starts[n + 1]) - 1].decode("utf-8", "surrogatepass")

    def find(self, term: str) -> int | None:
        """The id of a term, or None (one search of the string: no dictionary of every term is built)."""
        import numpy as np

        if term in self._extra:
            return self._size + self._extra.index(term)
        needle = term.encode("utf-8", "surrogatepass")
        at = (b"\n" + self._blob + b"\n").find(b"\n" + needle + b"\n") if self._size else -1
        return None if at < 0 else int(np.searchsorted(self._bounds(), at))

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.find(term) is not None

    def index(self, term: str) -> int:
        found = self.find(term)
        if found is None:
            raise ValueError(term)
        return found

    def all(self) -> list[str]:
        return (self._blob.decode("utf-8", "surrogatepass").split("\n") if self._size else []) + self._extra


def text_key(row: CorpusRow) -> int:
    """Changes when the item's text does (CRC-32 and length: cheap, and an id has few versions)."""
    import zlib

    text = "\x00".join([row.title, row.abstract or "", "\x01".join(row.tags), "\x01".join(row.notes)])
    return (zlib.crc32(text.encode("utf-8", "surrogatepass")) << 32) | (len(text) & 0xFFFFFFFF)


class Counted:
    """The cache: item ids and their text keys, each item's term ids and counts as the rows of one sparse matrix
    (`indptr`, `ids`, `counts`), and the vocabulary. `count(rows)` reuses the rows whose text is unchanged."""

    def __init__(self, arrays: dict[str, Any] | None = None, n_terms: int = 0) -> None:
        import numpy as np

        arrays = arrays or {}
        self.items = arrays.get("items", np.zeros(0, dtype=np.int64))
        self.keys = arrays.get("keys", np.zeros(0, dtype=np.uint64))
        self.indptr = arrays.get("indptr", np.zeros(1, dtype=np.int64))
        self.ids = arrays.get("ids", np.zeros(0, dtype=np.int32))
        self.counts = arrays.get("counts", np.zeros(0, dtype=np.uint16))
        self.blob: bytes = arrays["vocabulary"].tobytes() if "vocabulary" in arrays else b""
        self.n_terms = n_terms
        self.new_terms: list[str] = []
        self._vocabulary: dict[str, int] | None = None
        self.changed = False

    def terms(self) -> Terms:
        return Terms(self.blob, self.n_terms, self.new_terms)

    def count(self, rows: Sequence[CorpusRow]) -> tuple[Any, Any, Any]:
        """(indptr, term ids, counts) of `rows`, in their order: the cached rows of unchanged items, the others
        tokenised now. Afterwards the cache holds exactly `rows` (removed items are dropped); `changed` says
        whether it must be saved."""
        import numpy as np

        n = len(rows)
        current = np.fromiter((r.id for r in rows), dtype=np.int64, count=n)
        keys = np.fromiter((text_key(r) for r in rows), dtype=np.uint64, count=n)
        if len(self.items) == n and np.array_equal(self.items, current) and np.array_equal(self.keys, keys):
            return self.indptr, self.ids, self.counts  # nothing changed: the saved arrays as they are
        same = np.zeros(n, dtype=bool)
        cached = np.zeros(n, dtype=np.int64)
        lengths = np.zeros(n, dtype=np.int64)
        if len(self.items):
            order = np.argsort(self.items, kind="stable")
            cached = order[np.minimum(np.searchsorted(self.items[order], current), len(order) - 1)]
            same = (self.items[cached] == current) & (self.keys[cached] == keys)
            lengths[same] = (self.indptr[cached + 1] - self.indptr[cached])[same]
        fresh = np.flatnonzero(~same)
        fresh_ids, fresh_counts, fresh_lengths = self._tokenise([rows[int(r)] for r in fresh])
        lengths[fresh] = fresh_lengths
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        out_ids = np.empty(int(indptr[-1]), dtype=np.int32)
        out_counts = np.empty(int(indptr[-1]), dtype=np.uint16)
        # Each row's entries in one gather: a destination position minus its row's start plus the source's.
        where = np.flatnonzero(np.repeat(same, lengths))
        shift = np.repeat((self.indptr[cached] - indptr[:-1])[same], lengths[same])
        out_ids[where] = self.ids[where + shift]
        out_counts[where] = self.counts[where + shift]
        where = np.flatnonzero(np.repeat(~same, lengths))
        out_ids[where] = fresh_ids
        out_counts[where] = fresh_counts
        self.items, self.keys, self.indptr, self.ids, self.counts = current, keys, indptr, out_ids, out_counts
        self.changed = True
        return indptr, out_ids, out_counts

    def _tokenise(self, rows: Sequence[CorpusRow]) -> tuple[Any, Any, Any]:
        """(term ids, counts, entries per row) of rows counted now, each row's term ids in ascending order."""
        import numpy as np

        vocabulary = self.vocabulary()
        terms: list[str] = []
        counts: list[int] = []
        lengths = np.zeros(len(rows), dtype=np.int64)
        for n, row in enumerate(rows):
            found = Counter(item_features(row))
            terms.extend(found)
            counts.extend(found.values())
            lengths[n] = len(found)
        # New terms take the next ids in the order met; then every term's id in one pass at C speed.
        new = list(itertools.filterfalse(vocabulary.__contains__, dict.fromkeys(terms)))
        vocabulary.update(zip(new, range(len(vocabulary), len(vocabulary) + len(new)), strict=True))
        self.new_terms.extend(new)
        ids = np.fromiter(map(vocabulary.__getitem__, terms), dtype=np.int32, count=len(terms))
        row_of = np.repeat(np.arange(len(rows)), lengths)
        order = np.lexsort((ids, row_of))
        small = np.minimum(np.array(counts, dtype=np.int64), 65535).astype(np.uint16)  # a term's count: small
        return ids[order], small[order], lengths

    def vocabulary(self) -> dict[str, int]:
        """term → id, built only when an item must be tokenised (the inbox of an unchanged library never is)."""
        if self._vocabulary is None:
            cached = self.blob.decode("utf-8", "surrogatepass").split("\n") if self.n_terms else []
            self._vocabulary = {t: n for n, t in enumerate([*cached, *self.new_terms])}
        return self._vocabulary

    def to_bytes(self) -> bytes:
        """The raw format: MAGIC, the header's length and JSON header (each array's dtype, offset and length),
        then the arrays, each at a multiple of 8 bytes."""
        import numpy as np

        blob = self.blob
        if self.new_terms:
            blob = (blob + b"\n" if self.n_terms else b"") + "\n".join(self.new_terms).encode("utf-8", "surrogatepass")
        arrays = {
            "items": self.items,
            "keys": self.keys,
            "indptr": self.indptr,
            "ids": self.ids,
            "counts": self.counts,
            "vocabulary": np.frombuffer(blob, dtype=np.uint8),
        }
        header: dict[str, Any] = {"terms": self.n_terms + len(self.new_terms), "arrays": {}}
        parts, at = [], 0
        for name, dtype in _ARRAYS.items():
            data = np.ascontiguousarray(arrays[name], dtype=dtype).tobytes()
            header["arrays"][name] = [at, len(data)]
            parts.append(data + b"\0" * (-len(data) % 8))
            at += len(parts[-1])
        head = json.dumps(header).encode("ascii")
        head += b" " * (-(len(MAGIC) + 8 + len(head)) % 8)
        return b"".join([MAGIC, struct.pack("<Q", len(head)), head, *parts])

    @classmethod
    def from_bytes(cls, data: bytes) -> Counted | None:
        """What `to_bytes` saved, its arrays read in place; None when it is not that (everything is counted
        again)."""
        import numpy as np

        try:
            if not data.startswith(MAGIC):
                return None
            (size,) = struct.unpack_from("<Q", data, len(MAGIC))
            start = len(MAGIC) + 8 + size
            header = json.loads(data[len(MAGIC) + 8 : start])
            arrays = {}
            for name, dtype in _ARRAYS.items():
                offset, length = header["arrays"][name]
                if offset < 0 or length < 0 or start + offset + length > len(data):
                    return None
                arrays[name] = np.frombuffer(
                    data, dtype=dtype, count=length // np.dtype(dtype).itemsize, offset=start + offset
                )
            n_terms = int(header["terms"])
        except (ValueError, KeyError, TypeError, struct.error):
            return None
        items, indptr, ids = arrays["items"], arrays["indptr"], arrays["ids"]
        blob = arrays["vocabulary"]
        if len(arrays["keys"]) != len(items) or len(indptr) != len(items) + 1 or len(ids) != len(arrays["counts"]):
            return None
        if indptr[0] != 0 or indptr[-1] != len(ids) or (len(items) and np.any(np.diff(indptr) < 0)):
            return None
        if n_terms != (int(np.count_nonzero(blob == 10)) + 1 if len(blob) else 0):
            return None
        if len(ids) and (int(ids.min()) < 0 or int(ids.max()) >= n_terms):
            return None
        return cls(arrays, n_terms)
