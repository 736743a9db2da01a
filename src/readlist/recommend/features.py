"""The words a model sees in an item: title, abstract, notes and tags, Chinese split into words by the search
segmenter, and glossary terms in either language folded into one concept (量化 and quantization meet)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from readlist.domain import tag_slug
from readlist.store.corpus import CorpusRow
from readlist.text import TOKEN, glossary, segment, tokens

TAG_MARK = "#"  # a tag's own feature (`#kv-cache`), apart from the words of its name
STOP_WORDS = frozenset(
    word
    for line in Path(__file__).with_name("stopwords.txt").read_text(encoding="utf-8").splitlines()
    if not line.startswith("#")
    for word in line.split()
)
TITLE_WEIGHT = 2  # a title says more about a paper than a sentence of its notes


@lru_cache(maxsize=1)
def concepts() -> tuple[dict[str, tuple[str, ...]], dict[str, int]]:
    """compact term → the concepts it belongs to (one label per glossary group: its first ASCII term), and
    first word of a multi-word term → the most words such a term spans."""
    table: dict[str, tuple[str, ...]] = {}
    starts: dict[str, int] = {}
    for group in glossary.groups():
        label = next((t for t in group if t.isascii()), group[0])
        for term in group:
            key = glossary.compact(term)
            if label not in table.get(key, ()):
                table[key] = (*table.get(key, ()), label)
            parts = [t for _s, _e, t in tokens(segment(term))]
            if len(parts) > 1:
                starts[parts[0]] = max(starts.get(parts[0], 0), len(parts))
    return table, starts


@lru_cache(maxsize=1 << 14)
def words(text: str) -> tuple[str, ...]:
    """The words of a text, casefolded, glossary terms replaced by their concepts, stop words out; then the
    multi-word concepts found (`speculative decoding`) after them. Cached: tags and titles repeat."""
    table, starts = concepts()
    raw = [t.casefold() for t in TOKEN.findall(segment(text))]  # `tokens` without the offsets: the hot loop
    out: list[str] = []
    phrases: list[str] = []
    for i, word in enumerate(raw):
        if word in starts:
            for span in range(2, starts[word] + 1):
                phrases.extend(table.get("".join(raw[i : i + span]), ()))
        found = table.get(word)
        if found:
            out.extend(found)
        elif (
            len(word) > 1
            and word not in STOP_WORDS
            and not word.isdecimal()
            and (word.isascii() or not _miscut(raw, i))
        ):
            out.append(word)
    return (*out, *phrases)


def _single_cjk(word: str) -> bool:
    return len(word) == 1 and not word.isascii()


def _miscut(raw: list[str], i: int) -> bool:
    """A Chinese word wedged between two single characters is most likely a cut across words (万|字长|文 of
    万字长文): a fragment, neither a topic nor a why. Single characters themselves are left out above."""
    word = raw[i]
    if word.isascii() or i == 0 or i + 1 >= len(raw):
        return False
    return _single_cjk(raw[i - 1]) and _single_cjk(raw[i + 1])


def features(words_: tuple[str, ...]) -> list[str]:
    """Word 1- and 2-grams."""
    return [*words_, *(f"{a} {b}" for a, b in zip(words_, words_[1:], strict=False))]


def item_features(row: CorpusRow) -> list[str]:
    """Every feature of one item (an item known only by its title and a note still has both)."""
    title = features(words(row.title))
    body = features(words(" ".join([row.abstract or "", *row.notes])))
    tags: list[str] = []
    for tag in row.tags:
        tags.append(TAG_MARK + tag_slug(tag))
        tags.extend(words(tag))
    return title * TITLE_WEIGHT + body + tags


def tag_feature(tag: str) -> str:
    return TAG_MARK + tag_slug(tag)
