"""Every test gets its own library, config dir and a local arXiv endpoint: no test touches real user data
or the internet."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.arxiv_server import ArxivServer

READLIST = shutil.which("readlist", path=str(Path(sys.executable).parent)) or "readlist"


@pytest.fixture(autouse=True)
def isolated_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "library.db"
    monkeypatch.setenv("READLIST_DB", str(db))
    monkeypatch.setenv("READLIST_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("READLIST_ARXIV_URL", "http://127.0.0.1:9/api/query")  # closed port: "offline"
    monkeypatch.setenv("READLIST_ARXIV_INTERVAL", "0")
    monkeypatch.setenv("READLIST_ARXIV_BACKOFF", "0.01")
    monkeypatch.setenv("READLIST_ARXIV_TIMEOUT", "2")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    return db


class Result:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self) -> object:
        return json.loads(self.out)

    def __repr__(self) -> str:
        return f"<exit {self.code}\nstdout: {self.out}\nstderr: {self.err}>"


Run = Callable[..., Result]


@pytest.fixture
def run() -> Run:
    """Run the installed `readlist` console script in a subprocess, as a user would."""

    def _run(*args: str, input: str | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> Result:
        proc = subprocess.run(
            [READLIST, *args],
            capture_output=True,
            text=True,
            input=input,
            timeout=timeout,
            env={**os.environ, **(env or {})},
        )
        return Result(proc)

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
    return Path(__file__).resolve().parents[1] / "data" / "notes"
