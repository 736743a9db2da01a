"""A character trigram model of written Chinese (plus the punctuation and symbols notes use).

Built offline by `scripts/build_char_model.py` from wordfreq's Chinese word list and clean notes, shipped
as a small gzip file, and topped up at run time with text the importer already knows is clean.
"""

from __future__ import annotations

import gzip
import math
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

MODEL_FILE = Path(__file__).with_name("zh_char_model.tsv.gz")
_LAMBDA = 0.9  # weight of the bigram estimate against the unigram one
CACHE_ENTRIES = 150_000  # memoised log-probabilities a generation (two are kept, ~60 MB): memory stays flat
MIN_FREQUENCY = 1e-6  # a candidate rarer than once in a million characters never wins in context: not tried


class CharModel:
    """Interpolated trigram log-probabilities over characters. Counts of 1-, 2- and 3-grams live in one dict
    (their keys never collide): one lookup each, and the shipped model loads with C-level splits."""

    def __init__(
        self,
        unigrams: Mapping[str, int],
        bigrams: Mapping[str, int],
        trigrams: Mapping[str, int] | None = None,
    ) -> None:
        grams = {**bigrams, **(trigrams or {}), **unigrams}
        self._setup(grams, sum(unigrams.values()), len(unigrams))

    def _setup(self, grams: dict[str, int], total: int, vocab: int) -> None:
        self.grams = grams
        self.total = max(1, total)
        self.vocab = max(1, vocab)
        self._cache: dict[str, float] = {}
        self._older: dict[str, float] = {}  # the generation before _cache (see logp3_each)
        self._likely: dict[tuple[str, ...], tuple[str, ...]] = {}

    @classmethod
    def from_grams(cls, grams: dict[str, int], total: int, vocab: int) -> CharModel:
        model = cls.__new__(cls)
        model._setup(grams, total, vocab)
        return model

    def copy(self) -> CharModel:
        return CharModel.from_grams(dict(self.grams), self.total, self.vocab)

    def add_text(self, text: str, weight: int = 1) -> None:
        """Learn from text known to be correct (e.g. the undamaged lines of the file being repaired)."""
        self._cache.clear()
        self._older.clear()
        self._likely.clear()
        grams = self.grams
        for n in (1, 2, 3):
            for i in range(len(text) - n + 1):
                gram = text[i : i + n]
                if n == 1 and gram not in grams:
                    self.vocab += 1
                grams[gram] = grams.get(gram, 0) + weight
        self.total += len(text) * weight

    def likely(self, options: tuple[str, ...]) -> tuple[str, ...]:
        """The candidates common enough to be worth scoring in context, most frequent first (at least two):
        a character that lost two bytes has 64 candidates, of which a dozen are ever written."""
        found = self._likely.get(options)
        if found is None:
            ranked = sorted(options, key=lambda ch: self.grams.get(ch, 0), reverse=True)
            floor = self.total * MIN_FREQUENCY
            found = self._likely[options] = tuple(
                ch for n, ch in enumerate(ranked) if n < 2 or self.grams.get(ch, 0) >= floor
            )
        return found

    def unigram_logp(self, ch: str) -> float:
        return math.log((self.grams.get(ch, 0) + 0.1) / (self.total + 0.1 * self.vocab))

    def logp3(self, a: str | None, b: str | None, ch: str) -> float:
        """log P(ch | a b), memoised: the repair asks for the same few contexts many times."""
        return self.logp3_each(a, b, (ch,))[0]

    def logp3_each(self, a: str | None, b: str | None, chars: tuple[str, ...]) -> list[float]:
        """log P(ch | a b) for each of `chars`, the context's part of the key made once (a beam search asks this
        for every reading it holds). Two generations of at most CACHE_ENTRIES each are remembered: a long garbled
        file asks for millions of contexts, and kept, they grew its reader past 200 MB."""
        context = f"{a or chr(0)}{b or chr(0)}"
        cache = self._cache
        out = []
        for ch in chars:
            key = context + ch
            value = cache.get(key)
            if value is None:
                value = self._older.get(key)
                if value is None:
                    value = self._logp3(a, b, ch)
                if len(cache) >= CACHE_ENTRIES:  # the older generation goes: what was asked again since stays
                    self._older, cache = cache, {}
                    self._cache = cache
                cache[key] = value
            out.append(value)
        return out

    def _logp3(self, a: str | None, b: str | None, ch: str) -> float:
        """Trigram, bigram and unigram estimates interpolated."""
        grams = self.grams
        uni = (grams.get(ch, 0) + 0.1) / (self.total + 0.1 * self.vocab)
        b_count = grams.get(b, 0) if b else 0
        bi = grams.get(b + ch, 0) / b_count if b and b_count else 0.0
        ab = grams.get(a + b, 0) if a and b else 0
        tri = grams.get(a + b + ch, 0) / ab if a and b and ab else 0.0
        if ab:
            return math.log(0.55 * tri + 0.35 * bi + 0.1 * uni)
        return math.log(_LAMBDA * bi + (1 - _LAMBDA) * uni)


def read_counts(path: Path) -> tuple[dict[str, int], int, int]:
    """All n-gram counts of a `gram<TAB>count` file, the characters' total and how many there are. Splitting
    the whole text at once (no n-gram holds a tab or newline) is ~10x faster than a loop over lines."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        parts = fh.read().rstrip("\n").replace("\t", "\n").split("\n")
    grams = dict(zip(parts[0::2], map(int, parts[1::2]), strict=True))
    unigrams = [n for gram, n in grams.items() if len(gram) == 1]
    return grams, sum(unigrams), len(unigrams)


@lru_cache(maxsize=1)
def _shipped_counts() -> tuple[dict[str, int], int, int]:
    return read_counts(MODEL_FILE)


def load() -> CharModel:
    """A fresh model (its own copy, since callers top it up) from the shipped counts."""
    grams, total, vocab = _shipped_counts()
    return CharModel.from_grams(dict(grams), total, vocab)
