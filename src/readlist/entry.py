"""The console-script entry point. It imports nothing itself, so a Ctrl-C that lands while the CLI is still
loading (its first ~0.3 s) exits quietly with 130 instead of a traceback from deep inside an import."""

import sys


def main() -> None:
    try:
        from readlist.cli import main as run_cli
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
    run_cli()
