"""The built wheel (not an editable install) carries its migrations and works against a new database."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_built_wheel_installs_into_a_fresh_venv_and_adds(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(dist.glob("readlist-*.whl"))
    env_dir = tmp_path / "fresh"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    subprocess.run(
        [bin_dir / "python", "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    # Dependencies come from the test environment (already installed there); readlist itself from the wheel.
    fresh_site = subprocess.run(
        [bin_dir / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(fresh_site, "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    db = tmp_path / "wheel.db"
    result = subprocess.run(
        [bin_dir / "readlist", "--db", str(db), "add", "2408.11743", "--no-fetch"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    where = subprocess.run(
        [bin_dir / "python", "-c", "import readlist.db as d; print(d.migrations_dir())"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout.strip()
    assert where.startswith(fresh_site), where
    listed = subprocess.run(
        [bin_dir / "readlist", "--db", str(db), "list", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert '"arxiv:2408.11743"' in listed.stdout
