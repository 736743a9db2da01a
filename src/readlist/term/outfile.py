"""Writing an export to `-o PATH`: atomic for files, direct for devices, clear errors, the user's modes."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from readlist.errors import ReadlistError

TMP_MARK = ".readlist-tmp-"


class OutputFileError(ReadlistError):
    """`-o` names a place that cannot take the file."""


BLOCK = 1 << 18  # bytes gathered before one write: few system calls, little memory


def write_output(path: Path, text: str | Iterable[str]) -> None:
    """Files are replaced atomically (a reader never sees half); devices and pipes are written in place.

    `text` may come in pieces (an export streamed from the library): they are written as they come, so the
    whole never sits in memory, and a file is still replaced only once every piece is written."""
    data = blocks([text] if isinstance(text, str) else text)
    target = path.resolve() if path.is_symlink() else path
    try:
        st = target.stat()
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise _explain(exc, path) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputFileError(f"{path} is a directory", f"name a file inside it: -o {path / 'export.jsonl'}")
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_in_place(target, data)  # /dev/stdout, a FIFO, /dev/null: never replace the node with a file
        return
    parent = target.parent
    if not parent.is_dir():
        raise OutputFileError(f"folder {parent} does not exist", f"create it first: mkdir -p {parent}")
    _clean_stale(target)
    tmp = parent / f".{target.name}{TMP_MARK}{os.getpid()}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask decides, as for any file
        try:
            _write_fd(fd, data)
            os.fsync(fd)
            if st is not None:
                os.fchmod(fd, stat.S_IMODE(st.st_mode))  # replacing a file keeps its mode (and owner, if we may)
                with contextlib.suppress(OSError):
                    os.fchown(fd, st.st_uid, st.st_gid)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _explain(exc, path) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def blocks(pieces: Iterable[str]) -> Iterator[bytes]:
    """The pieces as UTF-8, gathered into blocks of about `BLOCK` bytes."""
    pending: list[bytes] = []
    size = 0
    for piece in pieces:
        data = piece.encode("utf-8", "surrogateescape")
        pending.append(data)
        size += len(data)
        if size >= BLOCK:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


def _write_in_place(target: Path, data: Iterable[bytes]) -> None:
    try:
        fd = os.open(target, os.O_WRONLY)
        try:
            _write_fd(fd, data)
        finally:
            os.close(fd)
    except OSError as exc:
        raise _explain(exc, target) from None


def _write_fd(fd: int, data: Iterable[bytes]) -> None:
    for block in data:
        view = memoryview(block)
        while view:
            written = os.write(fd, view)
            view = view[written:]


def _clean_stale(target: Path) -> None:
    """Remove temp files a killed export left beside this target (their process is gone)."""
    with contextlib.suppress(OSError):
        for leftover in target.parent.glob(f".{_glob_escape(target.name)}{TMP_MARK}*"):
            pid = leftover.name.rsplit("-", 1)[-1]
            if pid.isdigit() and not _alive(int(pid)):
                leftover.unlink(missing_ok=True)


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _explain(exc: OSError, path: Path) -> OutputFileError:
    reasons = {
        errno.ENOSPC: ("no space left on the device", "free some space or write elsewhere with -o"),
        errno.EDQUOT: ("disk quota exceeded", "free some space or write elsewhere with -o"),
        errno.EACCES: ("permission denied", "choose a place you can write to with -o"),
        errno.EPERM: ("permission denied", "choose a place you can write to with -o"),
        errno.EROFS: ("the file system is read-only", "choose another place with -o"),
        errno.EISDIR: ("it is a directory", "name a file with -o"),
        errno.ENOTDIR: ("a part of the path is not a folder", "check the path given to -o"),
        errno.ENAMETOOLONG: ("the name is too long", "choose a shorter name with -o"),
    }
    reason, hint = reasons.get(exc.errno or 0, (exc.strerror or str(exc), "check the path given to -o"))
    return OutputFileError(f"cannot write {path}: {reason}", hint)
