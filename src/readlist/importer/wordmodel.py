"""Words of Chinese: jieba's dictionary (the one the search index's segmenter has built in), word → count.

It tells how much better a stretch of text reads as dictionary words than as loose characters. The mojibake
repair asks it when the character model finds two readings close: 抛砖引玉 is a word where 抛砖引等 is none,
though 引玉 and 引等 are both rare character pairs. Built by `scripts/build_char_model.py`; loaded only when
a file has mojibake.
"""

from __future__ import annotations

import gzip
import math
from functools import lru_cache
from pathlib import Path

WORDS_FILE = Path(__file__).with_name("zh_words.tsv.gz")
LONGEST = 6  # words longer than this are names and idioms a damaged character rarely sits in


class WordModel:
    """Each dictionary word's cohesion: log P(word) less log P of its characters each read on its own."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.count = counts
        total = max(1, sum(counts.values()))
        self.log_total = math.log(total)
        self.floor = math.log(0.5 / total)  # a character the dictionary lacks: rarer than its rarest word
        self._cohesion: dict[str, float] = {}

    def score(self, text: str) -> float:
        """The most cohesion a split of `text` into words gives (0 for characters that form no word). The
        characters' own frequencies are left out: the character model already weighs them, and counting
        them twice made 不, the most common of 不/与/中 (which lose the same byte), win everywhere."""
        best = [0.0] * (len(text) + 1)
        for end in range(1, len(text) + 1):
            top = best[end - 1]
            for size in range(2, min(LONGEST, end) + 1):
                gain = self.cohesion(text[end - size : end])
                if gain is not None and best[end - size] + gain > top:
                    top = best[end - size] + gain
            best[end] = top
        return best[-1]

    def cohesion(self, word: str) -> float | None:
        """How much likelier `word` is than its characters apart; None if it is no dictionary word."""
        value = self._cohesion.get(word)
        if value is None:
            seen = self.count.get(word)
            if seen is None:
                return None
            value = math.log(seen) - self.log_total - sum(self._alone(c) for c in word)
            self._cohesion[word] = value
        return value

    def _alone(self, ch: str) -> float:
        seen = self.count.get(ch)
        return math.log(seen) - self.log_total if seen else self.floor


def read_counts(path: Path) -> dict[str, int]:
    """A `word<TAB>count` file, split at C speed."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        parts = fh.read().rstrip("\n").replace("\t", "\n").split("\n")
    return dict(zip(parts[0::2], map(int, parts[1::2]), strict=True))


@lru_cache(maxsize=1)
def load() -> WordModel:
    """The shipped dictionary (shared: the model is never changed after loading)."""
    return WordModel(read_counts(WORDS_FILE))
