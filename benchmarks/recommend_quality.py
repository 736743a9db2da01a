"""Recommendation quality by leave-out of sections, on the shipped notes (docs/recommend.md).

The notes are imported once (their headings become tags). For every tag with at least 8 items and each seed, a
random quarter of its members lose the tag, and three rankings are scored by recall@10 and nDCG@10 of those
hidden members (recall@10 counts hits out of min(10, hidden), so a big tag can reach 1):

- suggest: `readlist suggest --tag TAG --json` ranks the library's items without the tag;
- inbox: one morning's feed. The tag's hidden quarter arrives with a quarter of every other section of the
  notes (other tags' new papers: all ML systems, many near the tag's topic), title only as a feed brings them
  (no notes, no tags), in a random order; the tag's other members are read, the rest of the notes skipped;
  `readlist inbox --json` ranks the inbox (~360 entries, the hidden ones from 2 to 180 of them).

Each is compared with arxiv-sanity-lite's settings on the same split (TF-IDF of title+abstract, word 1–2-grams,
sublinear tf, English stop words, LinearSVC C=0.01 tol=1e-6 with balanced class weights, trained on the tag's
members — or the read items — against everything else, the decision function ranking; as its serve.py does)
and with date order (newest first; for the inbox, the feed's order). The anchor keeps sklearn's default token
pattern and min_df=1 where arxiv-sanity-lite's compute.py keeps ASCII words only (it would see no Chinese title
at all) and drops terms in fewer than 5 papers: both would weaken it on these notes, so they are not copied.

    python -m benchmarks.recommend_quality [--seeds 5] [--part suggest|inbox|both] [--tags N]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
NOTES = ROOT / "data" / "notes"
MIN_MEMBERS = 8
K = 10


def cli(*argv: str) -> Any:
    """One in-process run of the command line; its JSON output."""
    from readlist import cli as readlist_cli

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = readlist_cli.run(list(argv))
    if code != 0:
        raise SystemExit(f"readlist {' '.join(argv)} exited {code}")
    return json.loads(out.getvalue())


def scores(ranked: Sequence[int], hidden: set[int]) -> tuple[float, float]:
    """(recall@10 out of min(10, hidden), nDCG@10) of the hidden items in a ranking."""
    top = list(ranked)[:K]
    best = min(K, len(hidden))
    recall = sum(1 for i in top if i in hidden) / best
    dcg = sum(1 / math.log2(n + 2) for n, i in enumerate(top) if i in hidden)
    ideal = sum(1 / math.log2(n + 2) for n in range(best))
    return recall, dcg / ideal


def anchor(texts: dict[int, str], positives: set[int], candidates: Sequence[int]) -> list[int]:
    """arxiv-sanity-lite's model on one split: the candidates by the SVM's decision function."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    ids = sorted(texts)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english", strip_accents="unicode")
    x = vectorizer.fit_transform([texts[i] for i in ids])
    y = np.array([1 if i in positives else 0 for i in ids])
    svm = LinearSVC(C=0.01, class_weight="balanced", tol=1e-6, max_iter=10000).fit(x, y)
    decision = dict(zip(ids, svm.decision_function(x), strict=True))
    return sorted(candidates, key=lambda i: -decision[i])


