"""Mojibake repair accuracy on held-out text: clean Chinese notes are garbled the way real notes were
(UTF-8 read as cp1252 or cp1254, undefined bytes and soft hyphens dropped), repaired by a model built
WITHOUT them, and compared character by character.

    python benchmarks/mojibake_accuracy.py            # needs: pip install wordfreq jieba

Folds: each clean note is held out in turn (large notes are split in halves, each half held out in turn).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from build_char_model import count, prune  # noqa: E402

from readlist.importer.charmodel import CharModel  # noqa: E402
from readlist.importer.decode import decode  # noqa: E402
from readlist.importer.mojibake import Repairer  # noqa: E402
from tests.garble import garble  # noqa: E402

CJK = re.compile("[\u4e00-\u9fff]")


def clean_notes() -> list[Path]:
    """Shipped notes that need no repair themselves."""
    return [
        p for p in sorted((ROOT / "data" / "notes").glob("*.md")) if not decode(p.read_bytes()).repair.lines_repaired
    ]


def score(clean: str, model: CharModel) -> tuple[int, int, int, float]:
    """(Chinese characters, wrong ones, low-confidence flags, seconds) for both code pages."""
    total = wrong = flagged = 0
    start = time.perf_counter()
    for code_page in ("cp1252", "cp1254"):
        lines = [ln for ln in clean.splitlines() if CJK.search(ln)]
        garbled = [garble(ln, code_page) for ln in lines]
        repairer = Repairer(model.copy())
        for n, (want, got_raw) in enumerate(zip(lines, garbled, strict=True), 1):
            got = repairer.repair(got_raw, n)
            for a, b in zip(want, got, strict=False) if len(want) == len(got) else ((a, "") for a in want):
                if CJK.match(a):
                    total += 1
                    wrong += a != b
        flagged += repairer.stats.low_confidence
    return total, wrong, flagged, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--min-bigram", type=int, default=40)
    parser.add_argument("--min-trigram", type=int, default=20_000)
    args = parser.parse_args()
    notes = clean_notes()
    folds: list[tuple[str, str, list[str]]] = []  # (name, held-out text, training texts)
    texts = {p.name: p.read_text(encoding="utf-8") for p in notes}
    for name, text in texts.items():
        others = [t for n, t in texts.items() if n != name]
        if len(text) > 200_000:
            lines = text.splitlines()
            half = len(lines) // 2
            a, b = "\n".join(lines[:half]), "\n".join(lines[half:])
            folds += [(f"{name} (1st half)", a, [*others, b]), (f"{name} (2nd half)", b, [*others, a])]
        else:
            folds.append((name, text, others))
    all_total = all_wrong = 0
    for name, held_out, training in folds:
        uni, bi, tri = prune(count([], training), args.min_bigram, args.min_trigram)
        total, wrong, flagged, secs = score(held_out, CharModel(uni, bi, tri))
        all_total, all_wrong = all_total + total, all_wrong + wrong
        print(f"{name:48} {total:7d} chars  {100 * (1 - wrong / max(1, total)):6.2f}%  {flagged} flagged  {secs:.1f} s")
    print(f"{'all folds':48} {all_total:7d} chars  {100 * (1 - all_wrong / max(1, all_total)):6.2f}%")


if __name__ == "__main__":
    main()
