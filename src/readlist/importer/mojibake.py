"""Repair UTF-8 text that was decoded with a Windows code page (cp1252/cp1254) and saved again.

Going back is `line.encode(code page)` — except that the bytes the code page does not define (and soft
hyphens) were dropped on the way, so some characters lost a continuation byte. Every damaged position has a
handful of candidates (which byte, where); a character trigram model picks the most likely sequence (beam
search), and where it finds two readings close, the words they make (jieba's dictionary) may overrule it.
Lines that are not mojibake are returned unchanged.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from functools import lru_cache

import ftfy  # noqa: F401  (registers the "sloppy-windows-125x" codecs used below)

from readlist.importer.charmodel import CharModel
from readlist.importer.contextmodel import ContextModel, features
from readlist.importer.wordmodel import WordModel

# Code pages tried in order; "sloppy" variants (from ftfy) map every byte, so encoding never loses one.
CODE_PAGES = ("sloppy-windows-1252", "sloppy-windows-1254")
# Bytes a strict decode with those code pages leaves out: undefined ones, plus 0xAD (soft hyphen).
DROPPED_BYTES = bytes([0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E, 0xAD])
LOW_CONFIDENCE_MARGIN = 3.0  # log points between best and runner-up; held out, 88% of wrong choices fall below
_BAD_CATEGORIES = {"Cn", "Cs", "Co", "Cc"}
BEAM = 64  # readings of a damaged run kept at each step (a run of two bare lead bytes has 64 × 64)
BRACKET_WEIGHT = (
    16.0  # held out: 4.0 left 【 read as 、 in titles like 【论文速读】 (its partner 】 intact); 8 left 」 as 、
)
# Readings the character model puts within RERANK_MARGIN of each other are weighed again by the words they
# make (jieba's dictionary) in a window of WORD_CONTEXT characters either side.
RERANK_MARGIN = 8.0
RERANK_TOP = 4
WORD_CONTEXT = 5
WORD_WEIGHT = 0.5
# The words' favourite overrules the characters' only if it makes no worse words than theirs (held out, titles
# exactly right: a margin of 5 log points 91.0%, none 91.4%).
WORD_MIN_GAIN = 0.0
# 与/中/不 (the same byte lost): the character model's say weighs CHAR_WEIGHT, the context model's the rest.
CHAR_WEIGHT = 0.5
CONTEXT_WEIGHT = 1.0
MARKUP = frozenset("*`")  # read through when weighing context (emphasis and code spans around a word)
_CLOSER_OF = dict(zip("【「『（《〈〔", "】」』）》〉〕", strict=True))
_OPENER_OF = {v: k for k, v in _CLOSER_OF.items()}


MAX_KEPT_REPAIRS = 100_000  # low-confidence repairs kept for `import --repairs` (all are counted)


@dataclass
class Repair:
    """A low-confidence choice: where, the repaired text around it, and the readings that nearly won."""

    line: int
    column: int
    chosen: str
    alternatives: list[str]
    context: str


@dataclass
class RepairStats:
    lines_repaired: int = 0
    chars_restored: int = 0  # characters rebuilt from a dropped byte
    low_confidence: int = 0
    repairs: list[Repair] = field(default_factory=list)


@dataclass
class _Slot:
    """One character position: a single known character, or the candidates for a damaged one."""

    options: tuple[str, ...]
    damaged: bool = False
    scores: list[float] = field(default_factory=list)


def _seq_len(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def _plausible(ch: str) -> bool:
    # Zero-width joiners and marks (Cf) are possible but rare in notes; curly quotes, their rivals, are not.
    return unicodedata.category(ch) not in _BAD_CATEGORIES


@lru_cache(maxsize=65536)
def _candidates(lead: int, present: bytes, missing: int) -> tuple[str, ...]:
    """Every character formed by inserting `missing` dropped bytes around the continuation bytes we have."""
    found: list[str] = []
    for fill in itertools.product(DROPPED_BYTES, repeat=missing):
        for positions in itertools.combinations(range(len(present) + missing), missing):
            rest = iter(present)
            extra = iter(fill)
            tail = bytes(next(extra) if i in positions else next(rest) for i in range(len(present) + missing))
            try:
                ch = bytes([lead]).join([b"", tail]).decode("utf-8")
            except UnicodeDecodeError:
                continue
            if len(ch) == 1 and _plausible(ch) and ch not in found:
                found.append(ch)
    return tuple(found)


def _slots(raw: bytes) -> tuple[list[_Slot], int, int, int] | None:
    """Split the bytes into character slots; None when the bytes are not UTF-8 at all.

    Also counts the evidence: whole multi-byte sequences, damaged ones that kept a continuation byte (a
    lead byte followed by one is mojibake, not Latin text), and bare lead bytes (which "café" also has)."""
    slots: list[_Slot] = []
    valid = partial = bare = 0
    i = 0
    while i < len(raw):
        b = raw[i]
        if b < 0x80:
            slots.append(_Slot((chr(b),)))
            i += 1
            continue
        need = _seq_len(b)
        if need == 0:
            return None  # a stray continuation byte or an impossible lead: not mojibake of UTF-8
        j = i + 1
        while j < len(raw) and j - i < need and 0x80 <= raw[j] <= 0xBF:
            j += 1
        chunk = raw[i:j]
        if len(chunk) == need:
            try:
                slots.append(_Slot((chunk.decode("utf-8"),)))
                valid += 1
            except UnicodeDecodeError:
                return None
        else:
            options = _candidates(b, bytes(chunk[1:]), need - len(chunk))
            if not options:
                return None
            slots.append(_Slot(options, damaged=True))
            if len(chunk) > 1:
                partial += 1
            else:
                bare += 1
        i = j
    return slots, valid, partial, bare


def _as_bytes(line: str) -> bytes | None:
    for code_page in CODE_PAGES:
        try:
            return line.encode(code_page)
        except UnicodeEncodeError:
            continue
    return None


def _bracket_balance(chars: list[str], k: int, slots: list[_Slot]) -> float:
    """Brackets come in pairs: reward an opener whose closer follows unmatched (and vice versa), punish a
    bracket that could have no partner. This is what tells 【 from its byte-neighbours 、 and 」. Only
    brackets that survived intact vouch for a partner: two damaged 、 must not pair up as 『 and 』 (which
    lose a byte each, so a real pair of them is left to the character model)."""
    ch = chars[k]
    if ch in _CLOSER_OF:
        partner, side = _CLOSER_OF[ch], range(k + 1, len(chars))
    elif ch in _OPENER_OF:
        partner, side = _OPENER_OF[ch], range(k)
    else:
        return 0.0
    intact = [chars[m] for m in side if not slots[m].damaged]
    if intact.count(partner) > intact.count(ch):
        return BRACKET_WEIGHT
    if any(partner in slots[m].options for m in side if slots[m].damaged):
        return 0.0
    return -BRACKET_WEIGHT


def _worth_trying(options: tuple[str, ...], model: CharModel) -> tuple[str, ...]:
    """The candidates common enough to win in context, and any bracket: a rare one (【 in text without
    many) is decided by its partner, not by how often it is written."""
    likely = model.likely(options)
    brackets = tuple(ch for ch in options if (ch in _CLOSER_OF or ch in _OPENER_OF) and ch not in likely)
    return likely + brackets if brackets else likely


def _context(chars: list[str], k: int) -> str | None:
    return chars[k] if k >= 0 else None


def _best_run(
    chars: list[str], slots: list[_Slot], i: int, j: int, model: CharModel, words: WordModel | None = None
) -> tuple[list[str], float, list[str]]:
    """Best reading of damaged slots i..j-1 in context, its margin over the runner-up, and close rivals.

    A beam search left to right over every candidate of every slot (a character that lost two bytes has up
    to 64), scored by the trigram model, then by the two characters after the run (which depend on it) and
    by bracket balance. No candidate is dropped for being rare before its context is seen."""
    beam: list[tuple[float, tuple[str, ...]]] = [(0.0, ())]
    for k in range(i, j):
        grown = []
        tried = _worth_trying(slots[k].options, model)
        for score, seq in beam:
            a = seq[k - 2 - i] if k - 2 >= i else _context(chars, k - 2)
            b = seq[-1] if seq else _context(chars, k - 1)
            grown += [(score + p, (*seq, ch)) for p, ch in zip(model.logp3_each(a, b, tried), tried, strict=True)]
        grown.sort(key=lambda sp: sp[0], reverse=True)
        beam = grown[:BEAM]
    scored = []
    for score, seq in beam:
        chars[i:j] = seq
        for k in range(j, min(j + 2, len(chars))):
            score += model.logp3(_context(chars, k - 2), chars[k - 1], chars[k])
        score += sum(_bracket_balance(chars, k, slots) for k in range(i, j))
        scored.append((score, list(seq)))
    scored.sort(key=lambda sp: sp[0], reverse=True)
    if words is not None and len(scored) > 1 and scored[0][0] - scored[1][0] < RERANK_MARGIN:
        scored = _by_words(chars, i, j, scored, words)
    margin = scored[0][0] - scored[1][0] if len(scored) > 1 else float("inf")
    rivals = ["".join(c) for s, c in scored[1:4] if scored[0][0] - s < 2 * LOW_CONFIDENCE_MARGIN]
    return scored[0][1], margin, rivals


def _by_words(
    chars: list[str], i: int, j: int, scored: list[tuple[float, list[str]]], words: WordModel
) -> list[tuple[float, list[str]]]:
    """The close readings scored again with the words they make around them, best first. The words overrule
    the characters only by a clear margin: a dictionary has a word for nearly anything (万块 beside 万字)."""
    top = scored[0][0]
    close = [(s, seq) for s, seq in scored[:RERANK_TOP] if top - s < RERANK_MARGIN]
    before = "".join(chars[max(0, i - WORD_CONTEXT) : i])
    after = "".join(chars[j : j + WORD_CONTEXT])
    first = words.score(before + "".join(close[0][1]) + after)
    worded = [(s, words.score(before + "".join(seq) + after) - first, seq) for s, seq in close]
    rescored = sorted(((s + WORD_WEIGHT * gain, seq) for s, gain, seq in worded), key=lambda sp: sp[0], reverse=True)
    winner_gain = next(gain for _, gain, seq in worded if seq is rescored[0][1])
    return rescored if winner_gain >= WORD_MIN_GAIN or rescored[0][1] is close[0][1] else scored


def _char_say(chars: list[str], k: int, model: CharModel) -> float:
    """The character model's log-probability of the character at k and the two after it (which depend on it)."""
    return sum(
        model.logp3(_context(chars, m - 2), _context(chars, m - 1), chars[m]) for m in range(k, min(k + 3, len(chars)))
    )


