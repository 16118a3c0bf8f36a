"""Every module imports on its own, first, in a fresh interpreter: no import cycle that only works in
one order (``domain/table.py`` imported before ``domain/model.py`` once failed)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"

CHECK = textwrap.dedent(
    """
    import importlib, pkgutil, sys
    import scoreterm
    found = pkgutil.walk_packages(scoreterm.__path__, "scoreterm.")
    names = sorted(m.name for m in found if m.name != "scoreterm.__main__")  # runs the CLI
    failed = []
    for name in names:
        for loaded in [m for m in sys.modules if m == "scoreterm" or m.startswith("scoreterm.")]:
            del sys.modules[loaded]
        try:
            importlib.import_module(name)
        except Exception as exc:
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    print(len(names))
    print("\\n".join(failed))
    """
)


@pytest.mark.slow
def test_every_module_imports_first_on_its_own() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=110, cwd=SRC, check=False
    )
    assert done.returncode == 0, done.stderr
    count, *failures = done.stdout.strip().splitlines()
    assert int(count) > 100
    assert failures == []
