"""The one way through the code (../shared/DESIGN.md), checked: the import-linter contracts in pyproject.toml
(layers, crawlers without a database, a bottom layer that stands on nothing of ours, no import cycles) and no
private name imported from another module."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("fagui", "crawlers", "indexer", "clearance", "portal")


def test_import_contracts_are_kept():
    result = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
                             "lint_imports_command()", "--no-cache"],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "BROKEN" not in result.stdout and "KEPT" in result.stdout


def _private_imports(path: Path, root: Path = REPO) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PACKAGES:
            for alias in node.names:
                name = alias.name
                # a private module may be imported by its own package (fagui.normalise imports _mojibake)
                private_module = (REPO / node.module.replace(".", "/") / f"{name}.py").exists()
                if name.startswith("_") and not name.startswith("__") and not private_module:
                    found.append(f"{path.relative_to(root)}:{node.lineno} from {node.module} import {name}")
    return found


def test_no_private_name_is_imported_across_modules():
    files = [p for package in PACKAGES for p in (REPO / package).rglob("*.py")] + [REPO / "wsgi.py"]
    offenders = [line for path in files for line in _private_imports(path)]
    assert offenders == []


def test_the_private_name_check_sees_an_offender(tmp_path):
    module = tmp_path / "probe.py"
    module.write_text("from fagui.settings import _int\nfrom fagui.normalise import _mojibake\n", encoding="utf-8")
    assert _private_imports(module, tmp_path) == ["probe.py:1 from fagui.settings import _int"]
