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
    assert "\ntest-api:" in makefile and "make test-api" in ci
    assert "\ntest-multinode:" in makefile and "make test-multinode" in ci


def _development_guides() -> dict[str, str]:
    return {
        lang: (REPO / "docs" / lang / "development.md").read_text(encoding="utf-8") for lang in ("en", "ru")
    }


def test_every_domain_event_is_in_the_development_guide_in_both_languages():
    from fdx.core.events import all_event_types

    for lang, text in _development_guides().items():
        missing = [event.code for event in all_event_types() if f"`{event.code}`" not in text]
        assert missing == [], f"document these domain events in docs/{lang}/development.md"


def test_every_extension_point_is_in_the_development_guide_in_both_languages():
    from fdx.core.extensions import all_extension_points

    points = all_extension_points()
    assert {point.name for point in points} >= {"substances.panels", "legal.status_sources"}
    for lang, text in _development_guides().items():
        missing = [point.name for point in points if f"`{point.name}`" not in text]
        assert missing == [], f"document these extension points in docs/{lang}/development.md"


def test_every_subscriber_is_in_the_development_guide():
    from fdx.core import events

    names = {s.name for event in events.all_event_types() for s in events.subscribers_of(event)}
    for lang, text in _development_guides().items():
        assert [name for name in sorted(names) if f"`{name}`" not in text] == [], lang
