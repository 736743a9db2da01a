"""Fitting the model: TF-IDF over every item's features, then a linear classifier of the positives (or, with
too few of them, their nearest neighbours). The only module that imports scikit-learn and NumPy, and only when
a ranking command runs: `todo`, `search` and `add` never load them (docs/architecture.md#the-fast-path)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from readlist.location import Conn
from readlist.recommend.features import item_features
from readlist.store.corpus import CorpusRow

if TYPE_CHECKING:
    import numpy as np

MIN_POSITIVES = 5  # below this a classifier learns noise: rank by similarity to the few there are
SVM_C = 0.5  # tuned on the leave-out benchmark (docs/recommend.md): C=0.03 → 0.75, 0.3 → 0.82, 1 → 0.82
KNN = 3  # the nearest positives a candidate's similarity is averaged over
CONTRAST_K = 5  # the inbox: nearest kept and skipped items compared (k = 3 and 5 tie on the benchmark; 8, 12 worse)


class Terms:
    """Term ids → terms: a list, or the cache's one string with each term's start (split only if searched)."""

    def __init__(self, terms: list[str] | None, joined: str = "", starts: Any = None) -> None:
        self._list = terms
        self._joined = joined
        self._starts = starts

    def __len__(self) -> int:
        return len(self._list) if self._list is not None else len(self._starts) - 1

    def __getitem__(self, n: int) -> str:
        if self._list is not None:
            return self._list[n]
        return self._joined[int(self._starts[n]) : int(self._starts[n + 1]) - 1]

    def _all(self) -> list[str]:
        if self._list is None:
            self._list = self._joined.split("\n")
        return self._list

    def __contains__(self, term: object) -> bool:
        return term in self._all()

    def index(self, term: str) -> int:
        return self._all().index(term)


@dataclass
class Space:
    """Every item as a row of L2-normalised TF-IDF weights (word 1–2-grams, sublinear tf)."""

    rows: list[CorpusRow]
    matrix: Any  # scipy.sparse.csr_matrix, n_items × n_terms, float32
    terms: Terms
    index: dict[int, int]  # item id → row


def build_space(rows: Sequence[CorpusRow], known: Counted | None = None) -> Space:
    """TF-IDF as scikit-learn's TfidfVectorizer(sublinear_tf=True) computes it (smooth idf, l2 rows), built
    with NumPy from each item's term counts; `known` holds counts of unchanged items from the cache."""
    import numpy as np
    from scipy.sparse import csr_matrix

    counted = known or Counted()
    columns, values, lengths = [], [], []
    for r in rows:
        ids, counts = counted.of(r)
        columns.append(ids)
        values.append(counts)
        lengths.append(len(ids))
    terms = counted.term_list()
    n_terms = len(terms)
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    index = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int32)
    data = np.concatenate(values) if values else np.zeros(0, dtype=np.float32)
    df = np.bincount(index, minlength=n_terms).astype(np.float32)
    idf = np.log((1 + len(rows)) / (1 + df)) + 1
    data = ((1 + np.log(data)) * idf[index]).astype(np.float32)
    # l2 rows on the flat arrays (one pass; scipy's multiply builds two intermediate matrices)
    row_of = np.repeat(np.arange(len(rows)), lengths)
    norms = np.sqrt(np.bincount(row_of, weights=data.astype(np.float64) ** 2, minlength=len(rows)))
    norms[norms == 0] = 1
    data /= np.repeat(norms, lengths).astype(np.float32)
    matrix = csr_matrix((data, index, indptr), shape=(len(rows), n_terms))
    return Space(list(rows), matrix, terms, {r.id: n for n, r in enumerate(rows)})


