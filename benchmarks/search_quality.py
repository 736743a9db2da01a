"""Search quality on the labelled query set over the shipped notes: nDCG@10 and success@1/@5 by query type.

Labels (tests/data/search_queries.json) were made by reading the items, not from search output: 2 = the item
the user means (or the topic is in its title), 1 = relevant.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "tests" / "data" / "search_queries.json"
KNOWN_ITEM_TYPES = ("known-item", "typo", "spelling", "filtered")


def build_library(path: Path) -> Any:
    from readlist.importer.run import collect, merge_reports, read_file
    from readlist.store import db
    from readlist.store.write import Store

    merge_reports(Store(path), (read_file(p, []) for p in collect([str(ROOT / "data" / "notes")])))
    return db.connect(path)


def ndcg(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** grades.get(key, 0) - 1) / math.log2(i + 2) for i, key in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 1.0


def evaluate(conn: Any, k: int = 10) -> list[dict[str, object]]:
    from readlist.search.engine import search

    rows = []
    for case in json.loads(QUERIES.read_text(encoding="utf-8")):
        grades: dict[str, int] = case["relevant"]
        ranked = [it["key"] for it in search(conn, case["query"], limit=k).items]
        top = max(grades.values())
        first = next((i for i, key in enumerate(ranked) if grades.get(key) == top), None)
        rows.append(
            {
                "query": case["query"],
                "type": case["type"],
                "ndcg@10": ndcg(ranked, grades, k),
                "success@1": first == 0,
                "success@5": first is not None and first < 5,
                "first": first,
            }
        )
    return rows


def summary(rows: list[dict[str, object]]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[dict[str, object]]] = defaultdict(list)
    for r in rows:
        groups[str(r["type"])].append(r)
        groups["all"].append(r)
    return {
        name: {
            "queries": len(rs),
            "ndcg@10": sum(float(r["ndcg@10"]) for r in rs) / len(rs),  # type: ignore[arg-type]
            "success@1": sum(bool(r["success@1"]) for r in rs) / len(rs),
            "success@5": sum(bool(r["success@5"]) for r in rs) / len(rs),
        }
        for name, rs in groups.items()
    }


def main() -> None:
    """`search_quality.py [--db postgresql://…/empty_db]`: the SQLite library, and with --db the same library
    copied into PostgreSQL (db copy), searched there with its own full-text index."""
    import argparse

    sys.path.insert(0, str(ROOT / "src"))
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", help="an empty PostgreSQL database to compare (postgresql://…)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "q.db"
        backends = {"sqlite": evaluate(build_library(path))}
        if args.db:
            from readlist.location import location
            from readlist.services.transfer import copy
            from readlist.store import db

            copy(path, location(args.db))
            backends["postgresql"] = evaluate(db.connect(location(args.db)))
    for name, rows in backends.items():
        print(f"\n== {name}")
        print(f"{'query':40} {'type':11} {'nDCG@10':>7} first-grade-2-rank")
        for r in rows:
            print(f"{str(r['query'])[:40]:40} {r['type']:11} {r['ndcg@10']:7.3f} {r['first']}")
        print(f"\n{'type':11} {'queries':>7} {'nDCG@10':>8} {'S@1':>6} {'S@5':>6}")
        for group, s in summary(rows).items():
            print(f"{group:11} {s['queries']:7.0f} {s['ndcg@10']:8.3f} {s['success@1']:6.2f} {s['success@5']:6.2f}")


if __name__ == "__main__":
    main()
