"""What to read next: the ranked inbox, `similar`, `suggest --tag` and `tag --suggest`, on tiny libraries,
items without abstracts and Chinese-only notes, on both backends; scikit-learn stays out of the daily commands."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.feed_server import FeedServer, arxiv_rss
from tests.test_storage import _modules_after

KV = [
    ("2401.00001", "KV cache quantization for long-context LLM serving"),
    ("2401.00002", "Compressing the KV cache with 4-bit quantization"),
    ("2401.00003", "Quantized key-value cache eviction for LLM inference"),
    ("2401.00004", "Low-bit KV cache quantization at scale"),
    ("2401.00005", "KV cache offloading and quantization for serving"),
]
OTHER = [
    ("2401.00011", "Protein structure prediction with diffusion"),
    ("2401.00012", "Graph neural networks for molecules"),
]


def _add(run: Run, key: str, title: str, *tags: str) -> None:
    args = ["add", key, "--title", title, "--no-fetch"]
    for tag in tags:
        args += ["--tag", tag]
    result = run(*args)
    assert result.code == 0, result


def _json(run: Run, *args: str) -> Any:
    result = run(*args, "--json")
    assert result.code == 0 and result.err == "", result
    return result.json()


def test_an_empty_library_ranks_nothing_and_says_so(run: Run) -> None:
    assert _json(run, "inbox") == []
    assert "inbox is empty" in run("inbox", "-f", "table").out
    missing = run("suggest", "--tag", "cuda")
    assert missing.code != 0 and 'no tag "cuda"' in missing.err
    assert run("similar", "1").code != 0


def test_a_library_of_one_item_has_nothing_similar_and_no_tag_to_suggest(run: Run) -> None:
    _add(run, "2401.00001", "KV cache quantization", "kv-cache")
    assert _json(run, "similar", "1") == []
    assert "nothing shares words with 1" in run("similar", "1", "-f", "table").out
    assert _json(run, "tag", "1", "--suggest") == []
    assert _json(run, "suggest", "--tag", "kv-cache") == []


def test_a_chinese_only_note_meets_an_english_title_through_the_glossary(run: Run) -> None:
    _add(run, "2401.00001", "KV cache quantization for LLM serving")
    _add(run, "https://example.org/a", "读书笔记")  # an article known by a title and a note: no abstract
    assert run("note", "2", "这篇讲键值缓存的量化方法，量化到4比特").code == 0
    _add(run, "2401.00011", "Protein structure prediction with diffusion")
    like = _json(run, "similar", "1")
    assert [i["id"] for i in like] == [2]  # the protein paper shares nothing
    assert {"quantization", "kv cache"} & set(like[0]["why"]) and like[0]["score"] > 0
    assert like[0]["abstract"] is None and like[0]["notes"]  # the item schema, with its notes
    table = run("similar", "1", "-f", "table").out
    assert "读书笔记" in table and "by the terms they share" in table


def test_suggest_learns_a_tag_and_falls_back_to_similarity_when_it_has_few_members(run: Run) -> None:
    for key, title in KV[:4]:
        _add(run, key, title, "kv-cache")
    _add(run, *KV[4])  # untagged, plainly a member
    for key, title in OTHER:
        _add(run, key, title, "bio")
    fits = _json(run, "suggest", "--tag", "kv-cache")
    assert fits[0]["key"] == "arxiv:2401.00005" and fits[0]["why"]
    assert "kv-cache" not in {t for i in fits for t in i["tags"]}  # only items not yet tagged
    assert "few examples (4)" in run("suggest", "--tag", "kv-cache", "-f", "table").out
    assert run("tag", "5", "+kv-cache").code == 0
    assert "ranked by a model of 5 items" in run("suggest", "--tag", "kv-cache", "-f", "table").out
    suggested = _json(run, "tag", "5", "--suggest")  # its own tag is left out; the bio tag does not fit
    assert suggested == []
    _add(run, "2401.00013", "Diffusion models for protein design")
    assert [f["tag"] for f in _json(run, "tag", "8", "--suggest")] == ["bio"]
    assert run("tag", "8", "--suggest").out.startswith("bio\t")  # a pipe gets TSV
    assert _json(run, "show", "8")["tags"] == []  # suggesting changes nothing


def test_inbox_ranks_by_fit_to_the_library_and_keep_and_skip_teach_it(run: Run, feeds: FeedServer) -> None:
    for key, title in KV:
        _add(run, key, title)
    run("done", "1", "2")
    feeds.routes["/rss/cs.CL"] = arxiv_rss(
        [
            ("2611.00001v1", "new", "A survey of protein folding", "Biology and structure."),
            ("2611.00002v1", "new", "Sparse attention for vision", "Images."),
            ("2611.00003v1", "new", "Quantizing the KV cache to 2 bits", "We quantize key-value caches."),
        ]
    )
    assert run("feed", "add", f"{feeds.base}/rss/cs.CL").code == 0
    assert run("feed", "pull").code == 0
    ranked = _json(run, "inbox")
    assert ranked[0]["arxiv_id"] == "2611.00003" and ranked[0]["why"] and len(ranked) == 3
    table = run("inbox", "-f", "table").out
    assert "inbox: 3 — ranked by a model of 5 items" in table and "kv cache" in table
    by_date = _json(run, "inbox", "--by", "date")
    assert [i["arxiv_id"] for i in by_date] == [i["arxiv_id"] for i in run("list", "-s", "inbox", "--json").json()]
    assert "why" not in by_date[0]  # the old order, the plain item schema
    assert run("skip", "2611.00001").code == 0 and run("keep", "2611.00002").code == 0
    assert [i["arxiv_id"] for i in _json(run, "inbox")] == ["2611.00003"]


def test_a_few_kept_items_rank_the_inbox_by_similarity_and_say_so(run: Run, feeds: FeedServer) -> None:
    _add(run, *KV[0])
    feeds.routes["/rss/cs.CL"] = arxiv_rss(
        [
            ("2611.00001v1", "new", "A survey of protein folding", "Biology."),
            ("2611.00002v1", "new", "KV cache quantization revisited", "Caches."),
        ]
    )
    run("feed", "add", f"{feeds.base}/rss/cs.CL")
    run("feed", "pull")
    # The best fit first, and nothing hidden: the inbox is a list to triage, the unmatched entry comes last.
    assert [i["arxiv_id"] for i in _json(run, "inbox")] == ["2611.00002", "2611.00001"]
    assert "few examples (1)" in run("inbox", "-f", "table").out
    assert [i["arxiv_id"] for i in _json(run, "similar", "1", "--inbox")] == ["2611.00002"]


def test_recommendations_work_on_postgresql(run: Run, postgres_library: Any) -> None:
    for key, title in KV:
        _add(run, key, title, "kv-cache")
    _add(run, *OTHER[0])
    run("tag", "1", "-kv-cache")
    assert _json(run, "suggest", "--tag", "kv-cache")[0]["id"] == 1
    assert [i["id"] for i in _json(run, "similar", "2")][:1] in ([1], [3], [4], [5])
    assert _json(run, "tag", "1", "--suggest")[0]["tag"] == "kv-cache"
    assert _json(run, "inbox") == []


def test_scikit_learn_is_loaded_only_by_the_ranking_commands(run: Run) -> None:
    _add(run, *KV[0])
    heavy = {"sklearn", "scipy", "numpy"}
    for args in (["todo"], ["search", "cache"], ["add", "2401.00099", "--no-fetch"], ["tag", "1", "+x"]):
        assert not (heavy & _modules_after(args)), args


def test_two_new_papers_on_the_readers_topic_both_rank_above_the_rest(run: Run, feeds: FeedServer) -> None:
    """Other inbox entries are not what the reader rejected: two on the library's topic must not sink each other."""
    for key, title in KV + OTHER:
        _add(run, key, title)
    run("done", *(key for key, _ in KV))
    feeds.routes["/rss/cs.CL"] = arxiv_rss(
        [
            ("2611.00001v1", "new", "KV cache quantization for long contexts", "Quantized key-value caches."),
            ("2611.00002v1", "new", "A recipe for sourdough bread", "Flour, water, salt."),
            ("2611.00003v1", "new", "Sub-4-bit KV cache quantization", "Caches quantized to low bits."),
            ("2611.00004v1", "new", "Tomato growing in cold climates", "Gardening."),
        ]
    )
    assert run("feed", "add", f"{feeds.base}/rss/cs.CL").code == 0 and run("feed", "pull").code == 0
    top = {i["arxiv_id"] for i in _json(run, "inbox")[:2]}
    assert top == {"2611.00001", "2611.00003"}


