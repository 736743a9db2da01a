"""Every test gets its own library, config dir and a local arXiv endpoint: no test touches real user data
or the internet."""

from __future__ import annotations

import gc
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from readlist import cli
from readlist.store import db as readlist_db
from tests.arxiv_server import ArxivServer
from tests.feed_server import FeedServer
from tests.sources_server import SourcesServer
from tests.web_server import WebServer

READLIST = shutil.which("readlist", path=str(Path(sys.executable).parent)) or "readlist"
ROOT = Path(__file__).resolve().parents[1]


def _cache_bytecode() -> None:
    """Where PYTHONDONTWRITEBYTECODE is set (container images set it), every xdist worker compiled and
    assertion-rewrote every test module, and every `readlist` subprocess compiled readlist, afresh: about a
    tenth of the suite's CPU. The suite keeps compiled code under .pytest_cache/pyc instead (PYTHONPYCACHEPREFIX),
    so no bytecode lands beside the sources or in the venv, as the variable intends. Set here, before xdist
    starts its workers, so they and every process the tests start inherit it."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE") or os.environ.get("PYTHONPYCACHEPREFIX"):
        return
    prefix = ROOT / ".pytest_cache" / "pyc"
    del os.environ["PYTHONDONTWRITEBYTECODE"]
    os.environ["PYTHONPYCACHEPREFIX"] = str(prefix)
    sys.dont_write_bytecode = False
    sys.pycache_prefix = str(prefix)


_cache_bytecode()

# Modules whose tests take seconds each (a browser, a wheel build, long imports in processes of their own). Run
# first, they overlap with everything else; in file order they came last and ran alone while the other workers
# sat idle.
LONG_FIRST = ("test_web_browser.py", "test_wheel.py", "test_import_batches.py", "test_read_only_library.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.path.name not in LONG_FIRST)  # stable: the same order on every worker


NOTES_DIR = ROOT / "data" / "notes"


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (a WAL file is folded in, never half-copied)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def index_pieces(path: Path) -> int:
    """How many pieces (FTS5 segments) a library's search index is in: a search seeks each term in each."""
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(DISTINCT segid) FROM search_index_idx").fetchone()[0])
    finally:
        conn.close()


