"""Reference-manager formats parsed to drafts: BibTeX dialects, CSL-JSON, bookmarks, LaTeX, detection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from readlist.errors import InvalidInputError
from readlist.ids import parse_item_ref, parse_reference
from readlist.importer import bibtex, bookmarks, csljson
from readlist.importer.formats import UnsupportedFileError, detect, refuse
from readlist.importer.texdecode import decode
from tests.conftest import Run

DATA = Path(__file__).parent / "data" / "formats"


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"M{\"u}ller \& {GPT}-4", "Müller & GPT-4"),
        (r"Erd\H{o}s and \v{S}ebek", "Erdős and Šebek"),
        (r"\c{C}a\u{g}r{\i} Fran\c cois", "Çağrı François"),
        (r"Jos\'e Garc\'{\i}a \ss", "José García ß"),
        (r"Cost \$5 \{x\} 1--3", "Cost $5 {x} 1–3"),
        (r"$\alpha$-Net: \emph{idea}", "α-Net: idea"),
    ],
)
def test_latex_in_bibtex_fields_becomes_unicode(latex: str, text: str) -> None:
    assert decode(latex) == text


ZOTERO_STYLE = r"""% Encoding: UTF-8
@string{nips = "Advances in Neural " # "Information Processing Systems"}

@inproceedings{frantar2024marlin,
  title = {{MARLIN}: Mixed-Precision Auto-Regressive Parallel Inference},
  author = {Frantar, Elias and Castro, Roberto L. and Alistarh, Dan},
  year = {2024},
  eprint = {2408.11743v2},
  archivePrefix = {arXiv},
  keywords = {quantization, kernels},
  file = {Full Text PDF:PDFDIR/marlin.pdf:application/pdf;Snapshot:PDFDIR/x.html:text/html},
  annote = {Great kernels.},
  dateadded = {2024-09-01T10:00:00Z},
}

@article{mueller2020,
  title = {Sch{\"o}ne {GPU} \& Co},
  author = {M{\"u}ller, J{\"o}rg and {OpenAI and Friends} and others},
  journal = nips,
  month = jan,
  year = 2020,
  doi = {https://doi.org/10.1145/3600006.3613165},
}

@article{broken,
  title = {Unclosed
  year = 2020

@article{hu2021lora,
  title={Lora: Low-rank adaptation of large language models},
  author={Hu, Edward J and Shen, Yelong},
  journal={arXiv preprint arXiv:2106.09685},
  year={2021}
}
@inproceedings{child,
  title = {Child paper},
  crossref = {proc},
  author = {A B},
}
@proceedings{proc,
  title = {Proceedings of Foo 2022},
  year = 2022,
}
"""


@pytest.fixture
def zotero_bib(tmp_path: Path) -> Path:
    (tmp_path / "marlin.pdf").write_bytes(b"%PDF-1.4\n")
    path = tmp_path / "library.bib"
    path.write_text(ZOTERO_STYLE.replace("PDFDIR", str(tmp_path)), encoding="utf-8")
    return path


def test_bibtex_fields_map_to_identity_tags_notes_files_and_dates(zotero_bib: Path) -> None:
    parsed = bibtex.to_drafts(zotero_bib.read_text(), str(zotero_bib))
    by_key = {d.citation_key: d for d in parsed.drafts}
    marlin = by_key["frantar2024marlin"]
    assert marlin.ref.key == "arxiv:2408.11743" and marlin.ref.arxiv_version == 2
    assert marlin.title == "MARLIN: Mixed-Precision Auto-Regressive Parallel Inference"
    assert [a["name"] for a in marlin.authors] == ["Elias Frantar", "Roberto L. Castro", "Dan Alistarh"]
    assert marlin.tags == ["quantization", "kernels"]
    assert [n.body for n in marlin.notes] == ["Great kernels."]
    assert marlin.attachments == [str(zotero_bib.parent / "marlin.pdf")]  # the .html snapshot is not a PDF
    assert marlin.extra["added_at"] == "2024-09-01T10:00:00Z"
    mueller = by_key["mueller2020"]
    assert mueller.ref.key == "doi:10.1145/3600006.3613165"
    assert mueller.title == "Schöne GPU & Co"
    assert [a["name"] for a in mueller.authors] == ["Jörg Müller", "OpenAI and Friends"]
    assert mueller.venue == "Advances in Neural Information Processing Systems"  # @string and # resolved
    assert mueller.published == "2020-01"
    assert by_key["hu2021lora"].ref.key == "arxiv:2106.09685"  # Google Scholar's journal field
    assert by_key["hu2021lora"].venue is None
    child = by_key["child"]
    assert child.venue == "Proceedings of Foo 2022" and child.published == "2022"  # crossref inheritance
    assert "proc" not in by_key  # a proceedings volume is a container, not a reading-list item


def test_malformed_bibtex_entry_is_reported_with_its_line_and_skipped(zotero_bib: Path) -> None:
    parsed = bibtex.to_drafts(zotero_bib.read_text(), str(zotero_bib))
    assert parsed.skipped == 1
    assert len(parsed.problems) == 1 and parsed.problems[0].startswith("line 25: malformed entry '@article{broken")
    assert len(parsed.drafts) == 4


def test_jabref_papis_and_mendeley_file_fields_attach_existing_pdfs_only(tmp_path: Path) -> None:
    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "a.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "fake.pdf").write_bytes(b"<html>")
    text = f"""
@article{{a, title={{A}}, url={{https://example.org/a}}, file={{:papers/a.pdf:PDF}}}}
@article{{b, title={{B}}, url={{https://example.org/b}}, file={{b.pdf}}}}
@article{{c, title={{C}}, url={{https://example.org/c}}, file={{:{str(tmp_path).lstrip("/")}/b.pdf:pdf}}}}
@article{{d, title={{D}}, url={{https://example.org/d}}, file={{gone.pdf}}}}
@article{{e, title={{E}}, url={{https://example.org/e}}, file={{Full Text PDF:fake.pdf:application/pdf}}}}
"""
    parsed = bibtex.to_drafts(text, str(tmp_path / "x.bib"))
    drafts = {d.citation_key: d for d in parsed.drafts}
    assert drafts["a"].attachments == [str(tmp_path / "papers" / "a.pdf")]
    assert drafts["b"].attachments == [str(tmp_path / "b.pdf")]
    assert drafts["c"].attachments == [str(tmp_path / "b.pdf")]
    assert drafts["d"].attachments == [] and drafts["e"].attachments == []
    assert parsed.notices == [
        "2 attachment(s) not found here or not PDFs: gone.pdf, fake.pdf; the entries are imported without them"
    ]


def test_a_zotero_export_attaches_its_pdfs_and_warns_of_the_ones_not_here(run: Run, tmp_path: Path) -> None:
    (tmp_path / "files" / "12").mkdir(parents=True)
    (tmp_path / "files" / "12" / "paper.pdf").write_bytes(b"%PDF-1.7\n")
    bib = tmp_path / "My Library.bib"
    bib.write_text(
        "@article{a1, title={Here}, doi={10.1/a}, file={Full Text PDF:files/12/paper.pdf:application/pdf}}\n"
        "@article{a2, title={Gone}, doi={10.1/b}, file={Full Text PDF:files/13/gone.pdf:application/pdf}}\n",
        encoding="utf-8",
    )
    result = run("import", str(bib))
    assert result.code == 0 and "1 attachment(s) not found here or not PDFs: files/13/gone.pdf" in result.err, result
    here = run("show", "1", "--json").json()
    assert [a["path"] for a in here["attachments"]] == [str(tmp_path / "files" / "12" / "paper.pdf")]


def test_real_zotero_bibtex_export_recognises_every_arxiv_id_and_doi() -> None:
    path = DATA / "zotero-controlnet.bib"
    text = path.read_text(encoding="utf-8")
    parsed = bibtex.to_drafts(text, str(path))
    assert len(parsed.drafts) + parsed.skipped == text.count("\n@")  # every entry is read or reported
    arxiv = {d.ref.arxiv_id for d in parsed.drafts if d.ref.arxiv_id}
    dois = {d.ref.doi for d in parsed.drafts if d.ref.doi and not d.ref.arxiv_id}
    assert arxiv == {"2007.12928", "2101.03749"}  # grep -io 'arxiv[: ]*NNNN.NNNNN' finds these two
    assert len(dois) == 6  # seven `doi =` lines, one entry repeating its field
    assert parsed.problems == []  # a repeated field is a warning, the entry is read
    assert [n for n in parsed.notices if n.startswith("line ")] == [
        "line 2: 'mildenhall_nerf_2020' repeats doi; kept the fuller value"
    ]
    assert all(d.title and "{" not in d.title for d in parsed.drafts)


def test_csl_json_from_zotero_maps_dates_authors_and_dois() -> None:
    path = DATA / "zotero-kishkash555.json"
    text = path.read_text(encoding="utf-8")
    assert detect(text) == "CSL-JSON"
    parsed = csljson.to_drafts(text, str(path))
    rows = json.loads(text)
    empty = [r for r in rows if not (r.get("title") or r.get("URL") or r.get("DOI"))]  # only an author
    assert len(empty) == 2 and parsed.skipped == 2 and len(parsed.drafts) == len(rows) - 2
    assert all("no title, URL, DOI or arXiv ID" in p for p in parsed.problems)
    first = parsed.drafts[0]
    assert first.ref.key == "doi:10.1016/j.ejor.2020.08.036"
    assert first.authors[0] == {"name": "Tal Avinadav"} and first.published == "2020-08"
    assert first.extra["added_at"] == "2021-01-04T00:00:00Z"
    assert first.citation_key is None  # Zotero's own item URI is not a citation key
    # a DOI in its own field, or in Zotero's `note` (`DOI: 10.4337/…` on a book) is found
    carried = [r for r in rows if r.get("DOI") or "DOI: 10." in str(r.get("note"))]
    assert sum(1 for d in parsed.drafts if d.ref.doi) == len(carried) == 14


def test_csl_json_preprint_becomes_an_arxiv_paper_with_its_citation_key() -> None:
    text = json.dumps(
        [
            {
                "id": "hu2021lora",
                "type": "article",
                "title": "LoRA",
                "number": "arXiv:2106.09685",
                "publisher": "arXiv",
                "DOI": "10.48550/arXiv.2106.09685",
                "keyword": "Computer Science - Machine Learning, lora",
                "issued": {"date-parts": [[2021, 10, 16]]},
            }
        ]
    )
    (draft,) = csljson.to_drafts(text, "x.json").drafts
    assert draft.ref.key == "arxiv:2106.09685" and draft.citation_key == "hu2021lora"
    assert draft.tags == ["Computer Science - Machine Learning", "lora"] and draft.published == "2021-10-16"


BOOKMARKS = """<!DOCTYPE NETSCAPE-Bookmark-file-1>
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks</H1>
<DL><p>
    <DT><H3 ADD_DATE="1700000000" PERSONAL_TOOLBAR_FOLDER="true">Bookmarks bar</H3>
    <DL><p>
        <DT><H3 ADD_DATE="1700000000">大模型Infra相关博客（DeepSeek，VERL…）</H3>
        <DL><p>
            <DT><A HREF="https://arxiv.org/abs/2408.11743" ADD_DATE="1700000100">MARLIN &amp; friends</A>
            <DD>fast int4 kernels
            <DT><H3>Quant</H3>
            <DL><p>
                <DT><A HREF="https://example.org/post?utm_source=x" ADD_DATE="1700000200" TAGS="a,b">Post</A>
            </DL><p>
        </DL><p>
        <DT><A HREF="javascript:alert(1)">bookmarklet</A>
    </DL><p>
    <DT><A HREF="https://github.com/IST-DASLab/marlin">repo</A>
</DL><p>
"""


def test_bookmark_folders_become_tags_and_browser_roots_do_not() -> None:
    assert detect(BOOKMARKS) == "bookmarks"
    parsed = bookmarks.to_drafts(BOOKMARKS, "/b.html")
    by_key = {d.ref.key: d for d in parsed.drafts}
    marlin = by_key["arxiv:2408.11743"]
    assert marlin.tags == ["大模型Infra相关博客（DeepSeek，VERL…）"]
    assert marlin.title == "MARLIN & friends" and [n.body for n in marlin.notes] == ["fast int4 kernels"]
    assert marlin.extra["added_at"] == "2023-11-14T22:15:00Z"
    assert by_key["url:https://example.org/post"].tags == ["大模型Infra相关博客（DeepSeek，VERL…）", "Quant", "a", "b"]
    assert by_key["github:ist-daslab/marlin"].tags == []
    assert parsed.skipped == 1 and "javascript:" in parsed.problems[0] and parsed.problems[0].startswith("line 17")


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"%PDF-1.7\n...", "a PDF"),
        (b"PK\x03\x04word/document.xml", "a zip archive"),
        (b"\x00\x01\x02binary", "a binary file"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "a web page"),
    ],
)
def test_files_no_importer_can_read_are_refused_naming_the_supported_formats(
    tmp_path: Path, content: bytes, what: str
) -> None:
    path = tmp_path / "input.bin"
    path.write_bytes(content)
    with pytest.raises(UnsupportedFileError) as caught:
        refuse(path)
    assert what in caught.value.message and "BibTeX" in caught.value.hint and "CSL-JSON" in caught.value.hint


def test_detection_is_by_content_not_extension() -> None:
    assert detect("\n% comment\n@Article{x, title={T}}") == "BibTeX"
    assert detect("# My notes\n\nsee @article{x} in the text") is None
    assert detect('[{"key": "arxiv:1", "url": "u", "kind": "paper"}]') is None  # a readlist export


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", ("id", 12)),
        ("arXiv:2408.11743v2", ("key", "arxiv:2408.11743")),
        ("10.1145/3600006.3613165", ("key", "doi:10.1145/3600006.3613165")),
        ("https://doi.org/10.1145/3600006.3613165", ("key", "doi:10.1145/3600006.3613165")),
        ("IST-DASLab/marlin", ("key", "github:ist-daslab/marlin")),
        ("https://www.example.org/x/?utm_source=a", ("key", "url:https://example.org/x")),
        ("example.org/x", ("key", "url:https://example.org/x")),
        ("frantar2024marlin", ("citation", "frantar2024marlin")),
    ],
)
def test_items_are_named_by_id_arxiv_doi_url_repo_or_citation_key(text: str, expected: tuple[str, object]) -> None:
    assert parse_item_ref(text) == expected


def test_add_accepts_urls_without_a_scheme_and_keeps_the_version() -> None:
    assert parse_reference("www.example.org/x").key == "url:https://example.org/x"
    ref = parse_reference("arxiv.org/pdf/2408.11743v2")
    assert ref.key == "arxiv:2408.11743" and ref.arxiv_version == 2
    with pytest.raises(InvalidInputError):
        parse_reference("paper.pdf")  # a missing file, not a web site


def test_a_misc_entry_is_what_it_links_to() -> None:
    text = (
        "@misc{post, title={vLLM 源码解读}, howpublished={\\url{https://zhuanlan.zhihu.com/p/123456}}}\n"
        "@misc{report, title={A Technical Report Without a Link}, year={2024}}\n"
        "@misc{preprint, title={Marlin}, url={https://arxiv.org/abs/2408.11743}}\n"
    )
    kinds = {d.citation_key: d.ref.kind for d in bibtex.to_drafts(text, "refs.bib").drafts}
    assert kinds == {"post": "article", "report": "paper", "preprint": "paper"}


def test_csl_json_fields_of_the_wrong_shape_read_as_missing() -> None:
    rows = [
        {"type": "article", "title": "Numbers for names", "author": [{"literal": 42, "family": "Lovelace"}, "x"]},
        {"type": "article", "title": "Names as a string", "author": "Ada", "issued": {"raw": 2023}, "note": 5},
        {"type": "article", "title": "Odd date", "issued": {"date-parts": [[2023, {"m": 1}]]}, "keyword": ["a"]},
    ]
    text = json.dumps(rows)
    assert csljson.matches(text)
    first, second, third = csljson.to_drafts(text, "x.json").drafts
    assert first.authors == [{"name": "Lovelace"}] and second.authors == [] and second.published is None
    assert [n.body for n in second.notes] == ["5"] and third.published == "2023" and third.tags == []
    assert not csljson.matches(json.dumps([{"type": ["article"], "title": "A list for a type"}]))


def test_json_nested_too_deeply_is_refused_not_a_crash() -> None:
    from readlist.importer import jsonl

    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(InvalidInputError, match="too deeply"):
        jsonl.parse_records('{"key": ' + deep + "}", "deep.jsonl")
    assert not csljson.matches("[" * 5000 + "a link](https://example.org)")  # a note, not deep JSON


def test_csl_json_nested_too_deeply_is_an_error_naming_the_file_not_zero_items(run: Run, tmp_path: Path) -> None:
    nested = "[" * 1000 + "]" * 1000
    record = '[{"id": "a", "type": "article", "title": "T", "note": ' + nested + "}]"
    for name, text in (("record.json", record), ("arrays.json", "[" * 100_000 + "]" * 100_000)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = run("import", str(tmp_path / name))
        assert result.code == 1 and result.err.startswith(f"error: {name} nests arrays or objects too deeply"), result
        assert "internal error" not in result.err and len(result.err.splitlines()) == 2
    (tmp_path / "fine.json").write_text(record.replace(nested, "[" * 900 + "]" * 900), encoding="utf-8")
    assert run("import", str(tmp_path / "fine.json")).code == 0
    assert len(run("list", "--json").json()) == 1


def _expectations(text: str) -> dict[int, dict[str, str]]:
    """The `% expect arxiv=… doi=…` line above each entry of a fixture, by the entry's line."""
    expect: dict[int, dict[str, str]] = {}
    last: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("% expect"):
            last = dict(pair.split("=", 1) for pair in line.split()[2:])
        elif line.startswith("@"):
            expect[number], last = last, {}
    return expect


def test_every_arxiv_id_and_doi_in_scholar_dblp_jabref_and_pubs_entries_is_found() -> None:
    path = DATA / "scholar-dblp-jabref-pubs.bib"
    text = path.read_text(encoding="utf-8")
    expect = _expectations(text)
    parsed = bibtex.to_drafts(text, str(path))
    found = {
        d.sources[0].line: {"arxiv": d.ref.arxiv_id or "", "doi": (d.ref.doi or "").lower()} for d in parsed.drafts
    }
    assert set(found) == set(expect)  # every entry arrives, keyless and duplicate-keyed ones included
    for line, wanted in expect.items():
        assert found[line] == {"arxiv": wanted.get("arxiv", ""), "doi": wanted.get("doi", "").lower()}, line
    versions = {d.ref.arxiv_id: d.ref.arxiv_version for d in parsed.drafts if d.ref.arxiv_id}
    assert versions["hep-th/9901001"] == 2  # the version as written in DBLP's volume


def test_preprint_servers_named_in_a_journal_field_are_not_the_venue() -> None:
    text = "@article{a, title={T}, journal={arXiv preprint physics/0511201}, year={2005}}\n"
    (draft,) = bibtex.to_drafts(text, "x.bib").drafts
    assert (draft.ref.key, draft.venue) == ("arxiv:physics/0511201", None)


def test_jabref_entries_without_a_key_and_entries_sharing_a_key_all_arrive(tmp_path: Path) -> None:
    entries = [f"@InBook{{,\n  title = {{Chapter {n}}},\n  year = {{2015}},\n}}\n" for n in range(16)]
    entries += [f"@Article{{same,\n  title = {{Shared key {n}}},\n}}\n" for n in range(2)]
    entries.append("@Article{own,\n  title = {Own key},\n}\n")
    parsed = bibtex.to_drafts("\n".join(entries), str(tmp_path / "jabref.bib"))
    titles = [d.title for d in parsed.drafts]
    assert titles == [*(f"Chapter {n}" for n in range(16)), "Shared key 0", "Shared key 1", "Own key"]
    assert parsed.skipped == 0
    assert [d.citation_key for d in parsed.drafts][-3:] == ["same", "same", "own"]  # the store keeps it once
    assert all(d.citation_key is None for d in parsed.drafts[:16])
    assert parsed.problems == [] and len(parsed.notices) == 1 and "'same' is used twice" in parsed.notices[0]


def test_csl_json_and_csv_find_identifiers_in_any_field(tmp_path: Path) -> None:
    rows = [
        {"type": "article-journal", "title": "Power laws", "container-title": "arXiv preprint physics/0511201"},
        {"type": "paper-conference", "title": "Roofline", "URL": "http://doi.acm.org/10.1145/1498765.1498785"},
        {"type": "article", "title": "Adam", "number": "1412.6980", "publisher": "arXiv"},
    ]
    drafts = csljson.to_drafts(json.dumps(rows), "x.json").drafts
    assert [d.ref.key for d in drafts] == ["arxiv:physics/0511201", "doi:10.1145/1498765.1498785", "arxiv:1412.6980"]
    assert drafts[0].venue is None
    from readlist.importer import csvfile

    text = (
        "Title,Url,Publication Title,Extra,Report Number\n"  # Zotero's columns; no field is read from the last
        "Power laws,,arXiv preprint physics/0511201,,\n"
        "Branes,,,arXiv: hep-th/9901001v2,\n"
        "Chapter,https://link.springer.com/chapter/10.1007/978-3-319-24574-4_28,,,\n"
        "Adam,,,,arXiv:1412.6980\n"
    )
    found = [(d.ref.arxiv_id, d.ref.arxiv_version, d.ref.doi) for d in csvfile.to_drafts(text, "x.csv").drafts]
    assert found == [
        ("physics/0511201", None, None),
        ("hep-th/9901001", 2, None),
        (None, None, "10.1007/978-3-319-24574-4_28"),
        ("1412.6980", None, None),
    ]


def test_a_latex_url_in_howpublished_is_the_entrys_link() -> None:
    text = (
        "@misc{a, title={LoRA}, howpublished={\\url{https://arxiv.org/abs/2106.09685}}}\n"
        "@misc{b, title={A post}, howpublished={\\url{https://example.org/some\\_post}}}\n"
    )
    assert [d.ref.key for d in bibtex.to_drafts(text, "x.bib").drafts] == [
        "arxiv:2106.09685",
        "url:https://example.org/some_post",
    ]
