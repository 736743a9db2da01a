"""Fitting the model: TF-IDF over every item's features, then a linear classifier of the positives (or, with
too few of them, their nearest neighbours). The only module that imports scikit-learn and NumPy, and only when
a ranking command runs: `todo`, `search` and `add` never load them (docs/architecture.md#the-fast-path)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from readlist.location import Conn
from readlist.recommend.termcounts import Counted, Terms
from readlist.store.corpus import CorpusRow

if TYPE_CHECKING:
    import numpy as np

MIN_POSITIVES = 5  # below this a classifier learns noise: rank by similarity to the few there are
SVM_C = 0.5  # tuned on the leave-out benchmark (docs/recommend.md): C=0.03 → 0.75, 0.3 → 0.82, 1 → 0.82
KNN = 3  # the nearest positives a candidate's similarity is averaged over
CONTRAST_K = 5  # the inbox: nearest kept and skipped items compared (k = 3 and 5 tie on the benchmark; 8, 12 worse)


@dataclass
class Space:
    """Every item as a row of L2-normalised TF-IDF weights (word 1–2-grams, sublinear tf): the arrays of a CSR
    matrix, read with NumPy alone (`similar`, `tag --suggest`); `matrix` builds SciPy's for the models."""

    rows: list[CorpusRow]
    indptr: Any  # row n's terms are indices[indptr[n]:indptr[n + 1]]
    indices: Any  # int32 term ids
    data: Any  # float32 weights
    terms: Terms
    index: dict[int, int]  # item id → row
    _matrix: Any = None

    @property
    def matrix(self) -> Any:
        """scipy.sparse.csr_matrix, n_items × n_terms, float32 (SciPy loads only for the models that need it)."""
        if self._matrix is None:
            from scipy.sparse import csr_matrix

            self._matrix = csr_matrix((self.data, self.indices, self.indptr), shape=(len(self.rows), len(self.terms)))
        return self._matrix

    def row(self, n: int) -> tuple[Any, Any]:
        """(term ids, weights) of row n."""
        start, end = int(self.indptr[n]), int(self.indptr[n + 1])
        return self.indices[start:end], self.data[start:end]

    def similarities(self, n: int) -> np.ndarray:
        """The cosine similarity of row n to every row: one pass over the entries that share one of its terms."""
        import numpy as np

        ids, weights = self.row(n)
        mine = np.zeros(len(self.terms), dtype=np.float32)
        mine[ids] = weights
        shared = np.flatnonzero(mine[self.indices])
        rows = np.searchsorted(self.indptr, shared, side="right") - 1
        sims: np.ndarray = np.bincount(
            rows, weights=self.data[shared] * mine[self.indices[shared]], minlength=len(self.rows)
        )
        return sims

    def sums_over(self, rows: Sequence[int], ids: Any) -> np.ndarray:
        """The summed weights of `rows` at the terms `ids` (a tag's members at one item's terms: its why)."""
        import numpy as np

        at = np.full(len(self.terms), -1, dtype=np.int64)
        at[ids] = np.arange(len(ids))
        picked = np.zeros(len(self.rows), dtype=bool)
        picked[list(rows)] = True
        entries = np.flatnonzero(np.repeat(picked, np.diff(self.indptr)) & (at[self.indices] >= 0))
        sums: np.ndarray = np.bincount(at[self.indices[entries]], weights=self.data[entries], minlength=len(ids))
        return sums


def build_space(rows: Sequence[CorpusRow], counted: Counted | None = None) -> Space:
    """TF-IDF as scikit-learn's TfidfVectorizer(sublinear_tf=True) computes it (smooth idf, l2 rows), built
    with NumPy from each item's term counts; `counted` holds those of unchanged items (the cache)."""
    import numpy as np

    counted = counted or Counted()
    indptr, index, counts = counted.count(rows)
    terms = counted.terms()
    df = np.bincount(index, minlength=len(terms)).astype(np.float32)
    idf = np.log(np.float32(1 + len(rows)) / (1 + df)) + 1
    data = (1 + np.log(counts.astype(np.float32))) * idf[index]
    # l2 rows on the flat arrays (one pass; scipy's multiply builds two intermediate matrices)
    lengths = np.diff(indptr)
    row_of = np.repeat(np.arange(len(rows)), lengths)
    norms = np.sqrt(np.bincount(row_of, weights=data.astype(np.float64) ** 2, minlength=len(rows)))
    norms[norms == 0] = 1
    data /= np.repeat(norms, lengths).astype(np.float32)
    return Space(
        list(rows), indptr, index, data.astype(np.float32, copy=False), terms, {r.id: n for n, r in enumerate(rows)}
    )


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
    return _nearest_many(x, candidates, [examples], k)[0]


CHUNK_CELLS = 1 << 23  # similarities held at once per worker (32 MB of float32): a 100k library stays in memory
DENSE_SHARE = 1 / 256  # a term whose pairs of entries fill this share of the product goes through BLAS
DENSE_TERMS = 1024  # at most this many (10k items, 1,000 entries: ~200 terms, 95% of the pairs)


