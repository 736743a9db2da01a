"""Mojibake repair accuracy on held-out titles: what a reader of the imported note sees.

The shipped garbled note is UTF-8 read as cp1254 (its lead byte F0 shows as `ğ`, and no `Ž`/`ž` is left:
0x8E and 0x9E, undefined in cp1254, were dropped with 0x81 0x8D 0x8F 0x90 0x9D and the soft hyphen 0xAD).
Its reviewers score the Chinese characters in the titles of the imported items and the share of titles
exactly right. This benchmark scores the same on text like it: the link texts, headings and table cells
of the clean shipped notes (Chinese ML-systems names, CUDA jargon, English identifiers), each garbled
with the line it sits on, repaired by models built WITHOUT that part of the notes (folds), and compared.

    python benchmarks/mojibake_accuracy.py              # needs: pip install wordfreq jieba
    python benchmarks/mojibake_accuracy.py --no-words   # the character model alone
    python benchmarks/mojibake_accuracy.py --titles-only --show   # skip the older measure; print wrong titles

The older measure (`lines`: every Chinese line of the held-out text, both code pages) is printed beside it.

Folds: each clean note is held out in turn (large notes are split in halves, each half held out in turn).
The older measure overestimates on titles: running prose has more context around each damaged character
than a short title does.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from build_char_model import Grams, add_text, count, prune  # noqa: E402

from readlist.importer import contextmodel  # noqa: E402
from readlist.importer.charmodel import CharModel  # noqa: E402
from readlist.importer.contextmodel import ContextModel  # noqa: E402
from readlist.importer.decode import decode  # noqa: E402
from readlist.importer.markdown import tokens_of  # noqa: E402
from readlist.importer.mojibake import Repairer  # noqa: E402
from readlist.importer.wordmodel import WordModel  # noqa: E402
from readlist.importer.wordmodel import load as load_words  # noqa: E402
from tests.garble import garble  # noqa: E402

CJK = re.compile("[\u4e00-\u9fff]")
NOTE_CODE_PAGE = "cp1254"
MAX_TITLE = 120
SHORT_LINE = 60  # a list item or paragraph this short reads as a name (`单路径与多路径打包（附录A）`), not prose


@dataclass(frozen=True)
class Title:
    text: str
    line: str  # the source line it sits on: garbled and repaired whole, as the importer does


def clean_notes() -> list[Path]:
    """Shipped notes that need no repair themselves."""
    return [
        p for p in sorted((ROOT / "data" / "notes").glob("*.md")) if not decode(p.read_bytes()).repair.lines_repaired
    ]


def titles_in(text: str) -> list[Title]:
    """Link texts, headings, table cells and short lines holding two or more Chinese characters: what becomes
    a title."""
    lines = text.split("\n")
    found: dict[str, Title] = {}
    tokens = tokens_of(text)
    for n, tok in enumerate(tokens):
        if tok.type != "inline" or not tok.map:
            continue
        opener = tokens[n - 1].type if n else ""
        pieces: list[str] = []
        inside_link = False
        for child in tok.children or []:
            if child.type == "link_open":
                inside_link, pieces = True, []
            elif child.type == "link_close":
                inside_link = False
                _keep(found, "".join(pieces), lines, tok.map)
            elif inside_link and child.type in ("text", "code_inline"):
                pieces.append(child.content)
        if not any(c.type == "link_open" for c in tok.children or []):
            short = opener in ("heading_open", "th_open", "td_open") or len(tok.content) <= SHORT_LINE
            if short:
                _keep(found, tok.content, lines, tok.map)
    return list(found.values())


def _keep(found: dict[str, Title], text: str, lines: list[str], span: list[int]) -> None:
    text = text.strip().strip("*").strip()
    if len(CJK.findall(text)) < 2 or len(text) > MAX_TITLE or text in found:
        return
    line = next((ln for ln in lines[span[0] : span[1]] if text in ln), text)
    found[text] = Title(text, line)


def repaired_title(title: Title, repairer: Repairer, code_page: str) -> str:
    """The title as it reads after its garbled line is repaired (the repair keeps one character per slot)."""
    start = title.line.index(title.text)
    got = _repair_lines(title.line, repairer, code_page)
    if len(got) != len(title.line):
        return _repair_lines(title.text, repairer, code_page)
    return got[start : start + len(title.text)]


def _repair_lines(text: str, repairer: Repairer, code_page: str) -> str:
    """Line by line, as the importer repairs (a title may span two lines of a paragraph)."""
    return "\n".join(repairer.repair(garble(line, code_page)) for line in text.split("\n"))


@dataclass
class Score:
    titles: int = 0
    exact: int = 0
    chars: int = 0
    wrong: int = 0

    def add(self, want: str, got: str) -> None:
        self.titles += 1
        self.exact += want == got
        pairs = zip(want, got, strict=True) if len(want) == len(got) else ((a, "") for a in want)
        for a, b in pairs:
            if CJK.match(a):
                self.chars += 1
                self.wrong += a != b

    def __iadd__(self, other: Score) -> Score:
        self.titles += other.titles
        self.exact += other.exact
        self.chars += other.chars
        self.wrong += other.wrong
        return self

    def line(self) -> str:
        char_rate = 100 * (1 - self.wrong / max(1, self.chars))
        exact_rate = 100 * self.exact / max(1, self.titles)
        return f"{self.titles:5d} titles {exact_rate:6.2f}% exact  {self.chars:6d} chars {char_rate:6.2f}%"


def score_titles(
    titles: list[Title],
    model: CharModel,
    words: WordModel | None,
    show: Callable[[str, str], None] | None,
    context: ContextModel | None = None,
) -> Score:
    score = Score()
    repairer = Repairer(model, words, context)
    for title in titles:
        got = repaired_title(title, repairer, NOTE_CODE_PAGE)
        score.add(title.text, got)
        if show and got != title.text:
            show(title.text, got)
    return score


def score_lines(clean: str, model: CharModel, words: WordModel | None, context: ContextModel | None = None) -> Score:
    """The older measure: every Chinese line of the held-out text, garbled with both code pages."""
    score = Score()
    for code_page in ("cp1252", "cp1254"):
        repairer = Repairer(model, words, context)
        for line in (ln for ln in clean.splitlines() if CJK.search(ln)):
            score.add(line, repairer.repair(garble(line, code_page)))
    return score


def folds(texts: dict[str, str]) -> list[tuple[str, str, list[str]]]:
    """(name, held-out text, training texts)."""
    out: list[tuple[str, str, list[str]]] = []
    for name, text in texts.items():
        others = [t for n, t in texts.items() if n != name]
        if len(text) > 200_000:
            lines = text.splitlines()
            half = len(lines) // 2
            a, b = "\n".join(lines[:half]), "\n".join(lines[half:])
            out += [(f"{name} (1st half)", a, [*others, b]), (f"{name} (2nd half)", b, [*others, a])]
        else:
            out.append((name, text, others))
    return out


def fold_model(base: Grams, training: list[str], weight: int, min_bigram: int, min_trigram: int) -> CharModel:
    grams: Grams = (Counter(base[0]), Counter(base[1]), Counter(base[2]))
    for text in training:
        add_text(grams, text, weight)
    return CharModel(*prune(grams, min_bigram, min_trigram))


def main() -> None:
    from build_char_model import MIN_TRIGRAM_NOTES, NOTE_WEIGHT

    parser = argparse.ArgumentParser()
    parser.add_argument("--min-bigram", type=int, default=40)
    parser.add_argument("--min-trigram", type=int, default=MIN_TRIGRAM_NOTES * NOTE_WEIGHT)
    parser.add_argument("--titles-only", action="store_true", help="skip the older measure (every Chinese line)")
    parser.add_argument("--no-words", action="store_true", help="the character model alone, no word list")
    parser.add_argument("--no-context", action="store_true", help="no context model for 与/中/不")
    parser.add_argument("--show", action="store_true", help="print each title that comes back wrong")
    args = parser.parse_args()
    texts = {p.name: p.read_text(encoding="utf-8") for p in clean_notes()}
    base = count([])
    words = None if args.no_words else load_words()  # jieba's dictionary: no text of the notes is in it
    show = (lambda want, got: print(f"    want {want}\n    got  {got}")) if args.show else None
    all_titles, all_lines = Score(), Score()
    for name, held_out, training in folds(texts):
        model = fold_model(base, training, NOTE_WEIGHT, args.min_bigram, args.min_trigram)
        context = None if args.no_context else contextmodel.train(training, words.cohesion if words else ())
        start = time.perf_counter()
        titles = score_titles(titles_in(held_out), model, words, show, context)
        all_titles += titles
        print(f"titles {name:42} {titles.line()}  {time.perf_counter() - start:.1f} s")
        if not args.titles_only:
            lines = score_lines(held_out, model, words, context)
            all_lines += lines
            print(f"lines  {name:42} {lines.line()}")
    print(f"titles {'all folds':42} {all_titles.line()}")
    if not args.titles_only:
        print(f"lines  {'all folds':42} {all_lines.line()}")


if __name__ == "__main__":
    main()
