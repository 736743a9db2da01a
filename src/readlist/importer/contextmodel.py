"""Which of 与, 中 and 不 a damaged character is, from the characters around it.

The three lose the same byte in a cp1252/cp1254 note (E4 B8 8E, E4 B8 AD soft hyphen, E4 B8 8D), so every one
of them in such a note is damaged, and the character model, built mostly from words apart, has seldom seen
the pair around them (设计与实现 joins two words it knows only apart). This model learns, from running text
(the clean shipped notes), what sits around each of them: the characters either side (ASCII letters, digits
and spaces as one class each), whether 在 opened the clause (在 PyTorch 中), how far the clause runs either
side (与 joins two names: `架构与调度：`; 中 closes a clause), whether the line is short (a heading), the
dictionary words that end and start beside it, and which of the three would make a word with a neighbour.
A logistic regression over those features (they overlap, which naive Bayes counted twice: held out, 265 → 282
of 318 right in titles); trained by `scripts/build_char_model.py` (`zh_context.tsv.gz`, weights only).
"""

from __future__ import annotations

import gzip
import math
from collections.abc import Container, Iterable, Sequence
from functools import lru_cache
from pathlib import Path

CONTEXT_FILE = Path(__file__).with_name("zh_context.tsv.gz")
TARGETS = "与中不"
MARKUP = frozenset("*`")  # read through, as the repair does
SHORT_LINE = 30  # characters: a heading or a name rather than prose
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


def _bucket(n: int) -> str:
    return str(n) if n <= 2 else "3" if n <= 4 else "5" if n <= 8 else "9"


def _word_ending(chars: Sequence[str], k: int, words: Container[str]) -> int:
    """Length (4, 3, 2, or 0 for none) of the longest dictionary word that ends just before k."""
    return next((n for n in (4, 3, 2) if k >= n and "".join(chars[k - n : k]) in words), 0)


def _word_starting(chars: Sequence[str], k: int, words: Container[str]) -> int:
    """Length (4, 3, 2, or 0 for none) of the longest dictionary word that starts at k."""
    return next((n for n in (4, 3, 2) if k + n <= len(chars) and "".join(chars[k : k + n]) in words), 0)


def features(chars: Sequence[str], k: int, words: Container[str]) -> list[str]:
    """The context features of position k (the character there is not looked at); `words`: the dictionary."""
    size = len(chars)
    prev1 = _kind(chars[k - 1]) if k >= 1 else "^"
    prev2 = _kind(chars[k - 2]) if k >= 2 else "^"
    next1 = _kind(chars[k + 1]) if k + 1 < size else "$"
    next2 = _kind(chars[k + 2]) if k + 2 < size else "$"
    start = k
    while start > 0 and chars[start - 1] not in _CLAUSE_END:
        start -= 1
    end = k + 1
    while end < size and chars[end] not in _CLAUSE_END:
        end += 1
    opened = "在" in chars[start:k]
    left = "".join(chars[max(0, k - 2) : k])
    right = "".join(chars[k + 1 : k + 3])
    feats = [
        f"p{prev1}",
        f"P{prev2}{prev1}",
        f"n{next1}",
        f"N{next1}{next2}",
        f"z{int(opened)}",
        f"w{int(left in words)}{int(right in words)}",
        f"e{_bucket(end - k - 1)}",
        f"s{_bucket(k - start)}",
        f"l{int(size <= SHORT_LINE)}",
        f"W{_word_ending(chars, k, words)}{_word_starting(chars, k + 1, words)}",
    ]
    before = chars[k - 1] if k >= 1 else ""
    after = chars[k + 1] if k + 1 < size else ""
    for target in TARGETS:
        if before and before + target in words:
            feats.append(f"<{target}")
        if after and target + after in words:
            feats.append(f">{target}")
    return feats


class ContextModel:
    """Multinomial logistic regression: log P(target | features) from a weight per (target, feature)."""

    def __init__(self, weights: dict[str, dict[str, float]]) -> None:
        self.weights = weights  # target → feature → weight ("" holds the intercept)

    def logp(self, target: str, feats: Iterable[str]) -> float:
        if target not in self.weights:
            return -50.0
        feats = list(feats)
        scores = {t: w.get("", 0.0) + sum(w.get(f, 0.0) for f in feats) for t, w in self.weights.items()}
        top = max(scores.values())
        norm = top + math.log(sum(math.exp(s - top) for s in scores.values()))
        return scores[target] - norm


def examples(texts: Iterable[str], words: Container[str]) -> tuple[list[list[str]], list[str]]:
    """(features, target) of every 与/中/不 in the texts' lines, markup read through."""
    rows: list[list[str]] = []
    targets: list[str] = []
    for text in texts:
        for line in text.split("\n"):
            chars = [ch for ch in line if ch not in MARKUP]
            for k, ch in enumerate(chars):
                if ch in TARGETS:
                    rows.append(features(chars, k, words))
                    targets.append(ch)
    return rows, targets


def train(texts: Iterable[str], words: Container[str], strength: float = 1.0) -> ContextModel:
    """Fit the weights on clean text (scikit-learn: a build-time tool here, never imported by the repair)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows, targets = examples(texts, words)
    vectors = DictVectorizer()
    matrix = vectors.fit_transform([dict.fromkeys(r, 1) for r in rows])
    fit = LogisticRegression(C=strength, max_iter=2000).fit(matrix, targets)
    names = vectors.get_feature_names_out()
    weights: dict[str, dict[str, float]] = {}
    for target, coefs, intercept in zip(fit.classes_, fit.coef_, fit.intercept_, strict=True):
        per = {"": round(float(intercept), 3)}
        per.update({str(f): round(float(c), 3) for f, c in zip(names, coefs, strict=True) if abs(c) >= 0.005})
        weights[str(target)] = per
    return ContextModel(weights)


def write(model: ContextModel, path: Path) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        for target, per_target in model.weights.items():
            for feat, weight in sorted(per_target.items()):
                fh.write(f"{target}\t{feat}\t{weight:g}\n")


def read(path: Path) -> ContextModel:
    weights: dict[str, dict[str, float]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh.read().split("\n"):
            if line:
                target, feat, weight = line.split("\t")
                weights.setdefault(target, {})[feat] = float(weight)
    return ContextModel(weights)


@lru_cache(maxsize=1)
def load() -> ContextModel:
    return read(CONTEXT_FILE)