def test_a_narrow_terminal_gives_titles_the_room_and_shrinks_the_why(run: Run) -> None:
    long = "Compressing the KV cache with 4-bit quantization for serving"
    for key, title in [*KV[:4], ("2401.00009", long)]:
        _add(run, key, title, "kv-cache")
    run("tag", "5", "-kv-cache")
    table = run("suggest", "--tag", "kv-cache", "-f", "table", env={"COLUMNS": "60"}).out
    row = next(line for line in table.splitlines() if line.lstrip().startswith("5 "))
    assert "Compressing the KV cache with" in row and len(row) <= 60
    similar = run("similar", "1", "-f", "table", env={"COLUMNS": "60"}).out
    assert all(len(line) <= 60 for line in similar.splitlines())
    assert "Low-bit KV cache quantization at" in similar


def test_limit_0_is_refused_with_a_hint_by_every_ranked_list(run: Run) -> None:
    _add(run, *KV[0], "kv-cache")
    for args in (["inbox"], ["inbox", "--by", "date"], ["similar", "1"], ["suggest", "--tag", "kv-cache"]):
        refused = run(*args, "--limit", "0")
        assert refused.code == 1 and "--limit 0 would show nothing" in refused.err and "hint:" in refused.err, args
        assert "Traceback" not in refused.err