def _nearest_many(x: Any, candidates: Sequence[int], groups: Sequence[Sequence[int]], k: int) -> list[np.ndarray]:
    """`_nearest` for several groups of examples, over chunks of the candidates on every core (SciPy's sparse
    product, BLAS and NumPy's partition let go of the GIL: two cores rank the inbox in about half the time)."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    cands = np.asarray(candidates, dtype=np.int64)
    rows = x[cands]
    tasks = []
    for g, examples in enumerate(groups):
        ex = np.asarray(examples, dtype=np.int64)
        if not len(ex) or not len(cands):
            continue
        heavy, ex_dense, ex_t = _split_terms(rows, x[ex])
        where = np.full(x.shape[0], -1, dtype=np.int64)
        where[ex] = np.arange(len(ex))
        step = max(1, CHUNK_CELLS // len(ex))
        tasks += [
            (g, start, heavy, ex_dense, ex_t, where[cands[start : start + step]])
            for start in range(0, len(cands), step)
        ]
    out = [np.zeros(len(cands), dtype=np.float32) for _ in groups]

    def run(task: tuple[int, int, Any, Any, Any, Any]) -> None:
        g, start, heavy, ex_dense, ex_t, selves = task
        chunk = rows[start : start + len(selves)]
        sims = _dense_columns(chunk, heavy) @ ex_dense.T  # the frequent terms: most of the work, in BLAS
        sims += (chunk @ ex_t).toarray()  # the rest: sparse, few pairs
        own = np.flatnonzero(selves >= 0)
        sims[own, selves[own]] = 0  # an item is not its own neighbour
        top = min(k, sims.shape[1])
        out[g][start : start + len(selves)] = np.partition(sims, sims.shape[1] - top, axis=1)[:, -top:].mean(axis=1)

    workers = min(len(tasks), os.cpu_count() or 1, 4)
    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(run, tasks))
    else:
        for task in tasks:
            run(task)
    return out


def _split_terms(rows: Any, examples: Any) -> tuple[Any, Any, Any]:
    """The product rows @ examples.T in two parts: the terms frequent in both (their pairs of entries are most
    of a sparse product's work, and a dense one does them many times faster) as dense columns of the examples,
    and the examples' other terms as a sparse transpose. Returns (frequent term ids, dense, sparse)."""
    import numpy as np
    from scipy.sparse import csr_matrix

    pairs = np.bincount(rows.indices, minlength=rows.shape[1]).astype(np.float64) * np.bincount(
        examples.indices, minlength=examples.shape[1]
    )
    heavy = np.flatnonzero(pairs >= DENSE_SHARE * rows.shape[0] * examples.shape[0])
    if len(heavy) > DENSE_TERMS:
        heavy = heavy[np.argsort(-pairs[heavy], kind="stable")[:DENSE_TERMS]]
    light = np.ones(examples.shape[1], dtype=bool)
    light[heavy] = False
    keep = light[examples.indices]
    kept = np.concatenate([[0], np.cumsum(keep)])[examples.indptr]
    sparse = csr_matrix(
        (examples.data[keep], examples.indices[keep], kept), shape=examples.shape, dtype=np.float32
    ).T.tocsr()
    return heavy, _dense_columns(examples, heavy), sparse


def _dense_columns(x: Any, columns: Any) -> Any:
    """The columns of a CSR matrix as a dense float32 array (len(x) × len(columns))."""
    import numpy as np

    at = np.full(x.shape[1], -1, dtype=np.int64)
    at[columns] = np.arange(len(columns))
    where = at[x.indices]
    entries = np.flatnonzero(where >= 0)
    dense = np.zeros((x.shape[0], len(columns)), dtype=np.float32)
    row_of = np.searchsorted(x.indptr, entries, side="right") - 1
    dense[row_of, where[entries]] = x.data[entries]
    return dense


def contrast_fit(space: Space, kept: Sequence[int], candidates: Sequence[int], skipped: Sequence[int]) -> Fit:
    """How much nearer each candidate is to what the person kept than to what they skipped: the mean
    similarity to its CONTRAST_K nearest kept items minus that to its nearest skipped ones, each standardised.
    Neighbours keep a library's several topics apart where one centroid blurs them into an average nobody
    reads (leave-out benchmark, docs/recommend.md). No scikit-learn: the inbox runs every morning. Weights (for
    the why): the difference of the two centroids."""
    import numpy as np

    x = space.matrix
    near_kept, near_skipped = _nearest_many(x, candidates, [kept, skipped], CONTRAST_K)
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


def library_space(conn: Conn, saved: bytes | None = None) -> tuple[Space, bytes | None]:
    """The space of the library behind `conn`, and the term counts to save when they changed (None: as saved).
    `saved`: the counts kept in the library (only new or edited items are tokenised again: an edit, a note or a
    tag changes an item's text key). Statuses are read fresh, so a keep or skip counts on the next run."""
    from readlist.store.corpus import corpus

    rows = corpus(conn)
    counted = (Counted.from_bytes(saved) if saved else None) or Counted()
    space = build_space(rows, counted)
    return space, counted.to_bytes() if counted.changed else None
