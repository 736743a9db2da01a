"""Behind a proxy (HTTPS_PROXY / HTTP_PROXY / NO_PROXY) every source goes through it: many users reach arXiv,
Crossref and GitHub only that way. The proxy is a real one on 127.0.0.1; the hosts behind it exist nowhere else."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.arxiv_server import ArxivServer
from tests.conftest import Run
from tests.forward_proxy import ForwardProxy
from tests.items import shown
from tests.sources_server import SourcesServer


def _through(proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, no_proxy: str = "") -> None:
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(name, proxy.url)
    monkeypatch.setenv("NO_PROXY", no_proxy)
    monkeypatch.setenv("no_proxy", no_proxy)


def test_every_source_goes_through_the_http_proxy(
    run: Run, monkeypatch: pytest.MonkeyPatch, arxiv_server: ArxivServer, sources_server: SourcesServer
) -> None:
    upstream = {"arxiv.proxy.test": urlsplit(arxiv_server.url).netloc, "api.proxy.test": sources_server.url[7:]}
    upstream["blog.proxy.test"] = upstream["api.proxy.test"]
    arxiv_server.add("2408.11743", title="MARLIN preprint")
    doi = sources_server.add_crossref("crossref_vllm.json")
    repo = sources_server.add_github("github_liger.json")
    note = sources_server.add_openreview("openreview_sinks.json")
    sources_server.add_page("/p/1", "english_blog.html", "text/html; charset=utf-8")
    monkeypatch.setenv("READLIST_ARXIV_URL", "http://arxiv.proxy.test/api/query")
    for name, path in (("CROSSREF", "crossref"), ("GITHUB_API", "github"), ("OPENREVIEW", "openreview")):
        monkeypatch.setenv(f"READLIST_{name}_URL", f"http://api.proxy.test/{path}")
    with ForwardProxy(upstream) as proxy:
        _through(proxy, monkeypatch)
        inputs = ["2408.11743", doi, f"https://github.com/{repo}", f"https://openreview.net/forum?id={note}"]
        result = run("add", *inputs, "http://blog.proxy.test/p/1")
    assert result.code == 0 and "warning" not in result.err, result
    statuses = [shown(run, str(n))["metadata_status"] for n in range(1, 6)]
    assert statuses == ["fetched"] * 5
    assert proxy.hosts() == {"arxiv.proxy.test", "api.proxy.test", "blog.proxy.test"}


def test_https_sources_ask_the_proxy_for_a_tunnel_and_no_proxy_hosts_go_direct(
    run: Run, monkeypatch: pytest.MonkeyPatch, sources_server: SourcesServer, arxiv_server: ArxivServer
) -> None:
    arxiv_server.add("2408.11743")
    monkeypatch.setenv("READLIST_CROSSREF_URL", "https://api.proxy.test/crossref")
    with ForwardProxy({}) as proxy:
        _through(proxy, monkeypatch, no_proxy="127.0.0.1")  # arXiv (local) direct, Crossref through the proxy
        result = run("add", "10.1145/3600006.3613165", "2408.11743")
    assert result.code == 0, result
    assert "the proxy refused to connect to api.proxy.test" in result.err, "a proxy's refusal names the proxy"
    assert proxy.seen == [("CONNECT", "api.proxy.test:443")]
    assert shown(run, "2")["metadata_status"] == "fetched" and shown(run, "1")["metadata_status"] == "pending", (
        "a refused tunnel is the network's fault, not the item's: `fetch` tries again"
    )
    assert len(arxiv_server.requests) == 1
