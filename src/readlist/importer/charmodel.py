"""A character bigram model of written Chinese (plus the punctuation and symbols notes use).

Built offline by `scripts/build_char_model.py` from wordfreq's Chinese word list and clean notes, shipped
as a small gzip file, and topped up at run time with text the importer already knows is clean.
"""

from __future__ import annotations

import gzip
import math
from collections import Counter
from functools import lru_cache
from pathlib import Path

MODEL_FILE = Path(__file__).with_name("zh_char_model.tsv.gz")
_LAMBDA = 0.9  # weight of the bigram estimate against the unigram one
MIN_FREQUENCY = 1e-6  # a candidate rarer than once in a million characters never wins in context: not tried


class CharModel:
    """Interpolated bigram log-probabilities over characters."""

    def __init__(
        self,
        unigrams: Counter[str],
        bigrams: Counter[str],
        trigrams: Counter[str] | None = None,
    ) -> None:
        self.trigrams: Counter[str] = trigrams if trigrams is not None else Counter()
        self._cache: dict[str, float] = {}
        self._likely: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.unigrams = unigrams
        self.bigrams = bigrams
        self.total = max(1, sum(unigrams.values()))
        self.vocab = max(1, len(unigrams))

    def copy(self) -> CharModel:
        return CharModel(Counter(self.unigrams), Counter(self.bigrams), Counter(self.trigrams))

    def add_text(self, text: str, weight: int = 1) -> None:
        """Learn from text known to be correct (e.g. the undamaged lines of the file being repaired)."""
        self._cache.clear()
        self._likely.clear()
        for ch in text:
            self.unigrams[ch] += weight
        for a, b in zip(text, text[1:], strict=False):
            self.bigrams[a + b] += weight
        for i in range(len(text) - 2):
            self.trigrams[text[i : i + 3]] += weight
        self.total += len(text) * weight

    def likely(self, options: tuple[str, ...]) -> tuple[str, ...]:
        """The candidates common enough to be worth scoring in context, most frequent first (at least two):
        a character that lost two bytes has 64 candidates, of which a dozen are ever written."""
        found = self._likely.get(options)
        if found is None:
            ranked = sorted(options, key=lambda ch: self.unigrams.get(ch, 0), reverse=True)
            floor = self.total * MIN_FREQUENCY
            found = self._likely[options] = tuple(
                ch for n, ch in enumerate(ranked) if n < 2 or self.unigrams.get(ch, 0) >= floor
            )
        return found

    def unigram_logp(self, ch: str) -> float:
        return math.log((self.unigrams.get(ch, 0) + 0.1) / (self.total + 0.1 * self.vocab))

    def logp3(self, a: str | None, b: str | None, ch: str) -> float:
        """log P(ch | a b), memoised: the repair asks for the same few contexts many times."""
        key = f"{a or chr(0)}{b or chr(0)}{ch}"
        value = self._cache.get(key)
        if value is None:
            value = self._cache[key] = self._logp3(a, b, ch)
        return value

    def _logp3(self, a: str | None, b: str | None, ch: str) -> float:
        """Trigram, bigram and unigram estimates interpolated."""
        uni = (self.unigrams.get(ch, 0) + 0.1) / (self.total + 0.1 * self.vocab)
        b_count = self.unigrams.get(b, 0) if b else 0
        bi = self.bigrams.get(b + ch, 0) / b_count if b and b_count else 0.0
        ab = self.bigrams.get(a + b, 0) if a and b else 0
        tri = self.trigrams.get(a + b + ch, 0) / ab if a and b and ab else 0.0
        if ab:
            return math.log(0.55 * tri + 0.35 * bi + 0.1 * uni)
        return math.log(_LAMBDA * bi + (1 - _LAMBDA) * uni)


def read_counts(path: Path) -> tuple[Counter[str], Counter[str], Counter[str]]:
    grams: tuple[Counter[str], Counter[str], Counter[str]] = (Counter(), Counter(), Counter())
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            gram, _, count = line.rstrip("\n").rpartition("\t")
            grams[len(gram) - 1][gram] = int(count)
    return grams


@lru_cache(maxsize=1)
def _shipped_counts() -> tuple[Counter[str], Counter[str], Counter[str]]:
    return read_counts(MODEL_FILE)


def load() -> CharModel:
    """A fresh model (its own copy, since callers top it up) from the shipped counts."""
    unigrams, bigrams, trigrams = _shipped_counts()
    return CharModel(Counter(unigrams), Counter(bigrams), Counter(trigrams))
