"""Which of the characters that read the same once damaged (与/中/不, 低/位, 来/接/步, 子/后/名, …) a damaged
one is, from the characters around it.

与, 中 and 不 lose the same byte in a cp1252/cp1254 note (E4 B8 8E, E4 B8 AD soft hyphen, E4 B8 8D), so every one
of them in such a note is damaged, and the character model, built mostly from words apart, has seldom seen
the pair around them (设计与实现 joins two words it knows only apart); other groups are alike. This model
learns, from running text (the clean shipped notes), what sits around each character of every group where two
or more are common: the characters either side (ASCII letters, digits and spaces as one class each), whether
在 opened the clause (在 PyTorch 中), how far the clause runs either side (与 joins two names: `架构与调度：`;
中 closes a clause), whether the line is short (a heading), the dictionary words that end and start beside it,
and which rival would make a word with a neighbour. One logistic regression per group (the features overlap,
which naive Bayes counted twice); trained by `scripts/build_char_model.py` (`zh_context.tsv.gz`, weights only).
"""

from __future__ import annotations

import gzip
import math
from collections import Counter
from collections.abc import Container, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

CONTEXT_FILE = Path(__file__).with_name("zh_context.tsv.gz")
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


def features(chars: Sequence[str], k: int, words: Container[str], rivals: Iterable[str] = "与中不") -> list[str]:
    """The context features of position k (the character there is not looked at); `words`: the dictionary,
    `rivals`: the characters it may be (which of them would make a word with a neighbour)."""
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
    for target in rivals:
        if before and before + target in words:
            feats.append(f"<{target}")
        if after and target + after in words:
            feats.append(f">{target}")
    return feats


DROPPED = frozenset(b"\x81\x8d\x8e\x8f\x90\x9d\x9e\xad")  # what a cp1252/cp1254 round trip loses
MIN_SEEN = 30  # a character is a rival worth a model when the training text has it this often
MIN_WEIGHT = 0.02  # smaller weights are left out of the shipped file


def group_key(ch: str) -> bytes | None:
    """The bytes of `ch` that survive the damage, or None if it loses none: characters with the same key
    read the same once damaged (与, 中 and 不 all keep E4 B8)."""
    raw = ch.encode("utf-8")
    if len(raw) < 2 or not DROPPED.intersection(raw):
        return None
    return bytes(b for b in raw if b not in DROPPED)


class ContextModel:
    """One multinomial logistic regression per group of characters that read the same once damaged:
    log P(character | features) from a weight per (character, feature), normalised over its group."""

    def __init__(self, weights: dict[str, dict[str, float]]) -> None:
        self.weights = weights  # character → feature → weight ("" holds the intercept)
        groups: dict[bytes | None, list[str]] = {}
        for ch in weights:
            groups.setdefault(group_key(ch), []).append(ch)
        self.group = {ch: tuple(members) for members in groups.values() for ch in members}

    def logp(self, target: str, feats: Iterable[str]) -> float:
        members = self.group.get(target)
        if not members:
            return -50.0
        feats = list(feats)
        scores = {}
        for ch in members:
            w = self.weights[ch]
            scores[ch] = w.get("", 0.0) + sum(w.get(f, 0.0) for f in feats)
        top = max(scores.values())
        norm = top + math.log(sum(math.exp(v - top) for v in scores.values()))
        return scores[target] - norm


def _lines(texts: Iterable[str]) -> Iterator[list[str]]:
    for text in texts:
        for line in text.split("\n"):
            yield [ch for ch in line if ch not in MARKUP]


def groups_in(texts: Iterable[str], min_seen: int = MIN_SEEN) -> dict[str, tuple[str, ...]]:
    """Character → its group, for the groups where two or more damaged characters are common."""
    seen = Counter(ch for chars in _lines(texts) for ch in chars if ord(ch) >= 0x80)
    by_key: dict[bytes, list[str]] = {}
    for ch, n in seen.items():
        key = group_key(ch)
        if key is not None and n >= min_seen:
            by_key.setdefault(key, []).append(ch)
    return {ch: tuple(sorted(m)) for m in by_key.values() if len(m) > 1 for ch in m}


def examples(
    texts: Iterable[str], words: Container[str], groups: dict[str, tuple[str, ...]]
) -> dict[tuple[str, ...], tuple[list[list[str]], list[str]]]:
    """Per group: (features, character) of each of its characters in the texts' lines, markup read through."""
    out: dict[tuple[str, ...], tuple[list[list[str]], list[str]]] = {}
    for chars in _lines(texts):
        for k, ch in enumerate(chars):
            group = groups.get(ch)
            if group is not None:
                rows, targets = out.setdefault(group, ([], []))
                rows.append(features(chars, k, words, group))
                targets.append(ch)
    return out


def train(texts: Iterable[str], words: Container[str], strength: float = 1.0) -> ContextModel:
    """Fit the weights on clean text (scikit-learn: a build-time tool here, never imported by the repair)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = list(texts)
    weights: dict[str, dict[str, float]] = {}
    for rows, targets in examples(texts, words, groups_in(texts)).values():
        vectors = DictVectorizer()
        matrix = vectors.fit_transform([dict.fromkeys(r, 1) for r in rows])
        fit = LogisticRegression(C=strength, max_iter=2000).fit(matrix, targets)
        names = vectors.get_feature_names_out()
        classes = [str(c) for c in fit.classes_]
        # two classes: one row of weights, for the second (the first is the reference, all zero)
        rows_of = list(zip(classes[1:], fit.coef_, fit.intercept_, strict=True)) if len(classes) == 2 else None
        per_class = rows_of or list(zip(classes, fit.coef_, fit.intercept_, strict=True))
        if rows_of:
            weights[classes[0]] = {"": 0.0}
        for target, coefs, intercept in per_class:
            per = {"": round(float(intercept), 3)}
            per.update({str(f): round(float(c), 2) for f, c in zip(names, coefs, strict=True) if abs(c) >= MIN_WEIGHT})
            weights[target] = per
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
