"""Which of 与, 中 and 不 a damaged character is, from the characters around it.

The three lose the same byte in a cp1252/cp1254 note (E4 B8 8E, E4 B8 AD soft hyphen, E4 B8 8D), so every one
of them in such a note is damaged, and the character model, built mostly from words apart, has seldom seen
the pair around them (设计与实现 joins two words it knows only apart). This model counts, in running text
(the clean shipped notes), what sits around each of them: the characters either side (ASCII letters,
digits and spaces as one class each), whether 在 opened the clause (在 PyTorch 中), whether the clause ends
after it. Naive Bayes over those features; built by `scripts/build_char_model.py` (`zh_context.tsv.gz`).
"""

from __future__ import annotations

import gzip
import math
from collections import Counter
from collections.abc import Container, Iterable, Sequence
from functools import lru_cache
from pathlib import Path

CONTEXT_FILE = Path(__file__).with_name("zh_context.tsv.gz")
TARGETS = "与中不"
_CLAUSE_END = set('，。：；！？,.:;!?|()（）[]【】「」“”"')


def _kind(ch: str | None) -> str:
    if ch is None:
        return "^"
    if ch.isascii():
        if ch.isalpha():
            return "a"
        if ch.isdigit():
            return "0"
        if ch.isspace():
            return " "
    return ch


def features(chars: Sequence[str], k: int, words: Container[str]) -> list[str]:
    """The context features of position k (the character there is not looked at); `words`: whether the two
    characters either side are a word (与 sits between two, 中 and 不 often make one with a neighbour)."""
    prev1 = _kind(chars[k - 1]) if k >= 1 else "^"
    prev2 = _kind(chars[k - 2]) if k >= 2 else "^"
    next1 = _kind(chars[k + 1]) if k + 1 < len(chars) else "$"
    next2 = _kind(chars[k + 2]) if k + 2 < len(chars) else "$"
    start = k
    while start > 0 and chars[start - 1] not in _CLAUSE_END:
        start -= 1
    opened = "在" in chars[start:k]
    left = "".join(chars[max(0, k - 2) : k])
    right = "".join(chars[k + 1 : k + 3])
    return [
        f"p{prev1}",
        f"P{prev2}{prev1}",
        f"n{next1}",
        f"N{next1}{next2}",
        f"z{int(opened)}",
        f"w{int(left in words)}{int(right in words)}",
    ]


class ContextModel:
    """Feature counts per target character: log P(target) + Σ log P(feature | target), add-one smoothed."""

    def __init__(self, counts: dict[str, Counter[str]]) -> None:
        self.counts = counts  # target → feature → count ("" holds how often the target was seen)
        self._grand = sum(c[""] for c in counts.values())
        # how many distinct values of each feature kind a target was seen with (the add-½ denominator)
        self._distinct = {t: Counter(f[0] for f in c if f) for t, c in counts.items()}

    def logp(self, target: str, feats: Iterable[str]) -> float:
        per_target = self.counts.get(target)
        if not per_target:
            return -50.0
        total = per_target[""]
        distinct = self._distinct[target]
        score = math.log((total + 1) / (self._grand + len(TARGETS)))
        for feat in feats:
            score += math.log((per_target.get(feat, 0) + 0.5) / (total + 0.5 * (distinct[feat[0]] + 1)))
        return score


def count(texts: Iterable[str], words: Container[str]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {t: Counter() for t in TARGETS}
    for text in texts:
        for line in text.split("\n"):
            for k, ch in enumerate(line):
                if ch in counts:
                    counts[ch][""] += 1
                    counts[ch].update(features(line, k, words))
    return counts


def write(counts: dict[str, Counter[str]], path: Path) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        for target, per_target in counts.items():
            for feat, n in sorted(per_target.items()):
                fh.write(f"{target}\t{feat}\t{n}\n")


def read(path: Path) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {t: Counter() for t in TARGETS}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh.read().split("\n"):
            if line:
                target, feat, n = line.split("\t")
                counts[target][feat] = int(n)
    return counts


@lru_cache(maxsize=1)
def load() -> ContextModel:
    return ContextModel(read(CONTEXT_FILE))