def _by_context(
    chars: list[str], slots: list[_Slot], model: CharModel, context: ContextModel, words: Container[str]
) -> None:
    """Each damaged character of a group the context model knows (与/中/不, 低/位, 来/接/步, …: they read
    the same once damaged) decided again by what sits around it (see contextmodel.py)."""
    group_of = context.group
    for k, slot in enumerate(slots):
        if not slot.damaged or chars[k] not in group_of:
            continue
        rivals = [ch for ch in slot.options if ch in group_of]
        if len(rivals) < 2:
            continue
        feats = features(chars, k, words, group_of[chars[k]])
        scored = []
        for ch in rivals:
            chars[k] = ch
            scored.append((CHAR_WEIGHT * _char_say(chars, k, model) + CONTEXT_WEIGHT * context.logp(ch, feats), ch))
        chars[k] = max(scored)[1]


def _decode_slots(
    slots: list[_Slot],
    model: CharModel,
    stats: RepairStats,
    number: int = 0,
    words: WordModel | None = None,
    context: ContextModel | None = None,
) -> tuple[str, bool]:
    """Fixed characters stay; each run of damaged ones gets its most likely reading in context.
    Also says whether every choice was confident. Markdown markup (`**`, backticks) is read through: the
    characters either side of `**来**` are its context, not the asterisks."""
    view = [k for k, s in enumerate(slots) if s.damaged or s.options[0] not in MARKUP]
    if len(view) < len(slots):
        chars = [s.options[0] for s in slots]
        seen, confident = _decode_view([slots[k] for k in view], model, stats, number, words, context, view)
        for k, ch in zip(view, seen, strict=True):
            chars[k] = ch
        return "".join(chars), confident
    return _decode_view(slots, model, stats, number, words, context, None)


