"""Russian and English ship together: the catalogue is complete, compiles, and the pages use it."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from fdx.core.i18n import LOCALE_DIR, CatalogueError, compile_catalogues

RUSSIAN = LOCALE_DIR / "ru" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.fixture(scope="module")
def catalogue():
    with open(RUSSIAN, "rb") as handle:
        return read_po(handle, abort_invalid=True)


def test_every_string_is_translated_and_none_is_fuzzy(catalogue):
    untranslated = [
        m.id for m in catalogue if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)
    ]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]

    assert untranslated == []
    assert fuzzy == []
    assert len(catalogue) > 250


def test_translations_keep_every_placeholder(catalogue):
    for message in catalogue:
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        target = message.string if isinstance(message.string, str) else message.string[0]
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(target)), source


def test_catalogues_compile(tmp_path):
    shutil.copytree(LOCALE_DIR, tmp_path / "locale")

    written = compile_catalogues(tmp_path / "locale", force=True)

    assert [path.name for path in written] == ["django.mo"]
    assert written[0].stat().st_size > 10_000


def test_a_broken_catalogue_is_named(tmp_path):
    broken = tmp_path / "locale" / "ru" / "LC_MESSAGES" / "django.po"
    broken.parent.mkdir(parents=True)
    broken.write_text('msgid "a"\nmsgstr "b"\nmsgid "a"\nmsgstr "c"\nthis is not po\n', encoding="utf-8")

    with pytest.raises(CatalogueError, match="django.po"):
        compile_catalogues(tmp_path / "locale", force=True)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext's xgettext extracts the strings")
def test_the_catalogue_holds_every_string_of_the_code(tmp_path, settings):
    # Extract again into a copy, and compare the message ids with the committed catalogue.
    source = Path(__file__).resolve().parents[2]
    work = tmp_path / "fdx"
    shutil.copytree(source, work, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "tests"))
    subprocess.run(
        [
            "django-admin",
            "makemessages",
            "-l",
            "ru",
            "--no-obsolete",
            "--ignore=tests",
            "--no-location",
            "--settings=fdx.config.settings_test",
        ],
        cwd=work,
        check=True,
        capture_output=True,
        env=_env(),
    )
    with open(work / "locale" / "ru" / "LC_MESSAGES" / "django.po", "rb") as handle:
        extracted = {m.id for m in read_po(handle) if m.id}
    with open(RUSSIAN, "rb") as handle:
        committed = {m.id for m in read_po(handle) if m.id}

    assert extracted - committed == set(), "run `make makemessages` and translate the new strings"


def _env():
    import os
    import sys

    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


@pytest.mark.django_db
def test_pages_speak_russian_when_asked(client, persona):
    client.force_login(persona("kz_lab_admin"))

    page = client.get("/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Журнал аудита" in page
    assert "Центр судебных экспертиз, Алматы (демо)" in page
    assert 'lang="ru"' in page


@pytest.mark.django_db
def test_the_language_switcher_sets_the_language(client, persona):
    client.force_login(persona("kz_lab_chemist"))

    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/"}, follow=True)

    assert "Главная" in response.content.decode()


@pytest.mark.django_db
def test_the_node_name_is_given_in_the_readers_language(client, persona, settings):
    settings.FDX_NODE_NAME, settings.FDX_NODE_NAME_RU = "Almaty forensic node", "Алматинский узел"
    client.force_login(persona("kz_lab_chemist"))

    assert "Almaty forensic node" in client.get("/").content.decode()
    russian = client.get("/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Алматинский узел" in russian and "Almaty forensic node" not in russian


def test_command_line_error_prefixes_speak_russian():
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from fdx.core import cli_support

    @cli_support.handle_errors
    def refuse():
        raise ValidationError("плохо")

    with translation.override("ru"), pytest.raises(cli_support.typer.Exit), _captured_stderr() as text:
        refuse()
    assert "ошибка:" in text.getvalue()


def _captured_stderr():
    import contextlib
    import io

    buffer = io.StringIO()

    @contextlib.contextmanager
    def capture():
        with contextlib.redirect_stderr(buffer):
            yield buffer

    return capture()
