"""One vocabulary: statuses, kinds and metadata states are spelled only in readlist/domain.py.

Elsewhere code compares, assigns and queries them through the enums (`Status.READ`, `Kind.PAPER`), so a renamed
or added state cannot be missed by one module. Words that merely look the same (a CSV column called "paper", a
BibTeX @article, the label "read" in a table header) are not the vocabulary and are not flagged.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from readlist.domain import Kind, MetadataStatus, Status

SRC = Path(__file__).resolve().parents[1] / "src" / "readlist"
WORDS = {s.value for s in Status} | {k.value for k in Kind} | {m.value for m in MetadataStatus} - {"none"}
NAMES = re.compile(r"(^|_)(status|kind|state)$")
SQL = re.compile(r"\b(status|kind|metadata_status)\s*(=|<>|!=|IN\s*\(|WHEN)\s*'|WHEN\s+'(" + "|".join(WORDS) + ")'")


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return str(node.slice.value)
    return ""


def _is_word(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and node.value in WORDS:
        return True
    return isinstance(node, ast.Tuple | ast.List | ast.Set) and any(_is_word(e) for e in node.elts)


def raw_vocabulary(tree: ast.AST) -> list[int]:
    """Lines where a status/kind/state is compared with, set to or queried as a bare string."""
    lines = []
    # An f-string's literal pieces around `{Status.READ}` are SQL that takes its word from the enum.
    pieces = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(NAMES.search(_name(s)) for s in sides) and any(_is_word(s) for s in sides):
                lines.append(node.lineno)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if node.value is not None and _is_word(node.value) and any(NAMES.search(_name(t)) for t in targets):
                lines.append(node.lineno)
        elif isinstance(node, ast.keyword) and node.arg and NAMES.search(node.arg) and _is_word(node.value):
            lines.append(node.value.lineno)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in pieces:
            lines += [node.lineno] if SQL.search(node.value) else []
    return sorted(lines)


def test_statuses_kinds_and_states_are_spelled_only_in_the_domain() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "domain.py":
            continue
        found += [f"{path.relative_to(SRC)}:{n}" for n in raw_vocabulary(ast.parse(path.read_text("utf-8")))]
    assert found == []


def test_the_scan_catches_each_way_of_leaking_the_vocabulary() -> None:
    code = (
        'if item.status == "read": pass\n'
        'row["kind"] = "paper"\n'
        'Reference(kind="repo")\n'
        "sql = \"SELECT 1 FROM item WHERE metadata_status = 'pending'\"\n"
        'if found.status in ("not_found", "failed"): pass\n'
        'columns = ["member", "unread", "read"]\n'  # table headers are words, not the vocabulary
        "order = f\"CASE i.status WHEN '{Status.READ}' THEN 0 END\"\n"  # the word comes from the enum
    )
    assert raw_vocabulary(ast.parse(code)) == [1, 2, 3, 4, 5]
