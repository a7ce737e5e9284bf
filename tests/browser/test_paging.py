"""The Cases list pages by cursor in a real Chromium, in English and in Russian: 120 more cases are written
into the served node (through the bulk loader), and the chemist clicks "Next" through the whole list and
through a filtered one; every case appears once, and the filters survive every click."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.browser.conftest import outside_requests

pytestmark = pytest.mark.browser

CASES = 120  # three seized on each of 40 days in 2018, so they come after the demo cases and tie on dates
FILTERED = 90  # those seized up to 2018-03-30
PER_PAGE = 25
# The Russian of "First page" and "In all:" is new (merged into the catalogue with /work/tr), so only the
# English wording of those two is checked here.
WORDS = {
    "en": {"next": "Next", "in all": "In all:", "first": "First page"},
    "ru": {"next": "Следующая", "in all": None, "first": None},
}

SEED = """
import datetime, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fdx.config.settings")
django.setup()
from django.contrib.auth import get_user_model
from fdx.core.actors import system
from fdx.examinations.bulk import record_cases_in_bulk
from fdx.examinations.tests.builders import case_spec

users = {user.username: user for user in get_user_model().objects.all()}
specs = [
    case_spec(
        users.__getitem__, "kz_persona_chemist", "kz_persona_head",
        reference=f"PAGING-{day:02d}-{n}",
        seizure_date=datetime.date(2018, 3, 1) + datetime.timedelta(days=day),
        distribution_level="regional",
    )
    for day in range(40) for n in range(3)
]
print(record_cases_in_bulk(system("browser-test"), specs).written)
"""


@pytest.fixture(scope="module")
def long_list(served_fdx, tmp_path_factory):
    """The 120 cases, written into the served node's database (found by its folder, which holds its log)."""
    folders = {
        folder.resolve()  # pytest also links the newest as fdx-browser-varcurrent
        for folder in tmp_path_factory.getbasetemp().glob("fdx-browser-var*")
        if (folder / "serve.log").exists()
    }
    assert len(folders) == 1, folders
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FDX_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.pop("SECRET_KEY", None)
    env |= {"FDX_VAR_DIR": str(folders.pop()), "FDX_ENV_FILE": os.devnull}
    done = subprocess.run(
        [sys.executable, "-c", SEED], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == str(CASES)
    return [f"PAGING-{day:02d}-{n}" for day in range(40) for n in range(3)]


def _walk(page, language, name, tmp_path_factory) -> list[list[str]]:
    """Click "Next" until there is none: the case references of each page (a screenshot of each kept)."""
    pages = []
    while True:
        pages.append(page.locator("table.data tbody td:first-child a").all_inner_texts())
        page.screenshot(
            path=str(tmp_path_factory.getbasetemp() / f"paging-{name}-{language}-{len(pages)}.png"),
            full_page=True,
        )
        following = page.locator("nav.pagination a[rel=next]")
        if not following.count():
            return pages
        assert following.inner_text().startswith(WORDS[language]["next"])
        following.click()
        page.wait_for_load_state()
        first = page.locator("nav.pagination a[rel=first]").inner_text()
        assert first.endswith(WORDS[language]["first"] or "")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_chemist_pages_through_the_whole_case_list(
    signed_in, served_fdx, long_list, language, tmp_path_factory
):
    page = signed_in("chemist", language)
    page.goto("/cases/")

    pages = _walk(page, language, "all", tmp_path_factory)

    served = [reference for rows in pages for reference in rows]
    assert len(served) == len(set(served)), "a case appeared twice"
    assert [r for r in served if r.startswith("PAGING-")] == [
        f"PAGING-{day:02d}-{n}" for day in reversed(range(40)) for n in (2, 1, 0)
    ]
    assert all(len(rows) == PER_PAGE for rows in pages[:-1]) and 0 < len(pages[-1]) <= PER_PAGE
    assert not outside_requests(page, served_fdx)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_filters_survive_every_click_on_next(
    signed_in, served_fdx, long_list, language, tmp_path_factory
):
    page = signed_in("chemist", language)
    page.goto("/cases/")
    page.fill("#id_q", "PAGING")
    page.fill("#id_seized_to", "2018-03-30")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    status = " ".join(page.locator("nav.pagination .page-status").inner_text().split())

    pages = _walk(page, language, "filtered", tmp_path_factory)

    assert status.endswith(f" {FILTERED}")
    if WORDS[language]["in all"]:
        assert status == f"{WORDS[language]['in all']} {FILTERED}"
    assert [len(rows) for rows in pages] == [25, 25, 25, 15]
    served = [reference for rows in pages for reference in rows]
    assert served == [f"PAGING-{day:02d}-{n}" for day in reversed(range(30)) for n in (2, 1, 0)]
    assert "q=PAGING" in page.url and "seized_to=2018-03-30" in page.url and "cursor=" in page.url
    assert page.input_value("#id_q") == "PAGING" and page.input_value("#id_seized_to") == "2018-03-30"

    # "First page" keeps the filters too
    page.click("nav.pagination a[rel=first]")
    page.wait_for_load_state()
    assert page.locator("table.data tbody td:first-child a").all_inner_texts() == pages[0]
    assert "cursor=" not in page.url and "q=PAGING" in page.url
