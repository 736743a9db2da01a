"""The built wheel (not an editable install) carries its migrations and works against a new database."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, cwd=cwd)


def test_built_wheel_installs_into_a_fresh_venv_and_adds(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", dist, ROOT)
    assert built.returncode == 0, built.stderr
    wheel = next(dist.glob("readlist-*.whl"))
    with zipfile.ZipFile(wheel) as archive:  # the web front end's templates and stylesheet ship in the package
        names = set(archive.namelist())
    assert {"readlist/web/templates/base.html", "readlist/web/static/style.css"} <= names
    env_dir = tmp_path / "fresh"
    venv.create(env_dir, with_pip=False)  # this pip installs into it (--python): no copy of pip to set up first
    bin_dir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    installed = _run(sys.executable, "-m", "pip", "--python", bin_dir / "python", "install", "-q", "--no-deps", wheel)
    assert installed.returncode == 0, installed.stderr
    # Dependencies come from the test environment (already installed there); readlist itself from the wheel.
    fresh_site = _run(bin_dir / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    site = fresh_site.stdout.strip()
    Path(site, "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    db = tmp_path / "wheel.db"
    added = _run(bin_dir / "readlist", "--db", db, "add", "2408.11743", "--no-fetch", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    where = _run(bin_dir / "python", "-c", "import readlist.store.db as d; print(d.migrations_dir())", cwd=tmp_path)
    assert where.stdout.strip().startswith(site), where.stdout
    listed = _run(bin_dir / "readlist", "--db", db, "list", "--json", cwd=tmp_path)
    assert '"arxiv:2408.11743"' in listed.stdout
