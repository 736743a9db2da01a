"""Text normalisation shared by the index and the query builder: NFKC, CJK split into single characters."""

from __future__ import annotations

import re
import unicodedata

# U+2063 INVISIBLE SEPARATOR is a Unicode Cf character: FTS5's unicode61 tokenizer treats it as a separator,
# so putting it around every CJK character makes each one its own token, and it can be stripped exactly.
CJK_SEPARATOR = "\u2063"
_CJK = (
    "\u3040-\u30ff"  # kana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # compatibility ideographs
    "\uac00-\ud7af"  # hangul
)
CJK_CHAR = re.compile(f"[{_CJK}]")
CJK_RUN = re.compile(f"[{_CJK}]+")
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
# ASCII words with a case or letter/digit change inside (KVCache, vLLM, Attention2): only these need
# splitting. Written without \b, because CJK characters count as \w ("记录Flash" has no boundary).
_SPLITTABLE_WORD = re.compile(r"[A-Za-z0-9]*(?:[a-z][A-Z]|[A-Z]{2}[a-z]|[A-Za-z][0-9]|[0-9][A-Za-z])[A-Za-z0-9]*")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def split_cjk(text: str) -> str:
    """Separate every CJK character so that 1- and 2-character Chinese words are searchable."""
    # One substitution per run of CJK characters, not per character (the same output, ~10× faster).
    return CJK_RUN.sub(_split_run, text)


def _split_run(m: re.Match[str]) -> str:
    return CJK_SEPARATOR + (CJK_SEPARATOR * 2).join(m.group(0)) + CJK_SEPARATOR


def camel_parts(word: str) -> list[str]:
    """`KVCache` → [KV, Cache]; `FlashAttention2` → [Flash, Attention, 2]; other scripts stay whole."""
    parts = _CAMEL.findall(word)
    return parts if "".join(parts) == word else [word]


def camel_expansions(text: str) -> str:
    """Split forms of camelCase words, appended to indexed text so `kv cache` finds `KVCache`."""
    extra = []
    for word in _SPLITTABLE_WORD.findall(text):
        parts = camel_parts(word)
        if len(parts) > 1:
            extra.append(" ".join(parts))
    return " ".join(extra)


def for_index(text: str | None) -> str:
    if not text:
        return ""
    text = nfkc(text)
    extra = camel_expansions(text)
    return split_cjk(f"{text} {extra}" if extra else text)


def strip_separators(text: str) -> str:
    return text.replace(CJK_SEPARATOR, "")