def test_a_negative_item_number_is_a_missing_item_not_an_unknown_option(run: Run) -> None:
    _add(run, *KV[0])
    answer = run("similar", "-1")
    assert answer.code == 1 and "no item -1" in answer.err and "hint:" in answer.err
    assert "No such option" not in answer.err


def test_a_trashed_item_says_how_to_bring_it_back(run: Run) -> None:
    _add(run, *KV[0])
    _add(run, *KV[1])
    assert run("rm", "2", "--yes").code == 0
    for args in (["similar", "2"], ["show", "2"], ["similar", "2401.00002"]):
        answer = run(*args)
        assert answer.code == 1 and "in the trash" in answer.err and "readlist restore" in answer.err, args
    assert "in the trash" not in run("similar", "9").err


def test_why_shows_words_not_single_characters_or_cut_fragments(run: Run) -> None:
    for n, title in enumerate(["万字长文详解大模型推理", "图解大模型推理的量化", "大模型推理：万字长文讲透"]):
        _add(run, f"https://example.org/{n}", title)
    terms = {t for item in _json(run, "similar", "1") for t in item["why"]}
    assert terms, terms
    assert not [t for t in terms if len(t) == 1 or "字长" in t], terms


def test_an_entry_like_one_the_reader_skipped_does_not_top_the_inbox_on_the_librarys_words(
    run: Run, feeds: FeedServer
) -> None:
    """Each entry is weighed against its nearest kept and nearest skipped items, not one average of the library:
    a new survey all but identical to a skipped one no longer rides on `kv cache` into first place."""
    kept = [
        "KV cache quantization for LLM serving",
        "4-bit KV cache quantization",
        "Quantized KV cache for long context",
        "Low-bit KV cache quantization",
        "KV cache quantization at scale",
        "KV cache quantization with outliers",
        "Mixture of experts routing",
        "Expert load balancing for mixture of experts",
    ]
    skipped = [
        "A survey of LLM serving",
        "A survey of LLM inference",
        "A survey of quantization for LLM",
        "A survey of KV cache methods",
        "A survey of efficient LLM",
        "Survey: LLM compression",
    ]
    for n, title in enumerate(kept + skipped):
        _add(run, f"2401.{n + 1:05d}", title)
    assert run("done", *[str(n) for n in range(1, len(kept) + 1)]).code == 0
    assert run("skip", *[str(n) for n in range(len(kept) + 1, len(kept) + len(skipped) + 1)]).code == 0
    entries = [
        "A survey of KV cache methods and quantization",
        "Routing experts in mixture of experts layers",
        "Protein folding with diffusion",
        "Weather forecasting with transformers",
        "Graph databases at scale",
        "Robot grasping from video",
    ]
    feeds.routes["/rss/cs.LG"] = arxiv_rss([(f"2611.{n:05d}v1", "new", t, "") for n, t in enumerate(entries, 1)])
    assert run("feed", "add", f"{feeds.base}/rss/cs.LG").code == 0 and run("feed", "pull").code == 0
    ranked = [i["title"] for i in _json(run, "inbox")]
    assert ranked[0] == entries[1], ranked


def _cached_terms(location: str) -> list[str]:
    """The names of the term caches the library holds (read as any client of the database would)."""
    if location.startswith("postgresql"):
        import psycopg

        with psycopg.connect(location) as conn:
            return [r[0] for r in conn.execute("SELECT name FROM termcache").fetchall()]
    import sqlite3

    with contextlib.closing(sqlite3.connect(location)) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM termcache").fetchall()]


