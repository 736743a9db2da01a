"""Metadata sources: field accuracy on the real-format fixtures; `readlist add` with the network down (DNS failure,
refused connection; target ≤ 1.5 s); and `readlist fetch` of 300 mixed pending items (arXiv, DOIs, GitHub repos,
OpenReview links, web pages) against local servers, with the real 3 s arXiv spacing.

Run: python benchmarks/sources.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.timing import FLOOR, READLIST, median_wall  # noqa: E402
from tests.arxiv_server import ArxivServer  # noqa: E402
from tests.sources_server import DATA, SourcesServer  # noqa: E402

MIX = {"arxiv": 150, "doi": 50, "github": 40, "openreview": 20, "page": 40}


def accuracy() -> None:
    from readlist.net import crossref, github, openreview, webpage

    expected = json.loads((DATA / "expected.json").read_text())
    right = total = 0
    for name, want in expected.items():
        body = (DATA / name).read_bytes()
        if name.startswith("crossref"):
            meta = crossref.parse_work(body)
        elif name.startswith("github"):
            meta = github.parse_repo(body)
        elif name.startswith("openreview"):
            meta = openreview.parse_notes(body, json.loads(body)["notes"][0]["id"])
        else:
            meta = webpage.parse_page(body, want["url"], "text/html")
        assert meta is not None
        got = {
            "title": meta.title,
            "authors": [a["name"] for a in meta.authors],
            "venue": meta.venue,
            "year": meta.year,
        }
        for field in ("title", "authors", "venue", "year"):
            total += 1
            right += got[field] == want[field]
    arxiv_right, arxiv_total, papers = arxiv_accuracy()
    print(
        f"field accuracy (title/authors/venue/year exact): {right}/{total} = {100 * right / total:.1f}% "
        f"over {len(expected)} real-format Crossref/GitHub/OpenReview/web responses; arXiv API: "
        f"{arxiv_right}/{arxiv_total} = {100 * arxiv_right / arxiv_total:.1f}% over {papers} entries"
    )


def arxiv_accuracy() -> tuple[int, int, int]:
    """The arXiv API answer through the parser and the same mapping onto an item that `add` and `fetch` use."""
    from readlist.net.arxiv import parse_feed
    from readlist.store.merge import apply_metadata
    from readlist.store.models import Item

    expected = json.loads((DATA / "arxiv_expected.json").read_text())
    right = total = 0
    for meta in parse_feed((DATA / "arxiv_api.xml").read_bytes()):
        item = Item(key=f"arxiv:{meta.arxiv_id}", kind="paper", url=meta.abs_url, title=meta.arxiv_id)
        apply_metadata(item, meta)
        got = {"title": item.title, "authors": [a["name"] for a in item.authors or []], "venue": item.venue}
        got["year"] = item.year
        for field, value in got.items():
            total += 1
            right += value == expected[meta.arxiv_id][field]
    return right, total, len(expected)


def fill(arxiv: ArxivServer, sources: SourcesServer) -> list[str]:
    refs = []
    for i in range(MIX["arxiv"]):
        aid = f"2501.{i + 1:05d}"
        arxiv.add(aid, title=f"Benchmark paper {aid}")
        refs.append(aid)
    work = json.loads((DATA / "crossref_vllm.json").read_text())
    repo = json.loads((DATA / "github_liger.json").read_text())
    note = json.loads((DATA / "openreview_sinks.json").read_text())
    for i in range(MIX["doi"]):
        work["message"]["DOI"] = doi = f"10.1145/bench.{i}"
        sources.crossref[doi] = json.dumps(work).encode()
        refs.append(doi)
    for i in range(MIX["github"]):
        repo["full_name"] = name = f"bench/repo-{i}"
        sources.github[name] = json.dumps(repo).encode()
        refs.append(f"https://github.com/{name}")
    for i in range(MIX["openreview"]):
        note["notes"][0]["id"] = note["notes"][0]["forum"] = nid = f"bench{i:05d}"
        sources.openreview[nid] = json.dumps(note).encode()
        refs.append(f"https://openreview.net/forum?id={nid}")
    pages = ["zhihu_article.html", "english_blog.html", "gbk_blog.html", "wechat_article.html"]
    for i in range(MIX["page"]):
        refs.append(sources.add_page(f"/post/{i}", pages[i % len(pages)]))
    return refs


OFFLINE = {"DNS failure": "http://readlist-offline.invalid", "connection refused": "http://127.0.0.1:9"}
ADDS = {
    "arXiv ID": "2501.{n:05d}",
    "DOI": "10.1145/offline.{n}",
    "GitHub repo": "https://github.com/offline/repo-{n}",
    "web page": "{base}/post/{n}",
}


def offline_adds(runs: int = 5) -> None:
    """Wall of one `readlist add` per kind with every endpoint unresolvable or refusing, each run a new item."""
    floor = median_wall(FLOOR, runs)
    print(f"add with the network down (median of {runs}; floor {' '.join(FLOOR[2:])}: {floor:.3f} s):")
    with tempfile.TemporaryDirectory() as tmp:
        for label, base in OFFLINE.items():
            env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
            env |= {"READLIST_DB": str(Path(tmp) / "offline.db"), "READLIST_STATE_DIR": str(Path(tmp) / "state")}
            env |= {"READLIST_ARXIV_URL": f"{base}/api/query", "READLIST_CROSSREF_URL": base}
            env |= {"READLIST_GITHUB_API_URL": base, "READLIST_ARXIV_INTERVAL": "3"}
            for kind, pattern in ADDS.items():
                walls = []
                for n in range(runs):
                    ref = pattern.format(n=n + 1 + 100 * list(OFFLINE).index(label), base=base)
                    start = time.perf_counter()
                    subprocess.run([READLIST, "add", ref], env=env, capture_output=True, check=True)
                    walls.append(time.perf_counter() - start)
                wall = statistics.median(walls)
                print(f"  {label:19} {kind:12} {wall:6.3f} s  ({wall / floor:.1f} × floor, max {max(walls):.3f} s)")
        no_fetch = median_wall([READLIST, "add", "--no-fetch", "2501.09999"], runs, env)
        print(f"  {'no network asked':19} {'add --no-fetch':12} {no_fetch:6.3f} s")


def main() -> None:
    accuracy()
    offline_adds()
    arxiv, sources = ArxivServer(), SourcesServer()
    refs = fill(arxiv, sources)
    arxiv.start()
    sources.start()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "READLIST_DB": str(Path(tmp) / "b.db"),
            "READLIST_ARXIV_URL": arxiv.url,
            "READLIST_ARXIV_INTERVAL": "3",
            "READLIST_CROSSREF_URL": f"{sources.url}/crossref",
            "READLIST_GITHUB_API_URL": f"{sources.url}/github",
            "READLIST_OPENREVIEW_URL": f"{sources.url}/openreview",
            "READLIST_S2_URL": f"{sources.url}/s2",
        }
        subprocess.run([READLIST, "add", "--no-fetch", *refs], env=env, check=True, stdout=subprocess.DEVNULL)
        start = time.perf_counter()
        done = subprocess.run([READLIST, "fetch"], env=env, check=True, capture_output=True, text=True)
        wall = time.perf_counter() - start
    arxiv.stop()
    sources.stop()
    floor = median_wall(FLOOR, 5)
    print(f"floor ({' '.join(FLOOR[2:])}): {floor:.3f} s")
    print(f"fetch of {len(refs)} mixed pending items ({', '.join(f'{v} {k}' for k, v in MIX.items())}):")
    print(f"  {len(arxiv.requests)} arXiv request(s) + {len(sources.requests)} other request(s), {wall:.1f} s wall")
    print(f"  readlist says: {done.stdout.splitlines()[0]}")


if __name__ == "__main__":
    main()