def _decode_view(
    slots: list[_Slot],
    model: CharModel,
    stats: RepairStats,
    number: int,
    words: WordModel | None,
    context: ContextModel | None,
    view: list[int] | None,
) -> tuple[str, bool]:
    chars = [s.options[0] for s in slots]
    unsure: list[tuple[int, int, list[str]]] = []
    i = 0
    while i < len(slots):
        if not slots[i].damaged:
            i += 1
            continue
        j = i
        while j < len(slots) and slots[j].damaged:
            j += 1
        chars[i:j], margin, rivals = _best_run(chars, slots, i, j, model, words)
        if margin < LOW_CONFIDENCE_MARGIN:
            stats.low_confidence += 1
            unsure.append((i, j, rivals))
        i = j
    if context is not None:
        _by_context(chars, slots, model, context, words.cohesion if words is not None else ())
    for i, j, rivals in unsure:
        if number and len(stats.repairs) < MAX_KEPT_REPAIRS:
            around = "".join(chars[max(0, i - 12) : j + 12]).strip()
            column = view[i] if view is not None else i
            stats.repairs.append(Repair(number, column + 1, "".join(chars[i:j]), rivals, around))
    return "".join(chars), not unsure


def analyse(line: str) -> tuple[list[_Slot], int] | None:
    """The slots of a mojibake line and its damaged count, or None if the line is not mojibake."""
    if line.isascii():
        return None
    raw = _as_bytes(line)
    if raw is None:
        return None
    parsed = _slots(raw)
    if parsed is None:
        return None
    slots, valid, partial, bare = parsed
    evidence = valid + partial
    # Real Latin text ("café") has only bare lead bytes; mojibake of UTF-8 is mostly whole sequences.
    if evidence == 0 or bare > 2 * evidence + 2:
        return None
    return slots, partial + bare