def test_term_counts_live_in_the_library_and_a_write_invalidates_them(
    run: Run, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, title in [*KV, *OTHER]:
        _add(run, key, title)
    assert 2 not in [i["id"] for i in _json(run, "similar", "6")]  # the protein paper: nothing like it yet
    assert _cached_terms(backend)  # in the library: every process and machine reading it finds them
    assert not (tmp_path / "state" / "models").exists()  # not a file on this machine only
    monkeypatch.setenv("READLIST_STATE_DIR", str(tmp_path / "another-machine"))
    assert run("edit", "2", "--title", "Protein structure prediction at scale").code == 0  # a write
    assert 2 in [i["id"] for i in _json(run, "similar", "6")]
    assert run("note", "7", "分子图神经网络也能用于蛋白质结构预测 protein structure").code == 0
    assert 7 in [i["id"] for i in _json(run, "similar", "6")][:2]


def test_a_damaged_term_cache_is_counted_again_not_an_error(run: Run, isolated_library: Path) -> None:
    import sqlite3

    from readlist.recommend.termcounts import MAGIC

    for key, title in KV[:3]:
        _add(run, key, title)
    assert len(_json(run, "similar", "1")) == 2
    with contextlib.closing(sqlite3.connect(isolated_library)) as conn, conn:
        conn.execute("UPDATE termcache SET data = ?", (b"PK\x03\x04 not an archive",))
    assert len(_json(run, "similar", "1")) == 2
    with contextlib.closing(sqlite3.connect(isolated_library)) as conn:
        assert conn.execute("SELECT data FROM termcache").fetchone()[0].startswith(MAGIC)
        assert b"not an archive" not in conn.execute("SELECT data FROM termcache").fetchone()[0]


def _per_row(counted: Any, rows: list[Any]) -> list[dict[str, int]]:
    """Each row's {term: count}, whatever ids the terms were given."""
    indptr, ids, counts = counted.count(rows)
    terms = counted.terms()
    return [
        {
            terms[int(t)]: int(c)
            for t, c in zip(ids[indptr[n] : indptr[n + 1]], counts[indptr[n] : indptr[n + 1]], strict=True)
        }
        for n in range(len(rows))
    ]


def test_the_term_cache_keeps_unchanged_items_and_counts_edited_new_and_removed_ones_afresh() -> None:
    from readlist.domain import Status
    from readlist.recommend.termcounts import Counted
    from readlist.store.corpus import CorpusRow

    def row(item_id: int, title: str, notes: list[str] | None = None) -> CorpusRow:
        return CorpusRow(item_id, title, None, Status.UNREAD, None, "2026-01-01", ["kv-cache"], notes or [])

    rows = [row(n + 1, title) for n, (_key, title) in enumerate(KV + OTHER)]
    first = Counted()
    before = _per_row(first, rows)
    saved = first.to_bytes()
    again = Counted.from_bytes(saved)
    assert again is not None and _per_row(again, rows) == before and not again.changed  # read as saved
    edited = [
        row(1, KV[0][1], ["投机解码 speculative decoding"]),  # a note: counted again
        *rows[1:5],
        row(8, "Mixture of experts routing"),  # new
    ]  # items 6 and 7 removed
    cached = Counted.from_bytes(saved)
    assert cached is not None
    assert _per_row(cached, edited) == _per_row(Counted(), edited)
    assert cached.changed and "speculative decoding" in _per_row(cached, edited)[0]
    reread = Counted.from_bytes(cached.to_bytes())
    assert reread is not None and list(reread.items) == [1, 2, 3, 4, 5, 8]  # the removed ones are gone
    assert _per_row(reread, edited) == _per_row(Counted(), edited) and not reread.changed


def test_an_older_term_cache_is_replaced_not_kept_beside_the_new_one(run: Run, isolated_library: Path) -> None:
    import sqlite3

    for key, title in KV[:3]:
        _add(run, key, title)
    with contextlib.closing(sqlite3.connect(isolated_library)) as conn, conn:
        conn.execute("INSERT INTO termcache (name, saved_at, data) VALUES ('terms.v5', '2026-01-01', x'00')")
    assert len(_json(run, "similar", "1")) == 2
    assert _cached_terms(str(isolated_library)) == ["terms.v6"]
