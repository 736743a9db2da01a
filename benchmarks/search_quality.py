"""recall@10 and precision@10 of `readlist search` on the labelled query set over the shipped notes."""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "tests" / "data" / "search_queries.json"


def build_library(path: Path) -> sqlite3.Connection:
    from readlist import db
    from readlist.importer.run import collect, merge_reports, read_file
    from readlist.library.write import Store

    merge_reports(Store(path), (read_file(p, []) for p in collect([str(ROOT / "data" / "notes")])))
    return db.connect(path)


def evaluate(conn: sqlite3.Connection, k: int = 10) -> list[dict[str, object]]:
    from readlist.search.engine import search

    rows = []
    for case in json.loads(QUERIES.read_text(encoding="utf-8")):
        relevant = set(case["relevant"])
        top = [it["key"] for it in search(conn, case["query"], limit=k, fuzzy=False).items]
        everything = {it["key"] for it in search(conn, case["query"], limit=1000, fuzzy=False).items}
        hits = len(relevant & set(top))
        rows.append(
            {
                "query": case["query"],
                "relevant": len(relevant),
                "recall@10": hits / min(k, len(relevant)) if relevant else 1.0,
                "precision@10": hits / len(top) if top else 0.0,
                "all_found": relevant <= everything,
                "missing": sorted(relevant - everything),
            }
        )
    return rows


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    with tempfile.TemporaryDirectory() as tmp:
        rows = evaluate(build_library(Path(tmp) / "q.db"))
    print(f"{'query':24} {'relevant':>8} {'R@10':>6} {'P@10':>6} all-found")
    for r in rows:
        print(
            f"{r['query']:24} {r['relevant']:8} {r['recall@10']:6.2f} {r['precision@10']:6.2f} {r['all_found']}"
            + (f"  missing {r['missing']}" if r["missing"] else "")
        )
    n = len(rows)
    print(
        f"mean recall@10 {sum(r['recall@10'] for r in rows) / n:.3f}   "  # type: ignore[misc]
        f"mean precision@10 {sum(r['precision@10'] for r in rows) / n:.3f}   over {n} queries"
    )  # type: ignore[misc]


if __name__ == "__main__":
    main()
