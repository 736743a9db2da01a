"""The *why* of a ranking: the terms that contributed most to one item's score, in a person's words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from readlist.recommend.features import TAG_MARK
from readlist.recommend.termcounts import Terms

if TYPE_CHECKING:
    import numpy as np

WHY_TERMS = 3


def why(ids: Any, contributions: np.ndarray, terms: Terms, count: int = WHY_TERMS) -> list[str]:
    """The largest positive contributions (tf-idf × weight, one per term of `ids`) of a row's terms; a bigram
    hides its own words, a tag reads as its name."""
    import numpy as np

    order = np.argsort(-contributions, kind="stable")
    picked: list[str] = []
    for n in order.tolist():
        if contributions[n] <= 0 or len(picked) >= count:
            break
        term = terms[int(ids[n])]
        label = term[len(TAG_MARK) :] if term.startswith(TAG_MARK) else term
        if any(label in p.split(" ") or label == p for p in picked):
            continue
        if " " in label:
            picked = [p for p in picked if p not in label.split(" ")]
        picked.append(label)
    return [_readable(p) for p in picked[:count]]


def _readable(term: str) -> str:
    """A bigram of two Chinese words reads as one (`智能 体` → `智能体`)."""
    first, _, second = term.partition(" ")
    if second and not first[-1:].isascii() and not second[:1].isascii():
        return first + second
    return term
