"""The architecture holds: imports go down the layers, front ends use the door, nothing imports in a circle."""

from __future__ import annotations

from pathlib import Path

from tests import import_graph


def test_every_import_goes_down_the_layers_and_front_ends_use_the_door() -> None:
    assert import_graph.layer_violations(import_graph.edges()) == []


def test_no_modules_or_packages_import_each_other_in_a_cycle() -> None:
    assert import_graph.cycles(import_graph.edges()) == []


def test_the_checker_catches_a_command_that_goes_around_the_door(tmp_path: Path) -> None:
    """Break the rules on purpose in a copy of the tree: the check must fail, naming the edge."""
    import shutil

    shutil.copytree(import_graph.SRC / "readlist", tmp_path / "readlist")
    sneaky = tmp_path / "readlist" / "commands" / "sneaky.py"
    sneaky.write_text("def run() -> None:\n    from readlist.store import db  # around the door\n")
    upward = tmp_path / "readlist" / "store" / "upward.py"
    upward.write_text("from readlist.api import Library\n")
    graph = import_graph.edges(tmp_path)
    problems = import_graph.layer_violations(graph)
    assert any(p.startswith("readlist.commands.sneaky → readlist.store.db") for p in problems)
    assert any(p.startswith("readlist.store.upward → readlist.api") for p in problems)
    assert any({"readlist.api", "readlist.store"} <= set(group) for group in import_graph.cycles(graph))


def test_every_package_belongs_to_a_layer() -> None:
    for module in import_graph.modules():
        import_graph.layer(module)  # raises for a package nobody placed
