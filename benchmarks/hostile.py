"""Every hostile input of tests/hostile_cases.py through the CLI in-process (the console script's own error
boundary, `cli.run`), each on a fresh copy of a small library holding hostile titles, tags and notes.

Reports the tally — inputs tried, internal errors, raw control characters let through, odd exit codes — and
the slowest case next to the median (the floor: an ordinary command in the same run).

    python benchmarks/hostile.py           # all ~2,000 cases (3–5 minutes on 2 cores)
    python benchmarks/hostile.py --every 8 # a spread-out eighth
    python benchmarks/hostile.py --network # hostile servers: each source dripping a byte at a time, at a 5 s
                                           # timeout — the longest stall per source (about a minute)
    python benchmarks/hostile.py --files   # hostile files (benchmarks/hostile_files.py): 30 random damages,
                                           # a read-only library, team-role refusals on PostgreSQL, and the
                                           # cost of a write on a 5 MB and a 200 MB library (--files --quick:
                                           # 5 MB and 20 MB)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from typer.testing import CliRunner  # noqa: E402

from readlist import cli  # noqa: E402
from tests.hostile_cases import HOSTILE_SETUP, Case, cases, defect, sample  # noqa: E402

RUNNER = CliRunner()


def offline_environment(tmp: Path) -> None:
    """As the test suite does: own library, config and state; every network endpoint a closed port."""
    os.environ.update(
        {
            "READLIST_DB": str(tmp / "library.db"),
            "READLIST_CONFIG_DIR": str(tmp / "config"),
            "READLIST_STATE_DIR": str(tmp / "state"),
            "READLIST_ARXIV_URL": "http://127.0.0.1:9/api/query",
            "READLIST_ADD_TIMEOUT": "1",
            "HTTP_PROXY": "http://127.0.0.1:9",
            "HTTPS_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "127.0.0.1,localhost",
            "NO_COLOR": "1",
            "PAGER": "cat",
        }
    )
    for name in ("READLIST_CROSSREF_URL", "READLIST_GITHUB_API_URL", "READLIST_S2_URL", "READLIST_OPENREVIEW_URL"):
        os.environ[name] = "http://127.0.0.1:9"


def run(args: tuple[str, ...]) -> tuple[int, str, str]:
    with RUNNER.isolation() as (out, err, _mixed):
        code = cli.run(list(args))
        sys.stdout.flush()
        sys.stderr.flush()
        return code, out.getvalue().decode(errors="replace"), err.getvalue().decode(errors="replace")


def run_case(case: Case, template: Path, tmp: Path) -> tuple[str | None, float]:
    """(defect or None, seconds) for one case on a fresh copy of the library."""
    shutil.copyfile(template, tmp / "library.db")
    folder = tmp / "files"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for name, body in case.files.items():
        (folder / name).write_bytes(body)
    args = tuple(a.replace("{dir}", str(folder)) for a in case.args)
    start = time.perf_counter()
    code, out, err = run(args)
    return defect(code, out, err), time.perf_counter() - start


def network(timeout: float = 5.0) -> None:
    """Each source served by a server that drips one byte every 0.5 s and never finishes (and feeds that never
    answer), every timeout set to `timeout`: how long each command is kept. Bound: about 2 × the timeout."""
    from tests.feed_server import FeedServer, blog_rss
    from tests.pdf_fixtures import PdfServer
    from tests.sources_server import SourcesServer

    seconds = f"{timeout:g}"
    cases: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
        ("Crossref", ("add", "--no-fetch", "10.1145/1.1", "10.1145/1.2", "10.1145/1.3"), ("fetch",)),
        ("GitHub", ("add", "--no-fetch", "https://github.com/a/b", "https://github.com/a/c"), ("fetch",)),
        ("OpenReview", ("add", "--no-fetch", "https://openreview.net/forum?id=Abcdefgh12"), ("fetch",)),
        ("page", ("add", "--no-fetch", "{server}/post/1", "{server}/post/2"), ("fetch",)),
        ("Semantic Scholar", ("add", "--no-fetch", "2309.06180", "2309.17453"), ("fetch", "--published")),
        ("arXiv", ("add", "--no-fetch", "2309.06180", "2309.17453"), ("fetch",)),
        ("arXiv PDF", ("add", "--no-fetch", "2408.11743v2"), ("pdf", "1")),
        ("3 feeds", (), ("feed", "pull")),
    ]
    with tempfile.TemporaryDirectory() as raw:
        tmp = Path(raw)
        offline_environment(tmp)
        for name, setup, command in cases:
            (tmp / "library.db").unlink(missing_ok=True)
            shutil.rmtree(tmp / "state", ignore_errors=True)
            server, feeds, pdfs = SourcesServer(), FeedServer(), PdfServer(b"%PDF-1.4\n" + b" " * 100_000, drip=0.5)
            server.drip = 0.5
            server.start()
            feeds.start()
            pdfs.__enter__()
            for variable, path in (("CROSSREF", "crossref"), ("GITHUB_API", "github"), ("S2", "s2")):
                os.environ[f"READLIST_{variable}_URL"] = f"{server.url}/{path}"
            os.environ["READLIST_OPENREVIEW_URL"] = f"{server.url}/openreview"
            os.environ["READLIST_ARXIV_URL"] = f"{server.url}/arxiv/query"
            os.environ["READLIST_ARXIV_PDF_URL"] = pdfs.url
            for variable in ("SOURCE_TIMEOUT", "ARXIV_TIMEOUT", "FEED_TIMEOUT", "PDF_TIMEOUT"):
                os.environ[f"READLIST_{variable}"] = seconds
            os.environ["READLIST_ARXIV_INTERVAL"] = "0"
            try:
                if setup:
                    run(tuple(a.replace("{server}", server.url) for a in setup))
                if name == "3 feeds":
                    feeds.routes["/good"] = blog_rss([("Post", "https://g.example/1", "text")])
                    for path in ("/a", "/b", "/c"):
                        feeds.faults[path] = "drip"
                    for path in ("/a", "/b", "/c", "/good"):
                        run(("feed", "add", feeds.base + path, "--name", path[1:], "--no-check"))
                start = time.perf_counter()
                code, out, err = run(command)
                took = time.perf_counter() - start
                problem = defect(code, out, err)
            finally:
                server.stop()
                feeds.stop()
                pdfs.__exit__()
            print(f"{name:>17}: {took:5.1f} s at a {seconds} s timeout (exit {code}){' ' + problem if problem else ''}")


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """The options of the module docstring; --help prints them and runs nothing."""
    intro, _, examples = (__doc__ or "").partition("\n\n")
    parser = argparse.ArgumentParser(
        description=intro.replace("\n", " "), epilog=examples, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--every", type=int, default=1, metavar="N", help="every Nth hostile input only (default: all)")
    what.add_argument("--network", action="store_true", help="hostile servers: the longest stall per source")
    what.add_argument("--files", action="store_true", help="damaged, read-only and team files; write cost by size")
    parser.add_argument("--quick", action="store_true", help="with --files: 5 MB and 20 MB libraries, not 200 MB")
    options = parser.parse_args(argv)
    if options.every < 1:
        parser.error("--every takes a whole number of 1 or more")
    if options.quick and not options.files:
        parser.error("--quick goes with --files")
    return options


def main() -> None:
    options = arguments()
    if options.network:
        network()
        return
    if options.files:
        from benchmarks.hostile_files import main as files

        files(quick=options.quick)
        return
    every = options.every
    chosen = cases() if every == 1 else sample(every)
    with tempfile.TemporaryDirectory() as raw:
        tmp = Path(raw)
        offline_environment(tmp)
        for args in HOSTILE_SETUP:
            code, _, err = run(args)
            assert code == 0, err
        template = tmp / "template.db"
        shutil.copyfile(tmp / "library.db", template)
        floor = statistics.median(run_case(Case("floor", ("list",)), template, tmp)[1] for _ in range(5))
        defects: list[tuple[Case, str]] = []
        times: list[tuple[float, str]] = []
        kinds: Counter[str] = Counter()
        for case in chosen:
            problem, seconds = run_case(case, template, tmp)
            if seconds > 2 or problem:
                print(f"  {case.label}: {seconds:.2f} s {problem or ''}", flush=True)
            times.append((seconds, case.label))
            kinds[case.args[0]] += 1
            if problem:
                defects.append((case, problem))
    internal = sum(1 for _, p in defects if p.startswith("internal error"))
    control = sum(1 for _, p in defects if p.startswith("raw control"))
    print(f"hostile inputs: {len(chosen)} ({', '.join(f'{k} {n}' for k, n in kinds.most_common())})")
    print(
        f"internal errors: {internal}; raw control characters let through: {control}; other: {len(defects) - internal - control}"
    )
    slowest = sorted(times, reverse=True)[:3]
    median = statistics.median(t for t, _ in times)
    print(
        f"per case: median {median * 1000:.0f} ms (floor `list` {floor * 1000:.0f} ms); slowest: "
        + "; ".join(f"{label} {t:.2f} s" for t, label in slowest)
    )
    for case, problem in defects[:40]:
        print(f"  DEFECT {case.label}: {problem}")
    sys.exit(1 if defects else 0)


if __name__ == "__main__":
    main()
