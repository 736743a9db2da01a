"""Downloading one PDF: resumable (a `.part` file continued with a Range request), checked, then renamed.

Through the shared HTTP client, so one total deadline holds the whole download (a server dripping a byte a
second cannot keep `readlist pdf` past it); what arrived by then stays in the `.part` file for next time."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from readlist.errors import NetworkError, NotFoundError

MAX_BYTES = 300 * 1024 * 1024  # the largest arXiv PDFs are well under this
RESUME = "run the same command again to resume"


def _finish(part: Path, dest: Path) -> None:
    with part.open("rb") as fh:
        head = fh.read(5)
    if head != b"%PDF-":
        part.unlink(missing_ok=True)
        raise NetworkError("the server did not send a PDF", "the paper may have no PDF yet; try again later")
    os.replace(part, dest)


def download(url: str, dest: Path, *, timeout: float = 120.0) -> int:
    """Fetch `url` into `dest` within `timeout` seconds in all; an interrupted download is continued next time.
    Returns the bytes received."""
    from readlist.net import http

    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    offset = part.stat().st_size if part.exists() else 0
    received = [0]
    files: list[BinaryIO] = []

    def sink(status: int) -> Callable[[bytes], object]:
        out = part.open("ab" if offset and status == 206 else "wb")  # a 200 means the server restarted from 0
        files.append(out)

        def write(chunk: bytes) -> None:
            out.write(chunk)
            received[0] += len(chunk)

        return write

    headers = {"Range": f"bytes={offset}-"} if offset else {}
    try:
        http.get(url, headers=headers, timeout=timeout, max_bytes=MAX_BYTES, accept="application/pdf", sink=sink)
    except http.HttpError as exc:
        if exc.status == 416 and offset:  # the part file already holds everything
            _finish(part, dest)
            return 0
        if exc.status == 404:
            raise NotFoundError(f"no PDF at {url}", "check the arXiv ID and version") from None
        if exc.reason == "status":
            raise NetworkError(f"{url} answered HTTP {exc.status}", f"try again later: {RESUME}") from None
        if exc.reason == "too_large":
            part.unlink(missing_ok=True)
            raise NetworkError(f"{url} sent more than {MAX_BYTES >> 20} MB", "this is not a paper PDF") from None
        if exc.reason in ("timeout", "truncated"):
            got = f" after {received[0]} bytes" if received[0] else ""
            raise NetworkError(f"download interrupted{got}: {exc.message}", RESUME) from None
        raise NetworkError(f"cannot reach {url}: {exc.message}", f"check the network; {RESUME}") from None
    finally:
        for out in files:
            out.close()
    _finish(part, dest)
    return received[0]
