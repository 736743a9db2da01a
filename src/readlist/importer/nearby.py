"""The words around a link: the title written beside a bare URL and the user's note about it.

Bounded windows (NEAR characters a side) keep a paragraph of thousands of links linear."""

from __future__ import annotations

import re

from readlist.importer.links import is_generic_text
from readlist.importer.markdown import Line, find_urls, strip_urls
from readlist.importer.tables import clean_title
from readlist.importer.words import GLUE_WORDS

NEAR = 240  # characters of the text beside a link that become its note (bounded: linear in the line)
_SPACES = re.compile(r"\s+")
_LETTER = re.compile(r"[^\W\d_]")  # a word character that is not a digit or `_`
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|（\s*）|\[\s*\]")
_MARKS = ",，。.;；:：!！?？)）"
_SPACE_BEFORE_MARK = re.compile(rf"\s+([{_MARKS}])")
_SENTENCE_MARK = re.compile(r"[,，。;；!！?？]")
DATE = re.compile(r"(?:首次更新|最后更新|更新|发布)?\s*\d{4}\s*[./\-年]\s*\d{1,2}(?:\s*[./\-月]\s*\d{1,2}日?)?")


def looks_like_title(text: str) -> bool:
    """An English paper title: a few words, mostly Latin letters, no URL, not just glue (`see it for code`)."""
    text = text.strip()
    if len(text) < 12 or find_urls(text) or len(text) > 300:
        return False
    letters = sum(ch.isascii() and ch.isalpha() for ch in text)
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
    if len(text.split()) < 3 or letters <= 3 * cjk or letters < 0.5 * len(text.replace(" ", "")):
        return False
    return sum(w not in GLUE_WORDS for w in _WORD.findall(text.lower())) >= 2


def squeeze(text: str) -> str:
    """Each run of whitespace as one space: `_SPACES.sub(" ", text)`, at a third of its cost on a long window
    (str.split splits at exactly the characters `\\s` matches, str.isspace's)."""
    words = text.split()
    if not words:
        return " " if text else ""
    out = " ".join(words)
    return (" " if text[0].isspace() else "") + out + (" " if text[-1].isspace() else "")


def strip_link_urls(text: str) -> str:
    return squeeze(strip_urls(text)).strip(" ,，。:：;；-")


def is_label(text: str) -> bool:
    """Nothing but a label before a link: ``, `paper:`, `代码：`, `●`, `1.` — not a sentence about it."""
    text = text.strip()
    if _LETTER.search(text) is None:
        return True
    word = text.rstrip(":：").strip()
    return is_generic_text(word) or (text[-1] in ":：" and len(word) <= 20 and not _SENTENCE_MARK.search(word))


def beside(line: Line, k: int) -> tuple[str, str]:
    """The text between the k-th link and its neighbours on the line, at most NEAR characters a side."""
    link = line.links[k]
    left = line.links[k - 1].end if k else 0
    right = line.links[k + 1].start if k + 1 < len(line.links) else len(line.text)
    return line.text[max(left, link.start - NEAR) : link.start], line.text[link.end : min(right, link.end + NEAR)]


def title_beside(before: str, after: str) -> str | None:
    """A title written right before or after a bare URL (`https://… Understanding Silent Data Corruption`);
    never words on both sides (a sentence about the link) nor glue words (`See … for code.`)."""
    before = "" if leads_in(before) else before.strip(" ,，。:：;；-—–|")
    after = after.strip(" ,，。:：;；-—–|.")
    if before and after:
        return None
    text = clean_title(squeeze(before or after))[0]  # `[cs.LG] 2024-12-30 Title https://…`
    return text if looks_like_title(text) and not text.startswith(("(", "（")) else None


def leads_in(text: str) -> bool:
    """A label, or a short lead-in word without Latin letters (`实现 https://… Title`, `2023.10 https://…`)."""
    text = text.strip()
    return is_label(text) or (len(text) <= 4 and not any(ch.isascii() and ch.isalpha() for ch in text))


def note_near(line: Line, k: int, title: str | None) -> str | None:
    """The user's words around the k-th link, link texts kept (`参见 机器之心报道 和 量子位报道。`).

    The window stops at the neighbouring bare URLs (other entries) and at NEAR characters. It is a note only
    when its words outside any link say something (`[A](…) | [B](…)` is a list of names, not a sentence);
    the link's own bare URL and a title taken from beside it leave the note."""
    link, links, text = line.links[k], line.links, line.text
    left, right = max(0, link.start - NEAR), min(len(text), link.end + NEAR)
    first, last = k, k  # the links inside the window
    while first > 0 and links[first - 1].end > left:
        first -= 1
        if not links[first].text:
            left, first = links[first].end, first + 1
            break
    while last + 1 < len(links) and links[last + 1].start < right:
        last += 1
        if not links[last].text:
            right, last = links[last].start, last - 1
            break
    before, after = text[left : link.start], text[link.end : right]
    if title is not None and not link.text:
        before = "" if squeeze(before).strip(" ,，。:：;；-—–|") == title else before
        after = "" if squeeze(after).strip(" ,，。:：;；-—–|.") == title else after
    before = "" if is_label(before) else before  # `paper:`, `代码：` say what the link is, not about it
    lo, hi = (left if before else link.start), (right if after else link.end)
    words, pos = [], lo
    for other in links[max(0, first - 1) : last + 2]:  # a link cut by the window's edge is no words either
        if other.end > pos and other.start < hi:
            words.append(text[pos : max(pos, other.start)])
            pos = max(pos, other.end)
    words.append(text[pos:hi])
    if not says_something(bare_words(" ".join(words))):
        return None  # the link's own name is its title; names of other links are not a note either
    own = "" if not before or not link.text else text[link.start : link.end]  # a bare URL is the item itself
    return tidy(f"{before}{own}{after}")


def tidy(text: str) -> str:
    """Spaces and brackets a removed URL left behind: `数量（ ），或者` → `数量，或者`, `See , it` → `See, it`."""
    if "(" in text or "（" in text or "[" in text:
        text = _EMPTY_BRACKETS.sub("", text)
    text = squeeze(text)
    if any(mark in text for mark in _MARKS):
        text = _SPACE_BEFORE_MARK.sub(r"\1", text)
    return text.strip(" ,，。:：;；-—–|")


def bare_words(text: str) -> str:
    """The text without its bare URLs and punctuation at either end."""
    return strip_link_urls(text).strip(" ,，。:：;；-—–|.()（）")


def says_something(text: str) -> bool:
    """More than a label or glue words (`Also`, `Repo .`, `see it`): worth keeping as a note."""
    if is_label(text):
        return False
    first = _CJK_IDEOGRAPH.search(text)  # two are enough: no need to count a long window's
    if first is not None:
        return _CJK_IDEOGRAPH.search(text, first.end()) is not None or weight(text) >= 4
    words = _WORD.findall(text.lower())
    return bool(DATE.search(text)) or any(w not in GLUE_WORDS and not w.isdigit() for w in words)


_CJK_IDEOGRAPH = re.compile("[\u3400-\u9fff\uf900-\ufaff]")
_ALNUM = re.compile(r"[^\W_]")  # exactly the characters str.isalnum() accepts


def cjk_count(text: str) -> int:
    return len(_CJK_IDEOGRAPH.findall(text))  # counted in C: every link of a long paragraph asks (its window)


def weight(text: str) -> int:
    """How much a bit of text says: letters and digits, a CJK character counting as two (`必读` = `read`)."""
    return len(_ALNUM.findall(text)) + cjk_count(text)
