"""Offline, `fetch` says so in one short line: how many sources it could not reach, and the first few."""

from __future__ import annotations

from tests.conftest import Run


def test_offline_fetch_counts_many_unreachable_hosts_and_names_a_few(run: Run) -> None:
    pages = [f"http://127.0.0.{n}:9/post" for n in range(2, 22)]  # 20 hosts, every one refusing
    assert run("add", "--no-fetch", *pages, "10.1145/offline.1").code == 0
    result = run("fetch")
    assert result.code == 1 and "Traceback" not in result.err, result
    (warning,) = [line for line in result.err.splitlines() if line.startswith("warning")]
    assert "cannot reach 21 sources (" in warning and "and 17 more" in warning, warning
    assert sum(f"127.0.0.{n}" in warning for n in range(2, 22)) <= 4 and len(warning) < 260, warning