class Repairer:
    """Repairs a file line by line, each line once, as it streams past. (Teaching the model the file's own
    undamaged text and its confident repairs first was measured on held-out text: +0.01 points for three
    passes over the file, so it went.)"""

    def __init__(
        self,
        model: CharModel | Callable[[], CharModel],
        words: WordModel | Callable[[], WordModel] | None = None,
        context: ContextModel | Callable[[], ContextModel] | None = None,
    ) -> None:
        self._model = model  # or how to load it: most files have no mojibake and never need it
        self._words = words
        self._context = context
        self.stats = RepairStats()

    @property
    def model(self) -> CharModel:
        if not isinstance(self._model, CharModel):
            self._model = self._model()
        return self._model

    @property
    def words(self) -> WordModel | None:
        if self._words is not None and not isinstance(self._words, WordModel):
            self._words = self._words()
        return self._words

    @property
    def context(self) -> ContextModel | None:
        if self._context is not None and not isinstance(self._context, ContextModel):
            self._context = self._context()
        return self._context

    def repair(self, line: str, number: int = 0) -> str:
        """The line repaired, or exactly as it was when it is not mojibake."""
        result = analyse(line) if _maybe_mojibake(line) else None
        if result is None:
            return line
        slots, damaged = result
        self.stats.lines_repaired += 1
        self.stats.chars_restored += damaged
        if not damaged:
            return "".join(s.options[0] for s in slots)
        return _decode_slots(slots, self.model, self.stats, number, self.words, self.context)[0]


def is_mojibake(line: str) -> bool:
    """Whether the line is UTF-8 that was read as a Windows code page (what `repair` would change)."""
    return _maybe_mojibake(line) and analyse(line) is not None


# Lead bytes of multi-byte UTF-8 sequences as cp1252/cp1254 show them: a line without one is not mojibake.
_LEADS = re.compile("[\u00c2-\u00f4\u011e\u011f\u0130\u015e\u015f]")


def _maybe_mojibake(line: str) -> bool:
    return not line.isascii() and _LEADS.search(line) is not None


def repair_lines(lines: list[str], model: CharModel) -> tuple[list[str], RepairStats]:
    """Repair every mojibake line; other lines come back exactly as they were."""
    repairer = Repairer(model)
    return [repairer.repair(line, n) for n, line in enumerate(lines, 1)], repairer.stats
