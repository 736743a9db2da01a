"""BibTeX field text → Unicode: accents and escapes on a fast path, anything else through pylatexenc."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Accent commands → the Unicode combining mark they put on the next letter (composed with NFC afterwards).
_ACCENTS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
}
# Escaped braces are marked so that brace removal spares them.
_ESCAPES = {"&": "&", "%": "%", "$": "\x01", "#": "#", "_": "_", "{": "\x00{", "}": "\x00}", " ": " ", ",": " "}
_BASE = r"(?:\\(?:i|j)\b|[A-Za-z])"
# `\"u`, `\"{u}`, `{\"u}`, `\'\i`, `\c c`, `\v{s}` — a symbol accent may touch its letter; a letter accent
# needs braces or a space so that `\cite` is not read as `\c` + `ite`.
_SYMBOL_ACCENT = re.compile(r"\\([\"'`^~=.])\s*(?:\{\s*(" + _BASE + r")\s*\}|(" + _BASE + "))")
_LETTER_ACCENT = re.compile(r"\\([uvHckrdb])(?:\s*\{\s*(" + _BASE + r")\s*\}|\s+(" + _BASE + "))")
_LETTER_CMD = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![A-Za-z])(?:\{\})?\s?")
_ESCAPE = re.compile(r"\\([&%$#_{} ,])")
_BRACES = re.compile(r"(?<!\x00)[{}]")
_WS = re.compile(r"\s+")


def _accent(m: re.Match[str]) -> str:
    base = m.group(2) or m.group(3)
    letter = {"\\i": "i", "\\j": "j"}.get(base, base)  # an accented dotless i is just an accented i
    return unicodedata.normalize("NFC", letter + _ACCENTS[m.group(1)])


def _partial(text: str) -> str:
    """Accents, letters and escapes replaced (escaped braces and dollars marked with \\x00 / \\x01)."""
    out = _SYMBOL_ACCENT.sub(_accent, text)
    out = _LETTER_ACCENT.sub(_accent, out)
    out = _LETTER_CMD.sub(lambda m: _LETTERS[m.group(1)], out)
    return _ESCAPE.sub(lambda m: _ESCAPES[m.group(1)], out)


def _fast(text: str) -> str | None:
    """The common cases; None when LaTeX remains that needs the real converter."""
    out = _partial(text)
    if "\\" in out or "$" in out:
        return None
    out = _BRACES.sub("", out).replace("\x00", "").replace("\x01", "$")
    return out.replace("~", "\u00a0").replace("---", "—").replace("--", "–")


# Text commands that stand for one character; others in long text (abstracts) are dropped, keeping their argument.
_SYMBOLS = {
    "textbar": "|",
    "textendash": "–",
    "textemdash": "—",
    "ldots": "…",
    "dots": "…",
    "textquoteright": "’",
    "textquoteleft": "‘",
    "textbackslash": "\\",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textless": "<",
    "textgreater": ">",
}
_COMMAND = re.compile(r"\\([A-Za-z]+)\*?(?:\{\})?\s?")
LONG = 300  # pylatexenc takes ~1 ms per 10 characters: long fields (abstracts) get the fast path only


def _rough(text: str) -> str:
    """Long text with LaTeX the fast path does not know: symbols mapped, other commands dropped, math kept."""
    out = _COMMAND.sub(lambda m: _SYMBOLS.get(m.group(1), ""), _partial(text)).replace("$", "")
    out = _BRACES.sub("", out).replace("\x00", "").replace("\x01", "$")
    return out.replace("~", " ").replace("---", "—").replace("--", "–")


@lru_cache(maxsize=4096)
def decode(text: str) -> str:
    """`M{\\"u}ller \\& {GPT}-4` → `Müller & GPT-4`, whitespace collapsed; malformed LaTeX is kept as typed."""
    text = _WS.sub(" ", text).strip()
    if not any(ch in text for ch in "\\{}$~-"):
        return text
    fast = _fast(text)
    if fast is not None:
        return _WS.sub(" ", fast.replace("\u00a0", " ")).strip()
    if len(text) > LONG:
        return _WS.sub(" ", _rough(text)).strip()
    from pylatexenc.latex2text import LatexNodes2Text

    try:
        converted = LatexNodes2Text(math_mode="text", strict_latex_spaces=True).latex_to_text(text)
    except Exception:  # pylatexenc raises its own error types on broken input: keep the text rather than lose it
        return text
    return _WS.sub(" ", converted.replace("\u00a0", " ")).strip()