def items(db: Path) -> list[dict[str, Any]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = conn.execute("SELECT id, title, abstract, coalesce(published, added_at) AS day FROM item").fetchall()
    tags: dict[int, list[str]] = {}
    for item_id, name in conn.execute("SELECT it.item_id, t.name FROM itemtag it JOIN tag t ON t.id = it.tag_id"):
        tags.setdefault(item_id, []).append(name)
    conn.close()
    return [{**dict(r), "tags": tags.get(r["id"], [])} for r in rows]


def by_date(rows: dict[int, dict[str, Any]], candidates: Sequence[int]) -> list[int]:
    return sorted(candidates, key=lambda i: (rows[i]["day"], i), reverse=True)


def suggest_split(db: Path, tag: str, hidden: set[int], rows: dict[int, dict[str, Any]]) -> dict[str, list[int]]:
    from readlist import Library

    with Library(db) as lib:
        lib.tag(*sorted(hidden), remove=[tag])
    ours = [i["id"] for i in cli("--db", str(db), "suggest", "--tag", tag, "--json", "-n", str(K))]
    members = {i for i, r in rows.items() if tag in r["tags"] and i not in hidden}
    candidates = [i for i in rows if i not in members]
    texts = {i: f"{r['title']} {r['abstract'] or ''}" for i, r in rows.items()}
    return {"ours": ours, "anchor": anchor(texts, members, candidates), "date": by_date(rows, candidates)}


def inbox_split(
    db: Path, tag: str, hidden: set[int], rows: dict[int, dict[str, Any]], rng: random.Random, feeds: Any
) -> dict[str, list[int]]:
    """One morning's feed: the tag's hidden quarter arrives together with a quarter of everything else in the
    notes (the other sections' new papers — all ML systems, many near the tag's topic), in a random order."""
    from readlist import Library
    from tests.feed_server import blog_rss

    members = {i for i, r in rows.items() if tag in r["tags"] and i not in hidden}
    others = sorted(i for i in rows if i not in members and i not in hidden)
    distractors = set(rng.sample(others, len(others) // 4))
    leaving = sorted(hidden | distractors)
    rng.shuffle(leaving)  # a day's listing is not grouped by topic (the notes are: ids follow their sections)
    path = f"/feed/{tag.encode().hex()}/{rng.random()}"
    feeds.routes[path] = blog_rss([(escape(rows[i]["title"]), f"https://bench.example/{i}", "") for i in leaving])
    with Library(db) as lib:
        lib.remove(*leaving)
        lib.done(*sorted(members))
        lib.skip(*[i for i in others if i not in distractors])
        lib.follow(feeds.base + path, name="bench", check=False)
        lib.pull_feeds()
        fed = {int(i["url"].rsplit("/", 1)[1]): i["id"] for i in lib.inbox(full=False)}
    back = {new: old for old, new in fed.items()}
    ours = [back[i["id"]] for i in cli("--db", str(db), "inbox", "--json")]
    texts = {i: f"{r['title']} {r['abstract'] or ''}" for i, r in rows.items()}
    return {"ours": ours, "anchor": anchor(texts, members, leaving), "date": list(leaving)}  # date: feed order


PerTag = dict[str, dict[str, dict[str, list[float]]]]  # part → method → tag → [recall@10, nDCG@10] over seeds


def run(part: str, seeds: int, max_tags: int | None, shard: tuple[int, int] = (0, 1)) -> PerTag:
    """Every split of the chosen tags (`shard` k/n: every n-th tag from the k-th, to spread a run over
    processes); each tag's scores averaged over its seeds."""
    from tests.feed_server import FeedServer

    work = Path(tempfile.mkdtemp(prefix="readlist-recbench-"))
    os.environ["READLIST_CONFIG_DIR"] = str(work / "config")
    os.environ["READLIST_STATE_DIR"] = str(work / "state")
    os.environ["READLIST_ARXIV_URL"] = "http://127.0.0.1:9/api/query"  # never the network
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    template = work / "notes.db"
    with contextlib.redirect_stdout(io.StringIO()):
        from readlist import Library

        with Library(template) as lib:
            lib.import_(NOTES)
    rows = {r["id"]: r for r in items(template)}
    with Library(template) as lib:  # the term counts, cached in the library: every split's copy starts with them
        lib.similar(min(rows), limit=1)
    counts: dict[str, int] = {}
    for r in rows.values():
        for t in r["tags"]:
            counts[t] = counts.get(t, 0) + 1
    tags = sorted((t for t, n in counts.items() if n >= MIN_MEMBERS), key=lambda t: (-counts[t], t))[:max_tags]
    tags = tags[shard[0] :: shard[1]]
    feeds = FeedServer()
    feeds.start()
    results: PerTag = {}
    try:
        for name in ("suggest", "inbox") if part == "both" else (part,):
            per_tag: dict[str, dict[str, list[tuple[float, float]]]] = {}
            for tag in tags:
                for seed in range(seeds):
                    rng = random.Random(f"{tag}/{seed}")
                    members = sorted(i for i, r in rows.items() if tag in r["tags"])
                    hidden = set(rng.sample(members, max(1, len(members) // 4)))
                    db = work / f"{name}.db"
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{db}{suffix}").unlink(missing_ok=True)
                    src, dst = sqlite3.connect(template), sqlite3.connect(db)
                    src.backup(dst)
                    src.close()
                    dst.close()
                    if name == "suggest":
                        ranked = suggest_split(db, tag, hidden, rows)
                    else:
                        ranked = inbox_split(db, tag, hidden, rows, rng, feeds)
                    for method, order in ranked.items():
                        per_tag.setdefault(method, {}).setdefault(tag, []).append(scores(order, hidden))
            results[name] = {
                method: {
                    tag: [statistics.mean(s[0] for s in splits), statistics.mean(s[1] for s in splits)]
                    for tag, splits in by_tag.items()
                }
                for method, by_tag in per_tag.items()
            }
    finally:
        feeds.stop()
    return results


def summary(per: PerTag, seeds: int) -> list[str]:
    """The table of each part: recall@10 and nDCG@10 averaged over seeds, then over tags."""
    lines = []
    for name, methods in per.items():
        lines.append(f"{name}: {len(methods['ours'])} tags × {seeds} seeds")
        mean = {m: [statistics.mean(v[i] for v in by_tag.values()) for i in (0, 1)] for m, by_tag in methods.items()}
        for method in ("ours", "anchor", "date"):
            lines.append(f"  {method:7} recall@10 {mean[method][0]:.3f}  nDCG@10 {mean[method][1]:.3f}")
        ours, anchor_, date = (mean[m][0] for m in ("ours", "anchor", "date"))
        lines.append(f"  ours/anchor {ours / anchor_:.2f}×  ours/date {ours / date if date else math.inf:.2f}×")
    return lines


def main(argv: Sequence[str] | None = None, report: Callable[[str], None] = print) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--part", choices=("suggest", "inbox", "both"), default="both")
    parser.add_argument("--tags", type=int, default=None, help="only the N biggest tags (a quick run)")
    parser.add_argument("--shard", default="0/1", help="K/N: every N-th tag from the K-th (one of N processes)")
    parser.add_argument("--save", type=Path, help="write each tag's scores here (JSON), for --combine")
    parser.add_argument("--combine", type=Path, nargs="+", help="print the table of saved shards instead")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.combine:
        per: PerTag = {}
        for path in args.combine:
            for name, methods in json.loads(path.read_text(encoding="utf-8")).items():
                for method, by_tag in methods.items():
                    per.setdefault(name, {}).setdefault(method, {}).update(by_tag)
    else:
        k, n = (int(x) for x in args.shard.split("/"))
        per = run(args.part, args.seeds, args.tags, (k, n))
        if args.save:
            args.save.write_text(json.dumps(per, ensure_ascii=False, indent=1), encoding="utf-8")
    for line in summary(per, args.seeds):
        report(line)
    report(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
