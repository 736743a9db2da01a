"""The bilingual synonym list: shipped groups plus the user's own (config dir), read at query time. It lives in the
base layer because search (query expansion) and recommend (joining Chinese and English terms) both use it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from readlist import config
from readlist.text import nfkc

SHIPPED = Path(__file__).with_name("glossary.txt")
USER_FILE_NAME = "glossary.txt"


def user_file() -> Path:
    return config.config_dir() / USER_FILE_NAME


def _loaded() -> tuple[list[list[str]], dict[str, list[int]]]:
    path = user_file()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = 0
    return _load(str(path), stamp)


def normalise(term: str) -> str:
    return " ".join(nfkc(term).casefold().split())


def compact(term: str) -> str:
    """The spelling-insensitive form used to match terms: no spaces, hyphens or underscores."""
    return "".join(ch for ch in normalise(term) if ch not in " -_")


def read_groups(path: Path) -> list[list[str]]:
    groups: list[list[str]] = []
    if not path.exists():
        return groups
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            terms = [normalise(t) for t in line.split("|") if t.strip()]
            if len(terms) > 1:
                groups.append(terms)
    return groups


@lru_cache(maxsize=4)
def _load(user_path: str, stamp: int) -> tuple[list[list[str]], dict[str, list[int]]]:
    """Cached per (file, modification time): an edited glossary is read again, an unchanged one never."""
    groups = read_groups(SHIPPED) + read_groups(Path(user_path))
    index: dict[str, list[int]] = {}
    for n, group in enumerate(groups):
        for term in group:
            index.setdefault(compact(term), []).append(n)
    return groups, index


def groups() -> list[list[str]]:
    return _loaded()[0]


def synonyms(term: str) -> list[str] | None:
    """Every term of the groups `term` belongs to (matched ignoring case, spaces and hyphens), or None.
    A word with two meanings sits in two groups and finds both; the two meanings do not find each other."""
    all_groups, index = _loaded()
    found = index.get(compact(term))
    return None if not found else list(dict.fromkeys(t for n in found for t in all_groups[n]))


def max_words() -> int:
    return max((len(t.split()) for g in groups() for t in g), default=1)
