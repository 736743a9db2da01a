"""Citation keys in the Better-BibTeX style (`frantar2024marlin`), the year an arXiv ID implies, and the one
place keys are given to items (plain SQL, by every writer)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence

from readlist.domain import Kind
from readlist.location import Conn

# Words a key never starts from (Better-BibTeX's skip words, abridged).
SKIP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "of",
        "for",
        "in",
        "to",
        "and",
        "with",
        "via",
        "towards",
        "toward",
        "is",
        "are",
        "by",
        "from",
        "at",
        "as",
        "into",
        "about",
        "over",
        "under",
        "what",
        "when",
        "why",
        "how",
        "do",
        "does",
        "can",
        "we",
        "our",
        "your",
        "its",
        "not",
        "all",
        "one",
    ]
)
# Compiled on first use (by `re`'s cache): a class of wide ranges takes milliseconds to compile, and most writes
# give no item a key.
_CJK = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"


def _ascii(text: str) -> str:
    """ASCII-folded, lower-case letters and digits only (`Zürich` → `zurich`, `王` → `wang`)."""
    from anyascii import anyascii

    folded = unicodedata.normalize("NFKC", text)
    return re.sub(r"[^a-z0-9]", "", anyascii(folded).lower())


def family_name(name: str) -> str:
    """`Elias Frantar` → frantar; `Frantar, Elias` → frantar; `王小明` → wang (CJK family names come first)."""
    name = name.strip()
    if "," in name:
        return _ascii(name.split(",", 1)[0])
    if re.match(_CJK, name) and " " not in name:
        return _ascii(name[0])
    parts = [p for p in re.split(r"\s+", name) if p]
    while parts and parts[-1].rstrip(".").lower() in ("jr", "sr", "ii", "iii", "iv"):
        parts.pop()
    return _ascii(parts[-1]) if parts else ""


def title_word(title: str) -> str:
    """The first word of the title that says something (`The Case for …` → case); CJK → two characters."""
    for word in re.split(r"[\s:;,.!?()\[\]{}\"'“”‘’/\\\-–—]+", title):
        if not word:
            continue
        if re.match(_CJK, word):
            return _ascii(word[:2])
        folded = _ascii(word)
        if folded and folded not in SKIP_WORDS:
            return folded
    return ""


def base_key(authors: Sequence[Mapping[str, object]], year: int, title: str) -> str:
    family = family_name(str(authors[0].get("name", ""))) if authors else ""
    return f"{family or 'anon'}{year}{title_word(title)}"


_PLAIN_KEY = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")
_DIGIT_FIRST = re.compile(r"[0-9][A-Za-z0-9]*\Z")


def usable(key: str) -> bool:
    """Whether `show KEY` finds an item by this key: never punctuation or a bare number (`_`, `2024`), never
    what reads as an ID, a DOI or a URL."""
    if _PLAIN_KEY.match(key):  # letters then letters and digits (every key readlist makes): nothing else
        return True
    if _DIGIT_FIRST.match(key):  # a number, or reads as one's start: never a citation key (no need to parse it)
        return False
    from readlist.errors import ReadlistError
    from readlist.ids import parse_item_ref

    try:
        return parse_item_ref(key) == ("citation", key)
    except ReadlistError:
        return False


def id_key(ref_key: str) -> str:
    """A key from the item's identifier, while nothing better is known: `arxiv:2304.12345` → `arxiv230412345`,
    `url:https://example.com/post` → `urlexamplecompost`."""
    scheme, _, rest = ref_key.partition(":")
    rest = re.sub(r"^https?://(?:www\.)?", "", rest)
    return (_ascii(scheme) or "item") + _ascii(rest)[:40]


def mint(kind: str, title: str, authors: Sequence[Mapping[str, object]], year: int | None, ref_key: str) -> str:
    """The key an item gets from what is known of it: `frantar2024marlin`; `flashattention2022` with no
    authors; from its identifier when the title says nothing either (a stand-in such as an arXiv ID)."""
    if authors and year:
        key = base_key(authors, year, title)
    else:
        word = title_word(title)
        key = f"{word}{year or ''}" if re.search("[a-z]", word) else ""
    if key and not usable(key):
        key = f"{kind}{key}"  # `3dgs2024` would read as a number's start: `paper3dgs2024`
    return key if key and usable(key) else id_key(ref_key)


def unique_key(base: str, taken: Callable[[str], bool]) -> str:
    """`base`, then `basea`, `baseb` … `basez`, `baseaa` …: the first one not taken."""
    return next(key for key in candidate_keys(base) if not taken(key))


def candidate_keys(base: str) -> Iterator[str]:
    """`base`, `basea` … `basez`, `baseaa` …, endlessly: a caller giving many keys resumes one iterator."""
    yield base
    n = 0
    while True:
        suffix, i = "", n
        while True:
            suffix = chr(ord("a") + i % 26) + suffix
            i = i // 26 - 1
            if i < 0:
                break
        yield base + suffix
        n += 1


def arxiv_year(arxiv_id: str | None) -> int | None:
    """`2408.11743` → 2024; `hep-th/9901001` → 1999: the year of the first version, known without asking."""
    if not arxiv_id:
        return None
    digits = arxiv_id.rsplit("/", 1)[-1]
    if not digits[:2].isdigit():
        return None
    yy = int(digits[:2])
    return 1900 + yy if yy >= 91 else 2000 + yy


def assign(conn: Conn, item_ids: Sequence[int]) -> None:
    """Give every touched item that has an author and a year its key, once: a key is never changed.

    The keys already taken are read once per base key and kept with those given out in this call, so a batch
    of many items sharing an author, year and title word (a feed of one group's papers) stays linear."""
    from readlist.store.rows import CHUNK, marks

    ids = list(item_ids)
    taken_by_base: dict[str, tuple[set[str], Iterator[str]]] = {}
    given: set[str] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = conn.execute(
            f"SELECT id, kind, title, short_name, authors, year FROM item WHERE id IN ({marks(chunk)}) "
            "AND citation_key IS NULL AND year IS NOT NULL ORDER BY id",
            chunk,
        ).fetchall()
        keys = []
        for item_id, kind, title, short_name, authors_json, year in rows:
            authors = json.loads(authors_json) if isinstance(authors_json, str) else authors_json
            if not authors or year is None:
                continue
            # A repo's title is `owner/name`; the owner is already the author, so the name gives the word.
            word = str(title).split("/", 1)[-1] if kind == Kind.REPO else (short_name or title)
            base = base_key(authors, int(year), str(word))
            if not usable(base):  # a family name of digits or punctuation
                continue
            if base not in taken_by_base:
                # A range on the unique index (LIKE would scan the table): every key that starts with `base`.
                found = conn.execute(
                    "SELECT citation_key FROM item WHERE citation_key >= ? AND citation_key < ?",
                    (base, base + "\uffff"),
                ).fetchall()
                taken_by_base[base] = ({str(r[0]) for r in found if r[0]}, candidate_keys(base))
            taken, candidates = taken_by_base[base]  # the iterator resumes after the keys given out already
            key = next(key for key in candidates if key not in taken and key not in given)
            given.add(key)
            keys.append((key, item_id))
        if keys:
            conn.executemany("UPDATE item SET citation_key = ? WHERE id = ?", keys)


def pin(conn: Conn, keys: Sequence[tuple[str, str]]) -> None:
    """Keep the keys an export gave items that had none, as (citation key, item key): a key a person has seen
    is never changed, whatever a fetch later learns. One taken meanwhile by another item is left."""
    conn.executemany(
        "UPDATE item SET citation_key = ? WHERE key = ? AND citation_key IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM item other WHERE other.citation_key = ?)",
        [(citation, key, citation) for citation, key in keys],
    )
