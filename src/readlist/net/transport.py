"""One HTTP exchange under a hard deadline: DNS with a time limit, proxies from the environment, capped body.

Socket timeouts are per read, so a server that drips one byte a second never trips them; a watchdog timer
shuts the socket down when the request's total deadline passes, which wakes any blocked read at once.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import signal
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

CHUNK = 64 * 1024


class TransportError(Exception):
    """What went wrong in one exchange, classified; `http.py` turns it into an HttpError."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass
class RawResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


_tls_context: list[ssl.SSLContext] = []


def tls_context() -> ssl.SSLContext:
    """Built once: loading the CA store costs ~20 ms."""
    if not _tls_context:
        _tls_context.append(ssl.create_default_context())
    return _tls_context[0]


def quiet_thread() -> None:
    """Call first in a helper thread: Ctrl-C is then always delivered to the main thread, whose wait it
    interrupts at once (the kernel may otherwise hand SIGINT to a helper, and the main thread waits on)."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


class _QuietTimer(threading.Thread):
    """threading.Timer whose thread never takes the process's signals (see quiet_thread)."""

    def __init__(self, interval: float, function: Callable[[], object]) -> None:
        super().__init__(daemon=True, name="readlist-deadline")
        self.interval, self.function, self.cancelled = interval, function, threading.Event()

    def run(self) -> None:
        quiet_thread()
        if not self.cancelled.wait(self.interval):
            self.function()

    def cancel(self) -> None:
        self.cancelled.set()


def _resolve(host: str, port: int, deadline: float) -> list[Any]:
    """getaddrinfo in a helper thread, so a resolver that never answers cannot outlast the deadline."""
    box: list[Any] = []

    def lookup() -> None:
        quiet_thread()
        try:
            box.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:
            box.append(exc)

    thread = threading.Thread(target=lookup, daemon=True, name="readlist-dns")
    thread.start()
    thread.join(max(0.0, deadline - time.monotonic()))
    if not box:
        raise TransportError("timeout", f"looking up {host} took too long")
    if isinstance(box[0], OSError):
        raise TransportError("dns", f"cannot resolve {host} ({box[0].strerror or box[0]})")
    return list(box[0])


def _connector(deadline: float) -> Any:
    def create_connection(address: tuple[str, int], *_: object) -> socket.socket:
        host, port = address
        last: Exception | None = None
        for family, kind, proto, _name, sockaddr in _resolve(host, port, deadline):
            sock = socket.socket(family, kind, proto)
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                sock.connect(sockaddr)
                return sock
            except ConnectionRefusedError as exc:
                last = TransportError("refused", f"{host}:{port} refused the connection")
                last.__cause__ = exc
            except TimeoutError:
                last = TransportError("timeout", f"connecting to {host}:{port} took too long")
            except OSError as exc:  # unreachable network, no route …
                last = TransportError("refused", f"cannot connect to {host}:{port} ({exc.strerror or exc})")
            sock.close()
        raise last or TransportError("dns", f"{host} has no address")

    return create_connection


def proxy_for(scheme: str, host: str) -> str | None:
    """HTTPS_PROXY / HTTP_PROXY / ALL_PROXY (either case), unless NO_PROXY names the host."""
    proxies = urllib.request.getproxies()
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


def _proxy_parts(proxy: str) -> tuple[str, int, dict[str, str]]:
    parts = urlsplit(proxy)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransportError(
            "other", f"unsupported proxy {proxy!r}: readlist speaks to HTTP proxies (http://host:port)"
        )
    headers = {}
    if parts.username:
        token = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        headers["Proxy-Authorization"] = "Basic " + base64.b64encode(token).decode()
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), headers


