"""Build src/readlist/importer/zh_char_model.tsv.gz: character 1-3-gram counts of written Chinese.

    python scripts/build_char_model.py data/notes/chat-notes-kernels-and-reasoning.md ...

Sources: wordfreq's Chinese word list and jieba's dictionary (n-grams inside words, weighted by word
frequency: word boundaries the notes never show) and clean notes (running text, across words).
Needs `pip install wordfreq jieba` (build-time tools only; readlist does not depend on them at run time).
"""

from __future__ import annotations

import argparse
import gzip
from collections import Counter
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "readlist" / "importer" / "zh_char_model.tsv.gz"
WORDS_OUT = OUT.with_name("zh_words.tsv.gz")
CONTEXT_OUT = OUT.with_name("zh_context.tsv.gz")
MIN_WORD_COUNT = 10  # rarer words of jieba's overrule right readings more often than they fix wrong ones (held out)
SCALE = 1e9  # wordfreq frequencies → integer counts
# Real running text outweighs within-word pairs from the word lists (measured: 98.6% → 99.3%; held out, titles exactly
# right: 10,000 91.5%, 20,000 92.0%, with trigrams kept when seen MIN_TRIGRAM_NOTES times).
NOTE_WEIGHT = 20_000
MIN_TRIGRAM_NOTES = 3  # a trigram seen once or twice in the notes is noise more often than context (held out)
# Chinese punctuation, which the word lists lack: each is known at least this well (about once in 100,000
# characters), so a note whose training text never had 【 can still read one its partner 】 calls for.
PUNCTUATION = "，。、：；！？（）【】「」『』《》〈〉〔〕“”‘’…—·～"
PUNCTUATION_COUNT = 100_000
Grams = tuple[Counter[str], Counter[str], Counter[str]]


def jieba_words() -> list[tuple[str, int, str]]:
    """jieba's dictionary, (word, count, part of speech): the dictionary rjieba, the search index's segmenter,
    has built in (rjieba does not hand out its counts, so the build reads them from jieba's copy)."""
    import jieba  # type: ignore[import-not-found, unused-ignore]

    path = Path(jieba.__file__).with_name("dict.txt")
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) >= 3 and parts[1].isdigit():
            rows.append((parts[0], int(parts[1]), parts[2]))
    return rows


def jieba_counts() -> dict[str, int]:
    return {w: n for w, n, _ in jieba_words()}


def _words() -> dict[str, float]:
    """Word → frequency (sums to about 1), from wordfreq and jieba together."""
    import wordfreq  # type: ignore[import-not-found, unused-ignore]

    words = dict(wordfreq.get_frequency_dict("zh", wordlist="large"))
    try:
        counts = jieba_counts()
    except ImportError:
        return words
    total = sum(counts.values()) or 1
    for word, n in counts.items():
        words[word] = words.get(word, 0.0) + 0.5 * n / total
    return words


def add_text(grams: Grams, text: str, weight: int) -> None:
    uni, bi, tri = grams
    for line in text.split("\n"):
        line = line.replace("\t", " ")
        for ch in line:
            uni[ch] += weight
        for i in range(len(line) - 1):
            bi[line[i : i + 2]] += weight
        for i in range(len(line) - 2):
            tri[line[i : i + 3]] += weight


def count(files: list[Path], texts: list[str] | None = None) -> Grams:
    """The n-gram counts from the word lists plus these clean files (and texts)."""
    grams: Grams = (Counter(), Counter(), Counter())
    for ch in PUNCTUATION:
        add_text(grams, ch, PUNCTUATION_COUNT)
    for word, freq in _words().items():
        weight = int(freq * SCALE)
        if weight > 0:
            add_text(grams, word, weight)
    for text in [p.read_text(encoding="utf-8") for p in files] + (texts or []):
        add_text(grams, text, NOTE_WEIGHT)
    return grams


def prune(grams: Grams, min_bigram: int, min_trigram: int) -> Grams:
    uni, bi, tri = grams
    return (
        uni,
        Counter({g: n for g, n in bi.items() if n >= min_bigram}),
        Counter({g: n for g, n in tri.items() if n >= min_trigram and not g.isascii()}),
    )


def write(grams: Grams, out: Path) -> None:
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as fh:
        for counter in grams:
            for gram, n in sorted(counter.items()):
                fh.write(f"{gram}\t{n}\n")


def write_words(out: Path) -> None:
    """The word model's file: each word of jieba's seen at least MIN_WORD_COUNT times, with its cohesion."""
    from readlist.importer import wordmodel

    counts = {w: n for w, n, _ in jieba_words() if n >= MIN_WORD_COUNT}
    wordmodel.write(wordmodel.cohesion_of(counts), out)


def write_context(files: list[Path], out: Path) -> None:
    """The context model of 与/中/不 (contextmodel.py): trained on the clean notes' running text."""
    from readlist.importer import contextmodel, wordmodel

    texts = [p.read_text(encoding="utf-8") for p in files]
    contextmodel.write(contextmodel.train(texts, wordmodel.load().cohesion), out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--min-bigram", type=int, default=40)
    parser.add_argument("--min-trigram", type=int, default=MIN_TRIGRAM_NOTES * NOTE_WEIGHT)
    args = parser.parse_args()
    write(prune(count(args.files), args.min_bigram, args.min_trigram), args.out)
    write_words(WORDS_OUT)
    write_context(args.files, CONTEXT_OUT)
    for out in (args.out, WORDS_OUT, CONTEXT_OUT):
        print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
