"""CSV reading lists (Zotero's CSV export, Pocket, Instapaper, a spreadsheet): columns found by their names."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import Run

DATA = Path(__file__).parent / "data" / "csv"


def _items(run: Run) -> dict[str, dict[str, object]]:
    return {i["key"]: i for i in map(json.loads, run("export", "--format", "jsonl").out.splitlines())}


def test_a_zotero_csv_export_keeps_titles_authors_dates_tags_and_notes(run: Run) -> None:
    result = run("import", str(DATA / "zotero-export.csv"))
    assert result.code == 0 and "(CSV)" in result.out, result
    items = _items(run)
    marlin, paged = items["arxiv:2408.11743"], items["doi:10.1145/3600006.3613165"]
    assert str(marlin["title"]).startswith("MARLIN: Mixed-Precision")
    assert [a["name"] for a in marlin["authors"]] == ["Elias Frantar", "Roberto L. Castro", "Dan Alistarh"]  # type: ignore[attr-defined]
    assert (marlin["published"], marlin["tags"]) == ("2024-08-21", ["kernels", "quantization"])
    assert [n["body"] for n in marlin["notes"]] == ["量化 kernel，很快"]  # type: ignore[attr-defined]  # HTML → text
    assert (paged["venue"], paged["tags"], paged["kind"]) == ("SOSP '23", ["kv cache", "serving"], "paper")


def test_pocket_and_instapaper_exports_bring_status_tags_and_when_added(run: Run) -> None:
    assert run("import", str(DATA / "pocket-export.csv"), str(DATA / "instapaper-export.csv")).code == 0
    items = _items(run)
    flash = items["url:https://tridao.me/blog/2024/flash3"]
    assert (flash["title"], flash["tags"], flash["added_at"]) == (
        "FlashAttention-3 blog",
        ["attention", "kernels"],
        "2024-07-03T09:46:40Z",
    )
    assert shown_status(run, "tridao.me/blog/2024/flash3") == "read"  # Pocket's "archive"
    zhihu = items["url:https://zhuanlan.zhihu.com/p/12345"]
    assert (zhihu["title"], zhihu["tags"]) == ("大模型推理优化", [])  # Instapaper's "Unread" folder is a state
    assert items["github:vllm-project/vllm"]["kind"] == "repo"


def shown_status(run: Run, ref: str) -> str:
    return str(json.loads(run("show", ref, "--json").out)["status"])


def test_reimporting_a_csv_changes_nothing(run: Run, tmp_path: Path) -> None:
    copy = tmp_path / "list.csv"
    shutil.copy(DATA / "zotero-export.csv", copy)
    run("import", str(copy))
    before = run("export", "--format", "jsonl").out
    again = run("import", str(copy))
    assert "added 0 item(s), merged 0, 2 unchanged" in again.out, again
    assert run("export", "--format", "jsonl").out == before


def test_a_spreadsheet_with_a_link_column_is_read_by_column_and_bad_rows_are_named(run: Run, tmp_path: Path) -> None:
    sheet = tmp_path / "papers.csv"
    sheet.write_text(
        "title,url,tags,date\nMarlin,https://arxiv.org/abs/2408.11743,quant,2024-08-21\n,,,\n,,x,2024-01-01\n",
        encoding="utf-8",
    )
    result = run("import", str(sheet))
    assert result.code == 0 and "1 entry skipped (see the warnings)" in result.out, result
    assert "line 4: no title, link, DOI or arXiv ID, skipped" in result.err
    marlin = _items(run)["arxiv:2408.11743"]  # the URL is not glued to the next cells
    assert (marlin["title"], marlin["tags"], marlin["published"]) == ("Marlin", ["quant"], "2024-08-21")


def test_a_csv_without_a_link_column_is_not_taken_for_a_reading_list(tmp_path: Path) -> None:
    from readlist.importer import csvfile

    assert not csvfile.matches("name,score\nalice,3\n")
    assert not csvfile.matches("# Notes, links, papers\n\n- https://arxiv.org/abs/2408.11743\n")
    assert csvfile.matches("Title;URL\nMarlin;https://arxiv.org/abs/2408.11743\n")  # semicolons (a German Excel)


def test_chinese_headers_utf16_and_folders_that_are_topics(run: Run, tmp_path: Path) -> None:
    chinese = tmp_path / "清单.csv"
    chinese.write_text(
        "标题;链接;备注;日期;作者;标签\n论文甲;https://arxiv.org/abs/2402.00002;很好，推荐;2024-01-01;张, 三;量化，推理\n",
        encoding="utf-8",
    )
    excel = tmp_path / "excel.csv"  # Excel's "Unicode Text": UTF-16, tab-separated
    excel.write_bytes("title\turl\tfolder\nTab Post\thttps://example.com/a/b/tab\tReading\n".encode("utf-16"))
    loose = tmp_path / "scores.csv"
    loose.write_text("name,score\nalice,3\n", encoding="utf-8")
    result = run("import", str(chinese), str(excel), str(loose))
    assert result.code == 0 and "scores.csv: no column of links" in result.err, result
    items = _items(run)
    paper = items["arxiv:2402.00002"]
    assert (paper["title"], paper["tags"], paper["published"]) == ("论文甲", ["推理", "量化"], "2024-01-01")
    assert [a["name"] for a in paper["authors"]] == ["张三"]  # type: ignore[attr-defined]
    post = items["url:https://example.com/a/b/tab"]
    assert (post["title"], post["tags"]) == ("Tab Post", ["Reading"])  # a folder named Reading is a topic
    assert shown_status(run, "example.com/a/b/tab") == "unread"


def test_one_column_lists_identifier_forms_quotes_and_an_unclosed_quote(run: Run, tmp_path: Path) -> None:
    (tmp_path / "dois.csv").write_text("DOI\n10.1145/3600006.3613165\n", encoding="utf-8")  # one column
    (tmp_path / "forms.csv").write_text(
        'Title,URL\nB,arXiv:2408.11743v2\nC,javascript:alert(1)\n"say ""x""\nagain",https://example.com/q-post\n',
        encoding="utf-8",
    )
    result = run("import", str(tmp_path / "dois.csv"), str(tmp_path / "forms.csv"))
    assert result.code == 0 and "line 3: 'javascript:alert(1)' is not a web link, skipped" in result.err, result
    items = _items(run)
    assert set(items) == {"doi:10.1145/3600006.3613165", "arxiv:2408.11743", "url:https://example.com/q-post"}
    assert items["arxiv:2408.11743"]["arxiv_version"] == 2  # the version as written
    assert items["url:https://example.com/q-post"]["title"] == 'say "x" again'
    broken = tmp_path / "broken.csv"
    broken.write_text('title,url\n"unclosed,https://example.com/a\nB,https://example.com/b\n', encoding="utf-8")
    result = run("import", str(broken))
    assert "line 2: unexpected end of data (an unclosed quote?)" in result.err, result


def test_a_zotero_preprint_known_only_by_its_extra_field_is_the_arxiv_paper(run: Run, tmp_path: Path) -> None:
    export = tmp_path / "zotero.csv"
    export.write_text(
        '"Key","Item Type","Title","DOI","Url","Extra"\n"K1","preprint","Marlin","","","arXiv: 2408.11743"\n'
    )
    assert run("import", str(export)).code == 0
    assert list(_items(run)) == ["arxiv:2408.11743"]  # so `add 2408.11743` later finds it, not a second item
