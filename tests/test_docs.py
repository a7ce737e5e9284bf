"""The documentation says what the product does: the two commands, and both languages of the guide."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_readme_shows_the_two_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")

    assert "make run" in readme and "make test" in readme
    assert "docs/" in readme


def test_the_guide_exists_in_english_and_russian():
    english = sorted(path.name for path in (REPO / "docs" / "en").glob("*.md"))
    russian = sorted(path.name for path in (REPO / "docs" / "ru").glob("*.md"))

    assert english == russian
    assert "audit-events.md" in english


def test_makefile_has_the_two_targets_and_ci_calls_them():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")

    assert "\nrun:" in makefile and "\ntest:" in makefile
    assert "make test" in ci and "FDX_TEST_DATABASE_URL" in ci and "make test-browser" in ci
