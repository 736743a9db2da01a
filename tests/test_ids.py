"""Identity: every arXiv form maps to one key; look-alikes are rejected; URLs are canonical."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readlist.errors import InvalidInputError
from readlist.ids import canonical_url, parse_reference
from tests.conftest import Run

ARXIV_FORMS = [
    "2408.11743",
    "2408.11743v2",
    "arXiv:2408.11743",
    "arxiv:2408.11743v1",
    "https://arxiv.org/abs/2408.11743",
    "https://arxiv.org/abs/2408.11743v2",
    "https://arxiv.org/pdf/2408.11743",
    "https://arxiv.org/pdf/2408.11743v2.pdf",
    "http://www.arxiv.org/html/2408.11743v1",
    "https://export.arxiv.org/abs/2408.11743",
    "https://arxiv.org/format/2408.11743",
    "https://arxiv.org/src/2408.11743v3",
    "https://ar5iv.labs.arxiv.org/html/2408.11743",
    "https://ar5iv.org/abs/2408.11743",
    "https://www.alphaxiv.org/abs/2408.11743",
    "https://huggingface.co/papers/2408.11743",
    "https://papers.cool/arxiv/2408.11743",
    "https://hjfy.top/arxiv/2408.11743v1",
    "https://doi.org/10.48550/arXiv.2408.11743",
    "10.48550/arXiv.2408.11743",
    "arxiv.org/abs/2408.11743",
    "  https://arxiv.org/abs/2408.11743#section  ",
]


@pytest.mark.parametrize("text", ARXIV_FORMS)
def test_every_arxiv_form_maps_to_the_same_key(text: str) -> None:
    ref = parse_reference(text)
    assert (ref.kind, ref.key, ref.arxiv_id) == ("paper", "arxiv:2408.11743", "2408.11743")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("hep-th/9901001", "arxiv:hep-th/9901001"),
        ("https://arxiv.org/abs/math.GT/0309136", "arxiv:math/0309136"),
        ("arXiv:math.GT/0309136v2", "arxiv:math/0309136"),
        ("0704.0001", "arxiv:0704.0001"),
        ("1412.9999", "arxiv:1412.9999"),
        ("1501.00001", "arxiv:1501.00001"),
    ],
)
def test_old_style_and_boundary_ids(text: str, key: str) -> None:
    assert parse_reference(text).key == key


@pytest.mark.parametrize(
    "text",
    [
        "2413.12345",
        "0703.1234",
        "1501.1234",
        "1412.12345",
        "2025.11.1",
        "hello world",
        "ftp://x",
        "",
        "12345",
    ],
)
def test_look_alikes_are_rejected_with_a_hint(text: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        parse_reference(text)
    assert "accepted:" in err.value.hint


@pytest.mark.parametrize(
    ("text", "kind", "key"),
    [
        ("https://dl.acm.org/doi/10.1145/3600006.3613165", "paper", "doi:10.1145/3600006.3613165"),
        ("https://doi.org/10.1145/3600006.3613165", "paper", "doi:10.1145/3600006.3613165"),
        ("https://zhuanlan.zhihu.com/p/706469164", "article", "url:https://zhuanlan.zhihu.com/p/706469164"),
        ("https://github.com/linkedin/Liger-Kernel/tree/main/src", "repo", "github:linkedin/liger-kernel"),
        ("https://www.github.com/linkedin/Liger-Kernel.git", "repo", "github:linkedin/liger-kernel"),
    ],
)
def test_other_kinds_are_recognised(text: str, kind: str, key: str) -> None:
    ref = parse_reference(text)
    assert (ref.kind, ref.key) == (kind, key)


def test_zhihu_and_acm_numbers_are_not_arxiv_ids() -> None:
    assert parse_reference("https://zhuanlan.zhihu.com/p/2408117430").arxiv_id is None
    assert parse_reference("https://dl.acm.org/doi/10.1145/3600006.3613165").arxiv_id is None


def test_tracking_parameters_case_port_and_trailing_slash_are_cleaned() -> None:
    url = "HTTPS://WWW.Example.com:443/post/?utm_source=x&spm_id_from=1&id=7&vd_source=abc#frag"
    assert canonical_url(url) == "https://example.com/post?id=7"
    assert parse_reference("http://example.com/a/").key == parse_reference("https://www.example.com/a").key


@given(st.text(max_size=200))
def test_any_text_is_either_a_reference_or_a_clear_error(text: str) -> None:
    try:
        ref = parse_reference(text)
    except InvalidInputError as err:
        assert err.message and err.hint
    else:
        assert ref.key and ref.kind in ("paper", "article", "repo")


def test_an_openreview_paper_is_one_item_whichever_page_was_added(run: Run) -> None:
    assert run("add", "https://openreview.net/pdf?id=aBc-12_x", "--no-fetch").code == 0
    again = run("add", "https://openreview.net/forum?id=aBc-12_x&noteId=zzz", "--no-fetch")
    assert again.code == 0, again
    assert len(run("list", "--json").json()) == 1
    assert run("show", "openreview.net/attachment?id=aBc-12_x&name=pdf").code == 0
    other = run("add", "https://openreview.net/forum?id=Other1", "--no-fetch")  # another paper stays apart
    assert other.code == 0 and len(run("list", "--json").json()) == 2


def test_a_url_typed_without_its_scheme_finds_an_item_on_an_ip_address_and_port(run: Run) -> None:
    assert run("add", "http://127.0.0.1:8765/x", "--no-fetch").code == 0
    shown = run("show", "127.0.0.1:8765/x", "--json")
    assert shown.code == 0 and shown.json()["url"] == "http://127.0.0.1:8765/x", shown
    assert run("show", "127.0.0.1:9999/x").code != 0  # another port is another page


def test_a_library_from_before_keeps_finding_its_openreview_pdf_item(run: Run, tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    env = {"READLIST_DB": str(db)}
    assert run("add", "https://openreview.net/pdf?id=Old-1", "--no-fetch", "--tag", "mine", env=env).code == 0
    assert run("add", "https://openreview.net/pdf?id=Gone", "--no-fetch", env=env).code == 0
    assert run("rm", "openreview.net/forum?id=Gone", "--yes", env=env).code == 0
    with sqlite3.connect(db) as conn:  # as an earlier readlist keyed them
        for table in ("item", "tombstone"):
            conn.execute(f"UPDATE {table} SET key = replace(key, '/forum?', '/pdf?') WHERE key LIKE '%openreview%'")
    _upgrade(db, "0014")  # what opening that library with this readlist runs
    shown = run("show", "https://openreview.net/pdf?id=Old-1", "--json", env=env)
    assert shown.code == 0 and shown.json()["tags"] == ["mine"], shown
    assert run("add", "https://openreview.net/forum?id=Old-1", "--no-fetch", env=env).code == 0
    assert len(run("list", "--json", env=env).json()) == 1  # the same paper, not a second item
    assert run("import", str(_notes_linking(tmp_path, "Gone")), env=env).code == 0
    assert len(run("list", "--json", env=env).json()) == 1  # a removed paper stays removed


def _notes_linking(tmp_path: Path, forum_id: str) -> Path:
    notes = tmp_path / "notes.md"
    notes.write_text(f"# Reading\n\n- https://openreview.net/pdf?id={forum_id}\n", encoding="utf-8")
    return notes


def _upgrade(db: Path, revision: str) -> None:
    """Run one migration's upgrade on a library file, as Alembic does when it reaches that revision."""
    import importlib.util

    import sqlalchemy as sa
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    from readlist.store.backends.base import migrations_dir

    (path,) = (migrations_dir() / "versions").glob(f"{revision}_*.py")
    spec = importlib.util.spec_from_file_location(f"migration_{revision}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        module.upgrade()
    engine.dispose()