class Counted:
    """Each item's term ids and counts (keyed by a hash of its text) and the growing vocabulary: what the cache
    keeps, so only new or edited items are tokenised again. Stored as a few flat arrays and one string of terms,
    which load in milliseconds where a dict of small arrays took a second."""

    def __init__(self) -> None:
        import numpy as np

        self._terms: list[str] | None = []
        self._joined = ""
        self.vocabulary: dict[str, int] | None = {}
        self.keys: dict[int, tuple[str, int, int]] = {}  # item id → (text hash, start, end) in the arrays
        self.ids: Any = np.zeros(0, dtype=np.int32)
        self.counts: Any = np.zeros(0, dtype=np.float32)
        self._new_ids: list[Any] = []
        self._new_counts: list[Any] = []
        self._starts: Any = None
        self._size = 0
        self.changed = False

    @property
    def terms(self) -> list[str]:
        """Every term, in id order (splitting the stored string: only when new terms are added)."""
        if self._terms is None:
            self._terms = self._joined.split("\n") if self._joined else []
        return self._terms

    def term_list(self) -> Terms:
        """The terms as a ranking reads them: a few by id (the *why*), without splitting all of them."""
        if self._terms is not None or not self._joined:
            return Terms(self.terms)
        return Terms(None, self._joined, self._starts)

    @staticmethod
    def text_key(row: CorpusRow) -> str:
        """Changes when the item's text does (CRC-32 and length: cheap, and an id has few versions)."""
        import zlib

        text = "\x00".join([row.title, row.abstract or "", "\x01".join(row.tags), "\x01".join(row.notes)])
        return f"{zlib.crc32(text.encode('utf-8', 'surrogatepass')):08x}{len(text):x}"

    def of(self, row: CorpusRow) -> tuple[Any, Any]:
        import numpy as np

        key = self.text_key(row)
        known = self.keys.get(row.id)
        if known and known[0] == key and known[2] <= len(self.ids):
            return self.ids[known[1] : known[2]], self.counts[known[1] : known[2]]
        self.changed = True
        terms = self.terms
        if self.vocabulary is None:
            self.vocabulary = {t: n for n, t in enumerate(terms)}
        found: dict[int, int] = {}
        for term in item_features(row):
            at = self.vocabulary.get(term)
            if at is None:
                at = self.vocabulary[term] = len(terms)
                terms.append(term)
            found[at] = found.get(at, 0) + 1
        ids = np.fromiter(sorted(found), dtype=np.int32, count=len(found))
        counts = np.array([found[i] for i in ids.tolist()], dtype=np.float32)
        start = max(self._size, len(self.ids))
        self._size = start + len(ids)
        self._new_ids.append(ids)
        self._new_counts.append(counts)
        self.keys[row.id] = (key, start, self._size)
        return ids, counts

    def to_bytes(self) -> bytes:
        """An `.npz` archive of the counts, the terms and each item's text key and span (no pickle: the library
        may be shared, and loading it must not run anyone's code)."""
        import io

        import numpy as np

        self.ids = np.concatenate([self.ids, *self._new_ids]) if self._new_ids else self.ids
        self.counts = np.concatenate([self.counts, *self._new_counts]) if self._new_counts else self.counts
        self._new_ids, self._new_counts = [], []
        self._size = len(self.ids)
        items = np.fromiter(self.keys, dtype=np.int64, count=len(self.keys))
        spans = np.array([[start, end] for _key, start, end in self.keys.values()], dtype=np.int64).reshape(-1, 2)
        lengths = np.fromiter((len(t) + 1 for t in self.terms), dtype=np.int64, count=len(self.terms))
        out = io.BytesIO()
        np.savez(
            out,
            terms=np.frombuffer("\n".join(self.terms).encode("utf-8"), dtype=np.uint8),
            starts=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
            items=items,
            text_keys=np.frombuffer("\n".join(k for k, _s, _e in self.keys.values()).encode("ascii"), np.uint8),
            spans=spans,
            ids=self.ids,
            counts=np.minimum(self.counts, 65535).astype(np.uint16),  # a term's count in one item: small
        )
        return out.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Counted | None:
        """What `to_bytes` saved; None when it cannot be read (then everything is counted again)."""
        import io
        import zipfile

        import numpy as np

        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as archive:
                joined = archive["terms"].tobytes().decode("utf-8")
                starts = archive["starts"]
                items = archive["items"].tolist()
                text_keys = archive["text_keys"].tobytes().decode("ascii").split("\n")
                spans = archive["spans"].tolist()
                ids, counts = archive["ids"].astype(np.int32), archive["counts"].astype(np.float32)
        except (OSError, ValueError, KeyError, UnicodeDecodeError, zipfile.BadZipFile):
            return None
        if len(items) != len(spans) or (items and len(text_keys) != len(items)):
            return None
        n_terms = len(starts) - 1
        if n_terms < 0 or (len(ids) and (int(ids.max()) >= n_terms or int(ids.min()) < 0)) or len(ids) != len(counts):
            return None
        if any(not 0 <= start <= end <= len(ids) for start, end in spans):
            return None
        counted = cls()
        # The terms stay one string until a new term must be added (split only then: most runs add none).
        counted._terms, counted._joined, counted._starts = (None, joined, starts) if n_terms else ([], "", None)
        counted.vocabulary = None
        counted.keys = {i: (k, start, end) for i, k, (start, end) in zip(items, text_keys, spans, strict=True)}
        counted.ids, counted.counts = ids, counts
        counted._size = len(ids)
        return counted

    def forget(self, present: set[int]) -> None:
        """Drop removed items; the arrays are compacted when more than half of them is garbage."""
        import numpy as np

        gone = [i for i in self.keys if i not in present]
        for i in gone:
            del self.keys[i]
        used = sum(end - start for _key, start, end in self.keys.values())
        if gone:
            self.changed = True
        if self.keys and used * 2 < self._size and not self._new_ids:
            order = sorted(self.keys.items(), key=lambda kv: kv[1][1])
            self.ids = np.concatenate([self.ids[s:e] for _i, (_k, s, e) in order])
            self.counts = np.concatenate([self.counts[s:e] for _i, (_k, s, e) in order])
            at = 0
            for item_id, (key, start, end) in order:
                self.keys[item_id] = (key, at, at + end - start)
                at += end - start
            self._size = at


