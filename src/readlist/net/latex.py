"""Readable Unicode from the LaTeX fragments arXiv titles and abstracts carry (`$\\alpha$`, `\\textit{}`, `--`)."""

from __future__ import annotations

import re

_UNESCAPED_SPECIAL = re.compile(r"(?<!\\)([%&#])")
_WS = re.compile(r"\s+")


def clean(text: str | None) -> str:
    """Collapse whitespace and turn common LaTeX into Unicode; plain text passes through untouched."""
    if not text:
        return ""
    text = _WS.sub(" ", text).strip()
    if "\\" not in text and "$" not in text and "--" not in text and "{" not in text:
        return text
    from pylatexenc.latex2text import LatexNodes2Text

    # A bare % would start a LaTeX comment and swallow the rest of the abstract; & and # would vanish.
    protected = _UNESCAPED_SPECIAL.sub(r"\\\1", text)
    try:
        converted = LatexNodes2Text(math_mode="text", strict_latex_spaces=True).latex_to_text(protected)
    except Exception:  # malformed LaTeX: keep the original rather than lose the text
        return text
    return _WS.sub(" ", converted).strip()