def _connection(url: str, deadline: float) -> tuple[http.client.HTTPConnection, str, dict[str, str]]:
    """(connection, request target, extra headers) for url, through a proxy when the environment says so."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = max(0.01, deadline - time.monotonic())
    proxy = proxy_for(parts.scheme, host)
    extra: dict[str, str] = {}
    conn: http.client.HTTPConnection
    if proxy:
        p_host, p_port, auth = _proxy_parts(proxy)
        if parts.scheme == "https":
            conn = http.client.HTTPSConnection(p_host, p_port, timeout=timeout, context=tls_context())
            conn.set_tunnel(host, port, headers=auth)
        else:
            conn = http.client.HTTPConnection(p_host, p_port, timeout=timeout)
            target, extra = url, auth  # a plain-HTTP proxy takes the absolute URL
    elif parts.scheme == "https":
        conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=tls_context())
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    conn._create_connection = _connector(deadline)  # type: ignore[attr-defined]
    return conn, target, extra


class _Watchdog:
    """Shuts the connection's socket down at the deadline; `fired` tells a timeout from a server's close."""

    def __init__(self, conn: http.client.HTTPConnection, deadline: float) -> None:
        self.conn = conn
        self.sock: socket.socket | None = None
        self.fired = False
        self.timer = _QuietTimer(max(0.0, deadline - time.monotonic()), self._fire)

    def _fire(self) -> None:
        self.fired = True
        # http.client drops conn.sock once a response that ends by closing takes the socket over, so the one
        # seen after sending the request is kept too (a dripping body without Content-Length).
        sock = self.conn.sock or self.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # the base method: no TLS close_notify dance
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def __enter__(self) -> _Watchdog:
        self.timer.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.timer.cancel()


Sink = Callable[[int], Callable[[bytes], object] | None]


def exchange(
    url: str,
    headers: Mapping[str, str],
    deadline: float,
    max_bytes: int,
    data: bytes | None = None,
    sink: Sink | None = None,
) -> RawResponse:
    """One GET (POST with data), no redirects followed: status, headers, ≤ max_bytes of body, by the deadline.
    `sink(status)` may return a writer for a 2xx body: it then gets the body as it arrives (even a part cut
    off by the deadline or the server), and the returned body is empty."""
    conn, target, extra = _connection(url, deadline)
    watchdog = _Watchdog(conn, deadline)
    try:
        with watchdog:
            conn.request("GET" if data is None else "POST", target, body=data, headers={**headers, **extra})
            watchdog.sock = conn.sock
            response = conn.getresponse()
            writer = sink(response.status) if sink is not None and 200 <= response.status < 300 else None
            body = _read_body(response, max_bytes, writer)
            if watchdog.fired:  # the shutdown ended the body, not the server
                raise TransportError("timeout", f"{urlsplit(url).hostname} did not finish answering in time")
            return RawResponse(response.status, list(response.getheaders()), body)
    except TransportError:
        raise
    except Exception as exc:
        raise _classify(exc, watchdog.fired, url) from None
    finally:
        conn.close()


def _read_body(
    response: http.client.HTTPResponse, max_bytes: int, writer: Callable[[bytes], object] | None = None
) -> bytes:
    length = response.getheader("Content-Length")
    if length and length.strip().isdigit() and int(length) > max_bytes:
        raise TransportError("too_large", f"the answer is {int(length) / 1e6:.1f} MB (limit {max_bytes / 1e6:g} MB)")
    parts: list[bytes] = []
    size = 0
    while chunk := response.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise TransportError("too_large", f"the answer is over the {max_bytes / 1e6:g} MB limit")
        if writer is not None:
            writer(chunk)
        else:
            parts.append(chunk)
    if length and length.strip().isdigit() and size < int(length):  # read(n) returns b"" early, silently
        raise http.client.IncompleteRead(b"", int(length) - size)
    return b"".join(parts)


def _classify(exc: Exception, timed_out: bool, url: str) -> TransportError:
    host = urlsplit(url).hostname or url
    if timed_out or isinstance(exc, TimeoutError):
        return TransportError("timeout", f"{host} did not answer in time")
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return TransportError("tls", f"TLS failed with {host} ({getattr(exc, 'reason', None) or exc})")
    if isinstance(exc, http.client.IncompleteRead | ConnectionResetError | http.client.RemoteDisconnected):
        return TransportError("truncated", f"{host} closed the connection before the answer was complete")
    if isinstance(exc, ConnectionRefusedError):
        return TransportError("refused", f"{host} refused the connection")
    if isinstance(exc, http.client.HTTPException | ValueError):
        return TransportError("other", f"{host} sent something that is not HTTP ({type(exc).__name__})")
    if isinstance(exc, OSError):
        if "Tunnel connection failed" in str(exc):
            return TransportError("refused", f"the proxy refused to connect to {host} ({exc})")
        return TransportError("truncated", f"the connection to {host} broke ({exc.strerror or exc})")
    return TransportError("other", f"{type(exc).__name__}: {exc}")
