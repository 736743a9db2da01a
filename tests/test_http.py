"""net/http.py against a real local server that answers, redirects, drips, truncates, resets and lies."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from readlist import __version__
from readlist.net import http
from readlist.net.spacing import FileSpacer
from tests.web_server import WebServer, answer, big, drip, garbage, redirect, reset, truncate


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def set_env(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    """Proxy variables in both spellings (the lower-case one wins where both are set)."""
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
        monkeypatch.setenv(name.lower(), value)


def failure(url: str, **kwargs: object) -> http.HttpError:
    with pytest.raises(http.HttpError) as caught:
        http.get(url, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_answer_has_final_url_status_case_insensitive_headers_and_body(web: WebServer) -> None:
    web.routes["/old"] = redirect("/new", 301)
    web.routes["/new"] = answer(b'{"ok": true}', headers={"X-Thing": "1"}, content_type="application/json")
    response = http.get(web.url("/old"), params={"q": "a b"})
    assert response.url == web.url("/new") and response.status == 200
    assert response.headers["content-type"] == "application/json" and response.headers["X-THING"] == "1"
    assert response.json() == {"ok": True}
    assert web.hits[0].path == "/old?q=a+b"


def test_user_agent_names_readlist_its_version_and_the_contact_email(
    web: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    web.routes["/"] = answer("hi")
    monkeypatch.setenv("READLIST_EMAIL", "me@example.org")
    http.get(web.url("/"), accept="text/html")
    agent = web.hits[0].headers["user-agent"]
    assert agent.startswith(f"readlist/{__version__} (+https://") and "mailto:me@example.org" in agent
    assert web.hits[0].headers["accept"] == "text/html"


def test_redirect_loop_is_an_error_not_a_hang(web: WebServer) -> None:
    web.routes["/a"] = redirect("/b")
    web.routes["/b"] = redirect("/a")
    assert failure(web.url("/a")).reason == "redirects"
    assert len(web.hits) == 2


def test_authorization_is_not_sent_to_another_host_after_a_redirect(web: WebServer) -> None:
    other = web.url("/landing").replace("127.0.0.1", "localhost")
    web.routes["/start"] = redirect(other)
    web.routes["/landing"] = answer("ok")
    http.get(web.url("/start"), headers={"Authorization": "token secret"})
    assert web.hits[0].headers["authorization"] == "token secret"
    assert "authorization" not in web.hits[1].headers


@pytest.mark.parametrize("in_headers", [False, True], ids=["body", "headers"])
def test_server_dripping_a_byte_at_a_time_is_cut_at_the_total_deadline(web: WebServer, in_headers: bool) -> None:
    web.routes["/drip"] = drip(every=0.2, total=100, in_headers=in_headers)
    start = time.monotonic()
    error = failure(web.url("/drip"), timeout=1.0)
    assert error.reason == "timeout" and error.transient
    assert time.monotonic() - start < 1.5


def test_body_cut_short_or_reset_is_truncated_and_transient(web: WebServer) -> None:
    web.routes["/short"] = truncate(b"<feed>", announced=10_000)
    web.routes["/reset"] = reset(b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\nabc")
    for path in ("/short", "/reset"):
        error = failure(web.url(path))
        assert error.reason == "truncated" and error.transient, path


def test_50_mb_answer_is_refused_at_the_size_cap_with_or_without_content_length(web: WebServer) -> None:
    web.routes["/announced"] = big(50_000_000)
    web.routes["/streamed"] = big(50_000_000, announce=False)
    start = time.monotonic()
    for path in ("/announced", "/streamed"):
        error = failure(web.url(path), max_bytes=1_000_000)
        assert error.reason == "too_large" and not error.transient
    assert time.monotonic() - start < 3


def test_garbage_instead_of_http_is_an_error(web: WebServer) -> None:
    web.routes["/junk"] = garbage()
    assert failure(web.url("/junk")).reason == "other"


def test_refused_connection_fails_at_once_without_retries() -> None:
    start = time.monotonic()
    error = failure(f"http://127.0.0.1:{closed_port()}/", tries=4, backoff=1.0)
    assert error.reason == "refused" and error.transient and not error.retry_now
    assert time.monotonic() - start < 1.5  # retries would take ≥ 1 + 2 + 4 s


def test_unknown_host_fails_at_once_as_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, HTTP_PROXY="")
    start = time.monotonic()
    error = failure("http://no-such-host.invalid/", tries=4, backoff=1.0, timeout=3)
    assert error.reason in ("dns", "timeout")
    assert time.monotonic() - start < 3.5


def test_429_with_retry_after_is_waited_for_then_retried(web: WebServer) -> None:
    web.routes["/busy"] = [answer("slow down", 429, {"Retry-After": "1"}), answer("fine")]
    waits: list[str] = []
    response = http.get(web.url("/busy"), tries=2, on_wait=waits.append)
    assert response.text() == "fine" and len(web.hits) == 2
    assert web.hits[1].at - web.hits[0].at >= 0.95
    assert waits and "trying again" in waits[0]


def test_retry_after_beyond_the_cap_fails_at_once_and_says_how_long(web: WebServer) -> None:
    web.routes["/later"] = answer("come back in an hour", 503, {"Retry-After": "3600"})
    start = time.monotonic()
    error = failure(web.url("/later"), tries=4, max_wait=60)
    assert error.status == 503 and error.retry_after == 3600 and "60 min" in error.message
    assert len(web.hits) == 1 and time.monotonic() - start < 1


def test_503_is_retried_exactly_tries_times_with_backoff(web: WebServer) -> None:
    web.routes["/down"] = answer("busy", 503)
    error = failure(web.url("/down"), tries=3, backoff=0.05)
    assert error.status == 503 and error.transient and len(web.hits) == 3
    assert web.hits[2].at - web.hits[1].at >= web.hits[1].at - web.hits[0].at  # doubling (jitter ≤ 33 %)


def test_one_try_means_one_request(web: WebServer) -> None:
    web.routes["/down"] = answer("busy", 503)
    failure(web.url("/down"))
    assert len(web.hits) == 1


def test_404_is_permanent_and_never_retried(web: WebServer) -> None:
    error = failure(web.url("/missing"), tries=3, backoff=0.01)
    assert error.status == 404 and not error.transient and len(web.hits) == 1


def test_http_proxy_from_the_environment_gets_the_absolute_url(web: WebServer, monkeypatch: pytest.MonkeyPatch) -> None:
    web.routes["/paper"] = answer("via proxy")
    set_env(monkeypatch, HTTP_PROXY=web.base, NO_PROXY="")
    response = http.get("http://papers.example/paper")
    assert response.text() == "via proxy"
    assert web.hits[0].path == "http://papers.example/paper"


def test_https_through_a_proxy_asks_for_a_tunnel(web: WebServer, monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, HTTPS_PROXY=web.base, NO_PROXY="")
    error = failure("https://papers.example/paper")
    assert web.hits[0].method == "CONNECT" and web.hits[0].path == "papers.example:443"
    assert error.reason == "refused" and "proxy" in error.message


def test_no_proxy_sends_matching_hosts_direct(web: WebServer, monkeypatch: pytest.MonkeyPatch) -> None:
    web.routes["/x"] = answer("direct")
    set_env(monkeypatch, HTTP_PROXY=f"http://127.0.0.1:{closed_port()}", NO_PROXY="127.0.0.1,localhost")
    assert http.get(web.url("/x")).text() == "direct"


def test_host_spacing_books_slots_one_interval_apart_in_the_state_dir(tmp_path: Path) -> None:
    spacer, other = FileSpacer(tmp_path / "hosts"), FileSpacer(tmp_path / "hosts")  # as two processes would
    waits = [spacer("export.arxiv.org", 0.4), other("export.arxiv.org", 0.4), spacer("export.arxiv.org", 0.4)]
    assert waits[0] == 0 and 0.3 < waits[1] <= 0.4 and 0.7 < waits[2] <= 0.8
    assert spacer("api.crossref.org", 0.4) == 0  # hosts do not wait for each other


def test_get_waits_for_the_booked_slot(web: WebServer, tmp_path: Path) -> None:
    web.routes["/"] = answer("ok")
    spacer = FileSpacer(tmp_path / "hosts")
    start = time.monotonic()
    for _ in range(2):
        http.get(web.url("/"), host_interval=0.5, spacer=spacer)
    assert time.monotonic() - start >= 0.5


def test_post_sends_the_body(web: WebServer) -> None:
    web.routes["/batch"] = answer(b"[]", content_type="application/json")
    assert http.post(web.url("/batch"), data=b'{"ids": []}').json() == []
    assert web.hits[0].method == "POST"


def test_text_follows_the_declared_charset_the_meta_tag_or_the_bytes(web: WebServer) -> None:
    words = "大语言模型推理的量化方法综述，以及投机解码的最新进展"
    page = f"<html><head><meta charset='gbk'><title>{words}</title></head></html>"
    web.routes["/declared"] = answer(page.encode("gbk"), content_type="text/html; charset=GB2312")
    web.routes["/meta"] = answer(page.encode("gbk"), content_type="text/html")
    web.routes["/bare"] = answer((words * 5).encode("gb18030"), content_type="text/plain")
    web.routes["/wrong"] = answer(page.replace("gbk", "utf-8").encode("gbk"), content_type="text/html")
    for path in ("/declared", "/meta", "/bare", "/wrong"):
        assert words in http.get(web.url(path)).text(), path


def test_json_of_garbage_is_an_error_not_a_traceback(web: WebServer) -> None:
    web.routes["/api"] = answer("<html>oops</html>", content_type="application/json")
    with pytest.raises(http.HttpError, match="not JSON"):
        http.get(web.url("/api")).json()


def test_a_body_dripping_without_content_length_still_stops_at_the_deadline() -> None:
    """http.client hands the socket to such a response; the watchdog must still reach it."""
    import socket
    import threading
    import time

    from readlist.net import http

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    stop = threading.Event()

    def drip() -> None:
        conn, _ = server.accept()
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><title>drip")
        while not stop.is_set():
            time.sleep(0.2)
            try:
                conn.sendall(b"x")
            except OSError:
                break
        conn.close()

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    start = time.monotonic()
    try:
        with pytest.raises(http.HttpError) as caught:
            http.get(f"http://127.0.0.1:{server.getsockname()[1]}/", timeout=1.0)
    finally:
        stop.set()
        server.close()
    assert caught.value.reason == "timeout"
    assert time.monotonic() - start < 3.0
