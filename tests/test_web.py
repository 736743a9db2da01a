"""`readlist serve`: every page on both backends through an in-process ASGI client, the JSON the CLI prints,
writes only with the token and a form of this session, hostile text inert, the headers and bounds."""

from __future__ import annotations

import html.parser
import re
import signal
import subprocess
import time
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from readlist.api import Library
from readlist.web.app import LOOPBACK_HOSTS, create_app
from readlist.web.guard import MAX_BODY
from tests.conftest import READLIST, Run

TOKEN = "correct-horse-battery-staple"
HOSTILE_TITLE = '<script>alert("t")</script><img src=x onerror=alert(1)>'
HOSTILE_NOTE = (
    '[click](javascript:alert(2)) <script>alert("n")</script> <img src=x onerror=alert(3)>\n\n'
    '<a href="javascript:alert(4)">raw</a> **bold**'
)
HOSTILE_TAG = "<svg onload=alert(5)>"
WRITES = ["start", "done", "skip", "keep", "tag", "note"]


def seed(location: str) -> None:
    """ana reads a KV-cache quantisation paper and added a hostile item; bo finished the MoE one this week."""
    ana = Library(location, member="ana")
    ana.add("2408.11743", title="KV cache 量化 for long-context inference", tags=["quantization"], fetch=False)
    ana.note(1, "对 KV cache 做量化：keys 用 4-bit，values 用 8-bit。")
    ana.add("https://example.com/moe", title="Mixture of experts serving at scale", tags=["moe"], fetch=False)
    ana.add("https://evil.example/x", title=HOSTILE_TITLE, tags=[HOSTILE_TAG], note=HOSTILE_NOTE, fetch=False)
    ana.start(1)
    ana.status(3, "inbox")
    ana.close()
    bo = Library(location, member="bo")
    bo.done(2)
    bo.close()


@pytest.fixture
def library(backend: str) -> str:
    seed(backend)
    return backend


@pytest.fixture
def client(library: str) -> Iterator[TestClient]:
    with TestClient(create_app(library, write_token=TOKEN)) as test_client:
        yield test_client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, page
    return found.group(1)


def sign_in(client: TestClient, member: str) -> str:
    """Sign in and return a CSRF token of this session (from a page's form)."""
    signed = client.post("/signin", data={"member": member, "token": TOKEN}, follow_redirects=False)
    assert signed.status_code == 303, signed.text
    return csrf_of(client.get("/items/1").text)