@dataclass
class Fit:
    """Scores of every row and the per-term weights behind them (what a *why* is read from)."""

    scores: np.ndarray
    weights: np.ndarray
    learned: bool  # False: nearest neighbours (too few positives to learn from)


def similarity_fit(space: Space, positives: Sequence[int], candidates: Sequence[int], mask: Sequence[int] = ()) -> Fit:
    """Each candidate's mean cosine similarity to its KNN nearest positives (itself left out); weights: the
    positives' centroid. Scores are indexed like `candidates`."""
    import numpy as np

    x = space.matrix
    if mask:
        x = _without_columns(x, mask)
    pos = x[list(positives)]
    centroid = np.asarray(pos.mean(axis=0)).ravel() if len(positives) else np.zeros(x.shape[1], dtype=np.float32)
    if not len(positives) or not len(candidates):
        return Fit(np.zeros(len(candidates), dtype=np.float32), centroid, learned=False)
    return Fit(_nearest(x, candidates, positives, KNN), centroid, learned=False)


def _nearest(x: Any, candidates: Sequence[int], examples: Sequence[int], k: int) -> np.ndarray:
    """Each candidate's mean cosine similarity to its k most similar examples (itself left out)."""
    import numpy as np

    sims = (x[list(candidates)] @ x[list(examples)].T).toarray()
    where = {e: n for n, e in enumerate(examples)}
    for row, c in enumerate(candidates):
        if c in where:
            sims[row, where[c]] = 0  # an item is not its own neighbour
    k = min(k, len(examples))
    top: np.ndarray = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:].mean(axis=1)
    return top


