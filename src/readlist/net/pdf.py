"""Downloading one PDF: resumable (a `.part` file continued with a Range request), checked, then renamed."""

from __future__ import annotations

import http.client
import os
import urllib.error
import urllib.request
from pathlib import Path

from readlist.errors import NetworkError, NotFoundError
from readlist.version import __version__

CHUNK = 1 << 16
MAX_BYTES = 300 * 1024 * 1024  # the largest arXiv PDFs are well under this


def _request(url: str, offset: int) -> urllib.request.Request:
    headers = {"User-Agent": f"readlist/{__version__} (reading-list manager)"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    return urllib.request.Request(url, headers=headers)


def _finish(part: Path, dest: Path) -> None:
    with part.open("rb") as fh:
        head = fh.read(5)
    if head != b"%PDF-":
        part.unlink(missing_ok=True)
        raise NetworkError("the server did not send a PDF", "the paper may have no PDF yet; try again later")
    os.replace(part, dest)


def download(url: str, dest: Path, *, timeout: float = 60.0) -> int:
    """Fetch `url` into `dest`; an interrupted download is continued next time. Returns the bytes received."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    offset = part.stat().st_size if part.exists() else 0
    try:
        response = urllib.request.urlopen(_request(url, offset), timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:  # the part file already holds everything
            _finish(part, dest)
            return 0
        if exc.code == 404:
            raise NotFoundError(f"no PDF at {url}", "check the arXiv ID and version") from None
        raise NetworkError(f"{url} answered HTTP {exc.code}", "try again later: readlist pdf resumes") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise NetworkError(f"cannot reach {url}: {reason}", "check the network; readlist pdf resumes") from None
    received = 0
    with response:
        mode = "ab" if offset and response.status == 206 else "wb"  # a 200 means the server restarted from 0
        with part.open(mode) as out:
            try:
                while chunk := response.read(CHUNK):
                    out.write(chunk)
                    received += len(chunk)
                    if received > MAX_BYTES:
                        raise NetworkError(f"{url} sent more than {MAX_BYTES >> 20} MB", "this is not a paper PDF")
            except (TimeoutError, OSError, http.client.HTTPException) as exc:
                raise NetworkError(f"download interrupted: {exc}", "run the same command again to resume") from None
        expected = response.headers.get("Content-Length")
    if expected and expected.isdigit() and received < int(expected):  # the connection dropped mid-file
        raise NetworkError(
            f"download interrupted after {received} of {expected} bytes", "run the same command again to resume"
        )
    _finish(part, dest)
    return received