class Tags(html.parser.HTMLParser):
    """Every start tag with its attributes, to look for anything a browser would run."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def active_content(page: str) -> list[str]:
    parser = Tags()
    parser.feed(page)
    bad = [tag for tag, _ in parser.found if tag in ("script", "iframe", "object", "embed", "svg", "img")]
    for tag, attrs in parser.found:
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith(("javascript:", "data:")):
                bad.append(f"{tag} {name}={value}")
    return bad


def test_every_page_answers_on_both_backends(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200
    assert "ana" in home.text and "bo" in home.text
    assert "Reading now" in home.text and "Finished this week" in home.text and "Mixture of experts" in home.text
    chinese = client.get("/items", params={"q": "量化"})
    assert "KV cache" in chinese.text and "<mark>" in chinese.text
    english = client.get("/items", params={"q": "kv cache"})
    assert 'href="/items/1"' in english.text and "<mark>" in english.text
    one = client.get("/items/2408.11743")
    assert one.status_code == 200 and "https://arxiv.org/pdf/2408.11743" in one.text
    assert "quantization" in one.text and "reading" in one.text
    digest = client.get("/digest", params={"since": "7d"})
    assert digest.status_code == 200 and "Mixture of experts" in digest.text
    assert client.get("/digest.md", params={"since": "7d"}).text.startswith("#")
    queue = client.get("/members/ana")
    assert "KV cache" in queue.text and "Mixture" in queue.text
    assert client.get("/members/nobody").status_code == 404
    assert client.get("/inbox", params={"member": "ana"}).status_code == 200  # ranked, as `readlist inbox`
    assert 'href="/items/3"' in client.get("/inbox", params={"member": "ana", "by": "date"}).text
    feed = ET.fromstring(client.get("/feed.atom").content)
    titles = [e.text or "" for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert "finished: Mixture of experts serving at scale" in titles and f"added: {HOSTILE_TITLE}" in titles
    assert client.get("/nowhere").status_code == 404
    assert client.get("/items/999").status_code == 404


def test_items_filter_like_the_cli_and_come_in_pages(client: TestClient, library: str) -> None:
    assert 'href="/items/2"' not in client.get("/items", params={"tag": "quantization"}).text
    assert 'href="/items/1"' in client.get("/items", params={"status": "reading", "member": "ana"}).text
    read_by_bo = client.get("/items", params={"member": "bo", "status": "read"}).text
    assert 'href="/items/2"' in read_by_bo and 'href="/items/1"' not in read_by_bo
    assert 'href="/items/1"' in client.get("/items", params={"kind": "paper", "since": "7d"}).text
    assert client.get("/items", params={"status": "finished-ish"}).status_code == 400
    assert client.get("/items", params={"page": "0"}).status_code == 400
    Library(library).add(*[f"https://example.com/p{n}" for n in range(60)], fetch=False)
    first, second = client.get("/items").text, client.get("/items", params={"page": 2}).text
    assert "page 1" in first and 'rel="next"' in first and 'href="/items/25"' in first
    assert 'href="/items/26"' in second and 'href="/items/25"' not in second and 'rel="prev"' in second
    api = client.get("/api/items", params={"page": 3}).json()
    assert api["next_page"] is None and [i["id"] for i in api["items"]] == list(range(51, 64))
    assert client.get("/api/items", params={"page": 2}).json()["next_page"] == 3
    searched = client.get("/api/items", params={"q": "example"}).json()
    assert searched["total"] >= 60 and searched["next_page"] == 2 and len(searched["items"]) == 25


def test_json_is_the_records_the_cli_prints(client: TestClient, run: Run, library: str) -> None:
    assert client.get("/api/items/1").json() == run("show", "1", "--json").json()
    assert client.get("/api/items").json()["items"] == run("list", "--json").json()  # one page: all three
    searched = client.get("/api/items", params={"q": "kv cache"}).json()["items"]
    assert searched == run("search", "kv", "cache", "--json").json()
    queue = client.get("/api/members/ana/todo").json()
    assert queue["items"] == run("todo", "--all", "--json", "--who", "ana").json()
    assert queue["total"] == len(queue["items"]) and queue["next_page"] is None
    as_ana = {"READLIST_USER": "ana"}
    assert client.get("/api/inbox?member=ana").json() == run("inbox", "--json", env=as_ana).json()
    by_date = client.get("/api/inbox?member=ana&by=date").json()
    assert by_date == run("inbox", "--by", "date", "--json", env=as_ana).json()
    assert [m["member"] for m in client.get("/api/members").json()] == ["ana", "bo"]
    assert client.get("/api/items/999").json()["error"].startswith("no item")


def test_no_write_happens_without_the_token_a_session_or_this_sessions_form(library: str) -> None:
    before = Library(library, member="ana").export("jsonl")

    def try_every_write(client: TestClient, csrf: str) -> None:
        for name in WRITES:
            data = {"csrf": csrf, "tag": "pwned", "body": "pwned", "member": "ana", "token": TOKEN}
            answer = client.post(f"/write/{name}/3", data=data, follow_redirects=False)
            assert answer.status_code == 403, (name, answer.status_code)

    # Dozens of refused posts in a row: the rate bound is tested below.
    unbounded: dict[str, Any] = {"writes_per_second": 0}
    with TestClient(create_app(library, **unbounded)) as read_only:  # no token at all: nothing signs in
        assert read_only.post("/signin", data={"member": "ana", "token": TOKEN}).status_code == 403
        try_every_write(read_only, "0" * 64)
    with TestClient(create_app(library, write_token=TOKEN, **unbounded)) as client:
        try_every_write(client, "")  # not signed in
        wrong = client.post("/signin", data={"member": "ana", "token": TOKEN + "x"}, follow_redirects=False)
        assert wrong.status_code == 403 and not client.cookies
        try_every_write(client, "")
        client.cookies.set("readlist_session", "YW5h.0123.forged")
        try_every_write(client, "")
        client.cookies.clear()
        bo_form = sign_in(client, "bo")
        client.cookies.clear()
        sign_in(client, "ana")
        try_every_write(client, bo_form)  # another member's form
        try_every_write(client, "")  # no form token
    with TestClient(create_app(library, write_token="another-token-entirely", **unbounded)) as other:
        other.cookies.update(client.cookies)  # a session of a server with another token
        try_every_write(other, "")
    assert Library(library, member="ana").export("jsonl") == before


def test_a_signed_in_member_writes_through_the_library_as_themselves(client: TestClient, library: str) -> None:
    csrf = sign_in(client, "cy")
    assert "cy" in client.get("/").text or client.get("/members/cy").status_code in (200, 404)
    done = client.post("/write/done/1", data={"csrf": csrf, "member": "ana"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/items/1"
    tagged = client.post("/write/tag/1", data={"csrf": csrf, "tag": "serving"}, follow_redirects=False)
    assert tagged.status_code == 303
    client.post("/write/note/1", data={"csrf": csrf, "body": "read §3 *twice*", "next": "//evil.example/"})
    mine, ana = Library(library, member="cy").show(1), Library(library, member="ana").show(1)
    assert mine["status"] == "read" and ana["status"] == "reading"  # the session's member, not the form's
    assert "serving" in mine["tags"] and mine["notes"][-1]["author"] == "cy"
    assert "<em>twice</em>" in client.get("/items/1").text
    refused = client.post("/write/start/1", data={"csrf": csrf}, follow_redirects=False)  # read → reading: a rule
    assert refused.status_code == 400 and "error" in refused.text
    assert client.post("/write/tag/1", data={"csrf": csrf, "tag": " "}).status_code == 400
    ana_csrf = sign_in(client, "ana")
    kept = client.post("/write/keep/3", data={"csrf": ana_csrf}, follow_redirects=False)
    assert kept.status_code == 303 and kept.headers["location"] == "/inbox"
    assert Library(library, member="ana").show(3)["status"] == "unread"
    signed_out = client.post("/signout", data={"csrf": ana_csrf}, follow_redirects=False)
    assert signed_out.status_code == 303
    client.cookies.clear()
    assert 'id="signed-in"' not in client.get("/").text


def test_hostile_titles_notes_and_tags_stay_inert(client: TestClient) -> None:
    for path in ("/", "/items", "/items/3", "/items?q=alert", "/inbox?member=ana&by=date", "/members/ana", "/digest"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert active_content(page.text) == [], path
        assert "<script>alert" not in page.text, path
        assert path == "/members/ana" or "&lt;script&gt;" in page.text, path  # ana's queue: not the inbox entry
    item = client.get("/items/3").text
    assert "<strong>bold</strong>" in item and '<a href="javascript' not in item and "&lt;a href=" in item
    feed = client.get("/feed.atom")
    assert "<script>" not in feed.text and ET.fromstring(feed.content) is not None
    api = client.get("/api/items/3")
    assert api.headers["content-type"].startswith("application/json") and api.json()["title"] == HOSTILE_TITLE


def test_answers_carry_security_headers_and_bounds(library: str) -> None:
    with TestClient(create_app(library, write_token=TOKEN, reads_per_second=1)) as client:
        page = client.get("/")
        csp = page.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "script-src" not in csp
        assert page.headers["x-content-type-options"] == "nosniff" and page.headers["x-frame-options"] == "DENY"
        assert client.get("/static/style.css").headers["x-content-type-options"] == "nosniff"
        big = client.post("/write/note/1", content=b"body=" + b"x" * MAX_BODY, headers={"content-type": "text/plain"})
        assert big.status_code == 413
        statuses = [client.get("/api/members").status_code for _ in range(15)]
        assert 429 in statuses
    with TestClient(create_app(library, allowed_hosts=LOOPBACK_HOSTS), base_url="http://evil.example") as rebind:
        assert rebind.get("/").status_code == 400  # DNS rebinding: a loopback server answers loopback names only
    with TestClient(create_app(library, allowed_hosts=LOOPBACK_HOSTS), base_url="http://127.0.0.1:8000") as local:
        assert local.get("/").status_code == 200


def test_serve_refuses_other_addresses_unless_every_interface_is_asked_for(run: Run) -> None:
    refused = run("serve", "--host", "192.168.1.20")
    assert refused.code == 1 and "--host 0.0.0.0" in refused.err
    short = run("serve", "--write-token", "short")
    assert short.code == 1 and "too short" in short.err
    missing = run("serve", "--db", "/nonexistent/library.db")
    assert missing.code == 1 and "no library" in missing.err


def test_serve_starts_quickly_prints_the_url_and_stops_on_ctrl_c(isolated_library: Path) -> None:
    seed(str(isolated_library))
    started = time.monotonic()
    proc = subprocess.Popen(
        [READLIST, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert time.monotonic() - started <= 1.5  # listening: the URL is printed once the socket is bound
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert found, line
        with urllib.request.urlopen(found.group(0), timeout=5) as page:
            assert page.status == 200 and "KV cache" in page.read().decode("utf-8")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 0 and "stopped" in out and "Traceback" not in err


def test_serve_without_the_web_extra_says_how_to_install_it(run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if `pip install readlist` had no [web]
    result = run("serve", "--port", "0")
    assert result.code == 1 and "pip install 'readlist[web]'" in result.err and "Traceback" not in result.err


def test_a_members_queue_comes_a_page_at_a_time_like_every_list(client: TestClient, library: str) -> None:
    ana = Library(library, member="ana")
    ana.add(*[f"https://example.com/q{n}" for n in range(30)], fetch=False)
    first = client.get("/api/members/ana/todo").json()
    second = client.get("/api/members/ana/todo", params={"page": 2}).json()
    assert len(first["items"]) == 25 and first["next_page"] == 2 and first["total"] == second["total"]
    assert second["next_page"] is None and len(first["items"]) + len(second["items"]) == first["total"]
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    everything = [i["id"] for i in ana.todo(everything=True)]
    assert [i["id"] for i in first["items"] + second["items"]] == everything
    assert client.get("/api/members/ana/todo", params={"page": "0"}).status_code == 400


def test_an_unknown_inbox_order_is_a_400_not_the_default(client: TestClient) -> None:
    for path in ("/inbox", "/api/inbox"):
        answer = client.get(path, params={"by": "bogus", "member": "ana"})
        assert answer.status_code == 400 and "bogus" in answer.text, path
        assert client.get(path, params={"by": "fit", "member": "ana"}).status_code == 200
        assert client.get(path, params={"by": "date", "member": "ana"}).status_code == 200


def test_error_pages_speak_to_a_browser_not_a_terminal(client: TestClient, library: str) -> None:
    Library(library).remove(2)
    for path in ("/items/999", "/api/items/999", "/items/2", "/items?tag=nosuchtag&status=bogus", "/members/nobody"):
        answer = client.get(path)
        assert answer.status_code in (400, 404), path
        assert "readlist " not in answer.text.replace("readlist</a>", "").replace("· readlist", ""), path
        assert "--" not in re.sub(r"<[^>]+>", "", answer.text), path
    assert "removed" in client.get("/items/2").text


def test_a_read_only_server_never_offers_sign_in(library: str) -> None:
    with TestClient(create_app(library)) as read_only:
        for path in ("/", "/items", "/items/1", "/inbox", "/members/ana", "/nowhere"):
            assert "/signin" not in read_only.get(path).text, path
        page = read_only.get("/signin")
        assert page.status_code == 403 and "read-only" in page.text and 'name="token"' not in page.text
        refused = read_only.post("/write/done/1", data={"next": "/items/1"})
        assert refused.status_code == 403 and "/signin" not in refused.text and "sign in" not in refused.text.lower()


def test_signing_in_after_a_refused_write_comes_back_to_the_page(client: TestClient) -> None:
    refused = client.post("/write/done/1", data={"next": "/items/1"}, follow_redirects=False)
    assert refused.status_code == 403
    link = re.search(r'id="signin-link" href="([^"]+)"', refused.text)
    assert link and "write" not in link.group(1), refused.text
    form = client.get(link.group(1).replace("&amp;", "&"))
    back = re.search(r'name="next" value="([^"]*)"', form.text)
    assert back and back.group(1) == "/items/1"
    signed = client.post("/signin", data={"member": "ana", "token": TOKEN, "next": back.group(1)})
    assert signed.status_code == 200 and signed.url.path == "/items/1"
    assert 'id="done-1"' in signed.text  # the page the write came from, its forms now there