def contrast_fit(space: Space, kept: Sequence[int], candidates: Sequence[int], skipped: Sequence[int]) -> Fit:
    """How much nearer each candidate is to what the person kept than to what they skipped: the mean
    similarity to its CONTRAST_K nearest kept items minus that to its nearest skipped ones, each standardised.
    Neighbours keep a library's several topics apart where one centroid blurs them into an average nobody
    reads (leave-out benchmark, docs/recommend.md). No scikit-learn: the inbox runs every morning. Weights (for
    the why): the difference of the two centroids."""
    import numpy as np

    x = space.matrix
    near_kept = _nearest(x, candidates, kept, CONTRAST_K)
    near_skipped = _nearest(x, candidates, skipped, CONTRAST_K)
    weights = np.asarray(x[list(kept)].mean(axis=0)).ravel() - np.asarray(x[list(skipped)].mean(axis=0)).ravel()
    return Fit(_standard(near_kept) - _standard(near_skipped), weights.astype(np.float32), learned=True)


def learned_fit(
    space: Space,
    positives: Sequence[int],
    candidates: Sequence[int],
    negatives: Sequence[int] | None = None,
    mask: Sequence[int] = (),
    *,
    fast: bool = False,
) -> Fit:
    """A class-balanced linear SVM of the positives against the negatives (default: every other row); `fast`:
    the difference of their centroids (Rocchio) blended with nearest-neighbour similarity, which needs no
    scikit-learn (its import alone costs ~1 s: the inbox on every run cannot pay it). Similarity alone with fewer
    than MIN_POSITIVES. Scores are indexed like `candidates`."""
    import numpy as np

    near = similarity_fit(space, positives, candidates, mask)
    x = space.matrix
    if mask:
        x = _without_columns(x, mask)
    pos = set(positives)
    neg = [n for n in (range(x.shape[0]) if negatives is None else negatives) if n not in pos]
    if len(positives) < MIN_POSITIVES or not neg:
        return near
    if fast:
        weights = np.asarray(x[list(positives)].mean(axis=0)).ravel() - np.asarray(x[neg].mean(axis=0)).ravel()
        scores = np.asarray(x[list(candidates)] @ weights).ravel()
        return Fit(_standard(scores) + _standard(near.scores), weights.astype(np.float32), learned=True)
    # scikit-learn is imported here only: the ranking commands that need it, never todo, search or add.
    from sklearn.svm import LinearSVC

    labels = np.array([1] * len(positives) + [0] * len(neg))
    svm = LinearSVC(C=SVM_C, class_weight="balanced", tol=1e-4, max_iter=2000)
    svm.fit(x[list(positives) + neg], labels)
    weights = np.asarray(svm.coef_.ravel(), dtype=np.float32)
    return Fit(np.asarray(x[list(candidates)] @ weights).ravel(), weights, learned=True)


def _standard(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 0 else values * 0


def _without_columns(x: Any, columns: Sequence[int]) -> Any:
    """The matrix with some terms zeroed (a tag's own feature when learning that tag)."""
    import numpy as np
    from scipy.sparse import diags

    keep = np.ones(x.shape[1], dtype=np.float32)
    keep[list(columns)] = 0
    return (x @ diags(keep)).tocsr()


CACHE_VERSION = 5  # 5: single Chinese characters and mis-cut fragments are no longer terms
CACHE_NAME = f"terms.v{CACHE_VERSION}"  # the row of the library's `termcache` table


def library_space(conn: Conn, saved: bytes | None = None) -> tuple[Space, bytes | None]:
    """The space of the library behind `conn`, and the term counts to save when they changed (None: as saved).
    `saved`: the counts kept in the library (only new or edited items are tokenised again: an edit, a note or a
    tag changes an item's text key). Statuses are read fresh, so a keep or skip counts on the next run."""
    from readlist.store.corpus import corpus

    rows = corpus(conn)
    counted = (Counted.from_bytes(saved) if saved else None) or Counted()
    space = build_space(rows, counted)
    counted.forget({r.id for r in rows})
    return space, counted.to_bytes() if counted.changed else None