def with_merge_interrupted(body: str) -> subprocess.CompletedProcess[str]:
    """Python `body` run in a process of its own where a Ctrl-C comes as the search index merge starts: in its
    main thread, as the CLI runs (pytest-xdist runs tests in another thread, which cannot hold Ctrl-C back)."""
    prelude = (
        "import os, signal\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)  # even where the parent ignores it\n"
        "from readlist.store.backends.sqlite import SqliteBackend\n"
        "merge = SqliteBackend.index_compact\n"
        "def interrupted(self, conn):\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    merge(self, conn)\n"
        "SqliteBackend.index_compact = interrupted\n"
    )
    return subprocess.run([sys.executable, "-c", prelude + body], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty library at the current schema, built once per worker: copying it beats migrating per test."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    readlist_db.ensure_schema(path)
    return path


@pytest.fixture(autouse=True)
def isolated_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated_template: Path) -> Path:
    db = tmp_path / "library.db"
    copy_database(migrated_template, db)
    monkeypatch.setenv("READLIST_DB", str(db))
    monkeypatch.setenv("READLIST_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("READLIST_STATE_DIR", str(tmp_path / "state"))
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(proxy, raising=False)
    monkeypatch.setenv("READLIST_ARXIV_URL", "http://127.0.0.1:9/api/query")  # closed port: "offline"
    monkeypatch.setenv("READLIST_ARXIV_INTERVAL", "0")
    monkeypatch.setenv("READLIST_ARXIV_BACKOFF", "0.01")
    monkeypatch.setenv("READLIST_ARXIV_TIMEOUT", "2")
    # Metadata sources point at a closed port, and web pages go through a proxy that does not exist: no test
    # reaches the internet; tests that want answers start `sources_server`.
    for variable in ("READLIST_CROSSREF_URL", "READLIST_GITHUB_API_URL", "READLIST_S2_URL", "READLIST_OPENREVIEW_URL"):
        monkeypatch.setenv(variable, "http://127.0.0.1:9")
    for variable in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(variable, "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    return db


class Result:
    """What one run of readlist left behind: exit code, stdout and stderr (never mixed)."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code = code
        self.out = out
        self.err = err

    def json(self) -> Any:
        return json.loads(self.out)

    def __repr__(self) -> str:
        return f"<exit {self.code}\nstdout: {self.out}\nstderr: {self.err}>"


Run = Callable[..., Result]
_RUNNER = CliRunner()


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run readlist in-process through the same error boundary the console script uses (`cli.run`)."""

    def _run(*args: str, input: str | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> Result:
        del timeout  # accepted for parity with run_process; an in-process run cannot be killed
        with monkeypatch.context() as patch:
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            with _RUNNER.isolation(input=input) as (out, err, _mixed):
                code = cli.run(args)
                sys.stdout.flush()
                sys.stderr.flush()
                result = Result(code, out.getvalue().decode(), err.getvalue().decode("utf-8", "backslashreplace"))
        gc.collect(1)  # a process would exit here: close the connections and engines it left behind (young cycles)
        return result

    return _run


@pytest.fixture
def run_process() -> Run:
    """Run the installed `readlist` console script in a subprocess: for what only a real process shows
    (startup imports, signals, two processes at once, the installed entry point)."""

    def _run(*args: str, input: str | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> Result:
        proc = subprocess.run(
            [READLIST, *args],
            capture_output=True,
            text=True,
            input=input,
            timeout=timeout,
            env={**os.environ, **(env or {})},
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return _run


@pytest.fixture
def arxiv_server(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    server = ArxivServer()
    server.start()
    monkeypatch.setenv("READLIST_ARXIV_URL", server.url)
    yield server
    server.stop()


@pytest.fixture
def notes_dir() -> Path:
    return NOTES_DIR


def cli_in_process(argv: list[str], config_dir: Path, *, quiet: bool = False) -> int:
    """One in-process run outside any test's environment (for fixtures shared by many tests)."""
    with pytest.MonkeyPatch.context() as patch, _RUNNER.isolation() as (_out, err, _mixed):
        patch.setenv("READLIST_CONFIG_DIR", str(config_dir))
        patch.setenv("READLIST_ARXIV_URL", "http://127.0.0.1:9/api/query")  # closed port: never the internet
        code: int = cli.run(argv)
        sys.stderr.flush()
        assert not (quiet and err.getvalue()), err.getvalue().decode()
        return code


@pytest.fixture(scope="session")
def notes_template(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path) -> Path:
    """The shipped notes imported through the real CLI path once per run, shared by the xdist workers (tests
    copy it, never change it): the first worker to ask builds it under a lock, the others wait and use it."""
    import fcntl

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the run's folder, above the workers'
    path = shared / "notes-template.db"
    with (shared / "notes-template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            built = tmp_path_factory.mktemp("notes") / "notes.db"
            copy_database(migrated_template, built)
            argv = ["--db", str(built), "import", str(NOTES_DIR)]
            assert cli_in_process(argv, built.parent / "config", quiet=True) == 0
            copy_database(built, path.with_suffix(".part"))
            path.with_suffix(".part").replace(path)  # whole or absent: a worker never sees it half-copied
    return path


@pytest.fixture
def imported_notes(notes_template: Path, isolated_library: Path) -> Path:
    """This test's library holds the shipped notes (a copy of the one import)."""
    copy_database(notes_template, isolated_library)
    return isolated_library


@pytest.fixture
def sources_server(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    server = SourcesServer()
    server.start()
    monkeypatch.setenv("READLIST_CROSSREF_URL", f"{server.url}/crossref")
    monkeypatch.setenv("READLIST_GITHUB_API_URL", f"{server.url}/github")
    monkeypatch.setenv("READLIST_S2_URL", f"{server.url}/s2")
    monkeypatch.setenv("READLIST_OPENREVIEW_URL", f"{server.url}/openreview")
    yield server
    server.stop()


@pytest.fixture
def web():  # type: ignore[no-untyped-def]
    """A local web server whose paths answer as each test scripts them (tests/web_server.py)."""
    server = WebServer().start()
    yield server
    server.stop()


# ---- PostgreSQL: one fresh database per test session (per xdist worker), emptied between tests ---------------

POSTGRES_URL = os.environ.get("READLIST_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _server_or_skip() -> Any:
    """An autocommit connection to the test server's maintenance database, or a visible skip (a failure when
    READLIST_REQUIRE_POSTGRES=1, as in CI)."""
    from readlist.location import redact

    try:
        import psycopg

        return psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except Exception as exc:  # no driver, no server, no rights: all mean "cannot test PostgreSQL here"
        reason = f"no PostgreSQL at {redact(POSTGRES_URL)} ({' '.join(str(exc).split())[:120]})"
        if os.environ.get("READLIST_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason}; READLIST_REQUIRE_POSTGRES=1 requires it", pytrace=False)
        pytest.skip(f"{reason}; set READLIST_TEST_POSTGRES_URL to test the PostgreSQL backend")


def database_url(name: str) -> str:
    """The test server's URL with another database name."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(POSTGRES_URL)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


@pytest.fixture(scope="session")
def postgres_server() -> Any:
    conn = _server_or_skip()
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def postgres_database(postgres_server: Any) -> Any:
    """A migrated database of this worker's own, dropped at the end of the session."""
    from readlist.location import PostgresUrl

    name = f"readlist_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    postgres_server.execute(f'DROP DATABASE IF EXISTS "{name}"')
    postgres_server.execute(f'CREATE DATABASE "{name}"')
    url = PostgresUrl(database_url(name))
    readlist_db.ensure_schema(url)
    yield url
    postgres_server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def empty_postgres(url: Any) -> None:
    """Every readlist table emptied, numbering restarted: cheaper than migrating a new database per test."""
    import psycopg

    with psycopg.connect(url.libpq, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"
            )
        ]
        conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")


@pytest.fixture
def postgres_library(postgres_database: Any, isolated_library: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """This test's library is the worker's PostgreSQL database, empty."""
    empty_postgres(postgres_database)
    monkeypatch.setenv("READLIST_DB", postgres_database.url)
    return postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, isolated_library: Path) -> str:
    """Run a behaviour test on both backends: READLIST_DB is a fresh SQLite file or the emptied PostgreSQL
    database (whose URL it returns)."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_library").url)
    return str(isolated_library)


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    """A feed server on 127.0.0.1 (`routes` maps a path to its RSS/Atom text)."""
    server = FeedServer()
    server.start()
    yield server
    server.stop()
