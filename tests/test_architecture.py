"""The layers hold: import-linter's contracts (pyproject.toml) are kept, and they see an import hidden
inside a function as well as one at the top of a module."""

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(source: Path) -> subprocess.CompletedProcess:
    """Run import-linter with the project's contracts over the package under ``source``."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(REPO / "pyproject.toml")],
        cwd=source,
        env={"PYTHONPATH": str(source), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_contracts_are_kept():
    result = lint_imports(REPO / "src")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "FDX apps are layered KEPT" in result.stdout
    assert "No import cycle between two apps KEPT" in result.stdout


def test_an_upward_import_inside_a_function_breaks_the_layers(tmp_path):
    # Given a copy of the tree where core reads case data from inside a function
    shutil.copytree(REPO / "src" / "fdx", tmp_path / "fdx", ignore=shutil.ignore_patterns("__pycache__"))
    views = tmp_path / "fdx" / "core" / "views.py"
    views.write_text(
        views.read_text()
        + "\n\ndef _cases():\n    from fdx.examinations.models import Case\n\n    return Case.objects.all()\n"
    )

    # When the contracts are checked
    result = lint_imports(tmp_path)

    # Then the layers contract is broken, naming the import
    assert result.returncode == 1
    assert "FDX apps are layered BROKEN" in result.stdout
    assert "fdx.core.views -> fdx.examinations.models" in result.stdout
