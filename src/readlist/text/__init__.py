"""Text normalisation shared by the index, the query builder and snippets: NFKC, tokens, Chinese word boundaries."""

from __future__ import annotations

import re
import unicodedata
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, cast


class _CompiledOnFirstUse:
    """A pattern that compiles when first used. `re` walks every code point of a character class, so the
    classes over the CJK blocks below take ~7 ms each to compile: a command that never meets Chinese text (a
    read) must not pay that at import. `.pattern` is there without compiling."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    @cached_property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.pattern)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.compiled, name)


def _on_first_use(pattern: str) -> re.Pattern[str]:
    return cast("re.Pattern[str]", _CompiledOnFirstUse(pattern))


# U+001F (a control character, which FTS5's unicode61 tokenizer treats as a separator) marks word boundaries
# inside Chinese text, so each jieba word becomes one token and `量化` does not match inside `向量化`.
# It never occurs in real text (it is removed on the way in), so it can be stripped exactly.
WORD_SEP = "\x1f"
_CJK = (
    "\u3040-\u30ff"  # kana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # compatibility ideographs
    "\uac00-\ud7af"  # hangul
)
_CJK_RANGES = tuple((_CJK[i], _CJK[i + 2]) for i in range(0, len(_CJK), 3))  # (first, last) of each block
CJK_CHAR = _on_first_use(f"[{_CJK}]")
CJK_RUN = _on_first_use(f"[{_CJK}]+")
TOKEN = re.compile(r"[^\W_]+")  # what unicode61 calls a token, once WORD_SEP splits CJK words
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
# ASCII words with a case or letter/digit change inside (KVCache, vLLM, Attention2): only these need
# splitting. Words are runs of ASCII letters and digits, not \w, because CJK characters count as \w ("记录Flash"
# has no boundary); the change is looked for inside each word (one regex for both backtracks on long text).
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")
_CASE_CHANGE = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]|[A-Za-z][0-9]|[0-9][A-Za-z]")
# Chains of ASCII words joined by - _ /; those with a joint are kept (requiring one in the regex backtracks).
_CHAIN = re.compile(r"[A-Za-z0-9]+(?:[-_/][A-Za-z0-9]+)*")
_JOINT = re.compile(r"[-_/]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # WORD_SEP and the index's field separator
WORDS_FILE = Path(__file__).with_name("words.txt")


def is_cjk(ch: str) -> bool:
    """Whether one character is one CJK_CHAR matches, without compiling that pattern (a search's few
    characters are checked faster than the pattern compiles)."""
    return any(first <= ch <= last for first, last in _CJK_RANGES)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def camel_parts(word: str) -> list[str]:
    """`KVCache` → [KV, Cache]; `FlashAttention2` → [Flash, Attention, 2]; other scripts stay whole."""
    parts = _CAMEL.findall(word)
    return parts if "".join(parts) == word else [word]


def expansions(text: str) -> str:
    """Other spellings of the words in `text`, indexed beside it: `KVCache` → `KV Cache`, `kv-cache` →
    `kvcache`, so that every spelling of a query finds every spelling in the library."""
    extra = [e for e in map(_word_split, _ASCII_WORD.findall(text)) if e]
    if "-" in text or "_" in text or "/" in text:  # a chain needs a joint
        extra += [e for e in map(_chain_joined, _CHAIN.findall(text)) if e]
    return " ".join(extra)


@lru_cache(maxsize=1 << 14)
def _word_split(word: str) -> str:
    """`KVCache` → `KV Cache`; "" when the word has no case or letter/digit change inside. Cached: indexing
    an import splits the same words (names, `p1`, `2024`) in every item."""
    if not _CASE_CHANGE.search(word):
        return ""
    parts = camel_parts(word)
    return " ".join(parts) if len(parts) > 1 else ""


@lru_cache(maxsize=1 << 14)
def _chain_joined(chain: str) -> str:
    """`kv-cache` → `kvcache`; "" for a chain without a joint."""
    joined = _JOINT.sub("", chain)
    return joined if joined != chain else ""


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    """jieba (the Rust port: 0.15 s to load against 1 s) with the shipped extra words; loaded on first use,
    so only writes of Chinese text pay for it, never a search."""
    import rjieba

    for line in WORDS_FILE.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            rjieba.add_word(word, None, None)
    return rjieba


def cjk_words(run: str) -> list[str]:
    """Chinese words of a run of CJK characters, by jieba's dictionary (no HMM guessing: deterministic)."""
    return [w for w in _segmenter().cut(run, False) if w.strip()]


@lru_cache(maxsize=1 << 16)
def _marked(run: str) -> str:
    """A CJK run with WORD_SEP around each word. Cached: notes repeat the same runs (tags, 论文, 代码) on
    every item, and indexing a big import cut each one thousands of times."""
    return WORD_SEP + WORD_SEP.join(cjk_words(run)) + WORD_SEP


def segment(text: str) -> str:
    """NFKC text with WORD_SEP around every Chinese word: what the index tokenizes."""
    text = _CONTROL.sub(" ", nfkc(text))
    if not CJK_CHAR.search(text):
        return text
    return CJK_RUN.sub(lambda m: _marked(m.group(0)), text)


def tokens(segmented: str) -> list[tuple[int, int, str]]:
    """(start, end, casefolded token) for each token of segmented text, in order."""
    return [(m.start(), m.end(), m.group(0).casefold()) for m in TOKEN.finditer(segmented)]


def unsegment(text: str) -> str:
    return text.replace(WORD_SEP, "")
