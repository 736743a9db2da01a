"""Shell completion inserts words the shell reads back as one argument (a tag with a space is one tag)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.conftest import Run


def _bash_words(line: str) -> list[str]:
    """The words bash makes of a command line (what the command would receive)."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash here")
    said = subprocess.run([bash, "--norc", "-c", f"printf '%s\\n' {line}"], capture_output=True, text=True, check=True)
    return said.stdout.splitlines()


def test_bash_completes_a_tag_with_a_space_as_one_argument(run: Run, run_process: Run) -> None:
    assert run("add", "2408.11743", "--no-fetch", "--tag", "CUDA 相关博客", "--tag", "it's $HOME").code == 0
    asked = {"_READLIST_COMPLETE": "complete_bash", "COMP_CWORD": "3"}
    for typed, tag in (("CUDA", "CUDA 相关博客"), ("it", "it's $HOME")):
        result = run_process(env={**asked, "COMP_WORDS": f"readlist list --tag {typed}"})
        assert result.code == 0, result
        (completion,) = result.out.splitlines()
        assert _bash_words(f"readlist list --tag {completion}") == ["readlist", "list", "--tag", tag]


def test_zsh_completion_keeps_the_tag_as_it_is(run: Run, run_process: Run) -> None:
    assert run("add", "2408.11743", "--no-fetch", "--tag", "CUDA 相关博客").code == 0
    result = run_process(env={"_READLIST_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "readlist list --tag CUDA"})
    assert result.code == 0 and "CUDA 相关博客" in result.out and "\\ " not in result.out
