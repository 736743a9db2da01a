"""Words of Chinese: jieba's dictionary (the one the search index's segmenter has built in), as how much
likelier each word is than its characters apart.

The mojibake repair asks it when the character model finds two readings close: 抛砖引玉 is a word where
抛砖引等 is none, though 引玉 and 引等 are both rare character pairs. Built by `scripts/build_char_model.py`
(shipped as `zh_words.tsv.gz`); loaded only when a file has mojibake.
"""

from __future__ import annotations

import gzip
import math
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

WORDS_FILE = Path(__file__).with_name("zh_words.tsv.gz")
LONGEST = 6  # words longer than this are names and idioms a damaged character rarely sits in
STEP = 0.5  # cohesion is shipped rounded to this: one line per value, so the list loads with C-level splits


class WordModel:
    """Each dictionary word's cohesion: log P(word) less log P of each of its characters read on its own."""

    def __init__(self, cohesion: Mapping[str, float]) -> None:
        self.cohesion = cohesion

    def score(self, text: str) -> float:
        """The most cohesion a split of `text` into words gives (characters that form no word add 0). The
        characters' own frequencies are left out: the character model already weighs them, and counting
        them twice made 不, the most common of 不/与/中 (which lose the same byte), win everywhere."""
        cohesion = self.cohesion
        best = [0.0] * (len(text) + 1)
        for end in range(1, len(text) + 1):
            top = best[end - 1]
            for size in range(2, min(LONGEST, end) + 1):
                gain = cohesion.get(text[end - size : end])
                if gain is not None and best[end - size] + gain > top:
                    top = best[end - size] + gain
            best[end] = top
        return best[-1]


def cohesion_of(counts: Mapping[str, int]) -> dict[str, float]:
    """Word → log P(word) − Σ log P(character alone), for the words of two or more characters that are more
    than their characters apart (the others never change a reading)."""
    total = max(1, sum(counts.values()))
    floor = math.log(0.5 / total)  # a character the dictionary lacks: rarer than its rarest word

    def alone(ch: str) -> float:
        seen = counts.get(ch)
        return math.log(seen / total) if seen else floor

    out = {}
    for word, n in counts.items():
        if 2 <= len(word) <= LONGEST:
            value = math.log(n / total) - sum(alone(c) for c in word)
            if value > 0:
                out[word] = value
    return out


def write(cohesion: Mapping[str, float], path: Path) -> None:
    """One line per rounded value: `value<TAB>word word …` (no word holds a space or a tab)."""
    by_value: dict[int, list[str]] = {}
    for word, value in cohesion.items():
        if " " not in word and "\t" not in word:
            by_value.setdefault(round(value / STEP), []).append(word)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        for step, words in sorted(by_value.items()):
            fh.write(f"{step * STEP:g}\t{' '.join(sorted(words))}\n")


def read(path: Path) -> dict[str, float]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    cohesion: dict[str, float] = {}
    for line in lines:
        value, words = line.split("\t")
        cohesion.update(dict.fromkeys(words.split(" "), float(value)))
    return cohesion


@lru_cache(maxsize=1)
def load() -> WordModel:
    """The shipped dictionary (shared: the model is never changed after loading)."""
    return WordModel(read(WORDS_FILE))
