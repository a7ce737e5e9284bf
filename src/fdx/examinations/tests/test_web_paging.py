"""The web lists page by the API's cursors (fdx.core.paging): every visible row once across the pages, the
filters kept on every link, a bad link answered with the first page, and no count of the whole set."""

import contextlib
import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fdx.audit.actions import record
from fdx.core import paging
from fdx.core.actors import system
from fdx.examinations.bulk import record_cases_in_bulk
from fdx.examinations.models import Case
from fdx.examinations.tests.builders import case_spec

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 6, 1)
# 60 cases of the Kazakh laboratory, three seized on each day (ties on the date are broken by the key):
# every other day's cases are shared regionally, the others stay inside the laboratory.
SHARED_DAYS = range(0, 20, 2)


@pytest.fixture(autouse=True)
def _no_cached_totals():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def many_cases(persona):
    specs = [
        case_spec(
            persona,
            reference=f"KZ-PAGE-{day:02d}-{n}",
            seizure_date=DAY - datetime.timedelta(days=day),
            distribution_level="regional" if day in SHARED_DAYS else "organisation",
            seizure_context="border" if n == 0 else "internal",
        )
        for day in range(20)
        for n in range(3)
    ]
    record_cases_in_bulk(system("test"), specs)


def walk(client, path, query=""):
    """Every page of a web list by following its "Next" link: the pages' context objects."""
    pages = [client.get(f"{path}?{query}" if query else path).context["page"]]
    while pages[-1].next_url:
        response = client.get(path + pages[-1].next_url)
        assert response.status_code == 200
        pages.append(response.context["page"])
    return pages


def references(pages) -> list[str]:
    return [case.reference for page in pages for case in page]


def expected(user, **filters) -> list[str]:
    rows = Case.objects.restrict(user, "view").filter(**filters)
    return [c.reference for c in sorted(rows, key=lambda c: (c.seizure_date, c.id), reverse=True)]


@pytest.mark.parametrize("name", ["kz_lab_chemist", "uz_police_analyst"])
def test_case_pages_give_every_visible_case_once_in_order(client, persona, many_cases, name):
    user = persona(name)
    client.force_login(user)

    pages = walk(client, "/cases/")

    served = references(pages)
    assert served == expected(user)
    assert len(served) == len(set(served))
    assert len(pages) == -(-len(served) // 25)
    assert pages[0].first_url is None and pages[0].previous_url is None
    assert all(page.first_url == "?" for page in pages[1:])
    assert pages[-1].next_url is None
    assert {page.total.value for page in pages} == {len(served)}


def test_an_outside_reader_never_sees_the_laboratorys_own_cases_on_any_page(client, persona, many_cases):
    client.force_login(persona("uz_police_analyst"))

    served = references(walk(client, "/cases/"))

    assert [r for r in served if r.startswith("KZ-PAGE")] == [
        f"KZ-PAGE-{day:02d}-{n}" for day in SHARED_DAYS for n in (2, 1, 0)
    ]


def test_previous_goes_back_to_the_same_rows(client, persona, many_cases):
    client.force_login(persona("kz_lab_chemist"))
    pages = walk(client, "/cases/")

    back = client.get("/cases/" + pages[2].previous_url).context["page"]

    assert references([back]) == references([pages[1]])
    assert back.next_url and back.previous_url and back.first_url


def test_the_filters_are_kept_on_every_page(client, persona, many_cases):
    user = persona("kz_lab_chemist")
    client.force_login(user)

    pages = walk(client, "/cases/", "q=KZ-PAGE&seized_to=2024-05-25")

    assert references(pages) == expected(user, reference__contains="KZ-PAGE", seizure_date__lte="2024-05-25")
    assert len(pages) == 2
    for link in [pages[0].next_url, pages[1].previous_url, pages[1].first_url]:
        assert "q=KZ-PAGE" in link and "seized_to=2024-05-25" in link
    assert "page=" not in pages[0].next_url


def test_a_tampered_or_foreign_cursor_shows_the_first_page_with_a_message(client, persona, many_cases):
    client.force_login(persona("kz_lab_chemist"))
    first = client.get("/cases/").context["page"]
    token = first.next_url.split("cursor=")[1]
    other_list = paging.encode_cursor(Case.objects.first(), ["reference", "id"])

    for bad in [token[:-3] + "abc", "nonsense", "x" * 2000, other_list]:
        for name in ("cursor", "before"):
            response = client.get("/cases/", {name: bad})
            assert response.status_code == 200
            assert references([response.context["page"]]) == references([first])
            assert "could not be read" in response.content.decode()


def test_a_page_counts_at_most_the_bound_never_the_whole_set(client, persona, many_cases):
    client.force_login(persona("kz_lab_chemist"))
    first = client.get("/cases/").context["page"]

    with CaptureQueriesContext(connection) as queries:
        client.get("/cases/" + first.next_url)

    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    limits = [int(re.search(r"LIMIT (\d+)", sql).group(1)) for sql in counts]
    assert limits and all(limit <= paging.COUNT_BOUND + 1 for limit in limits)


def test_a_large_total_is_cached_and_shown_as_about(client, persona, many_cases, monkeypatch):
    monkeypatch.setattr(paging, "CACHED_FROM", 10)
    client.force_login(persona("kz_lab_chemist"))

    fresh = client.get("/cases/").context["page"].total
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/cases/")

    assert fresh == paging.Total(60) and response.context["page"].total == paging.Total(60, approximate=True)
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]
    assert "about 60" in response.content.decode()


def test_a_count_past_its_time_budget_says_more_than_and_is_kept(client, persona, many_cases, monkeypatch):
    @contextlib.contextmanager
    def over_budget(alias, milliseconds, *, only_with_estimates=False):
        if not only_with_estimates:  # the first count (to CACHED_FROM) finishes; the second runs out
            raise paging._OverBudget
        yield

    monkeypatch.setattr(paging, "CACHED_FROM", 10)
    monkeypatch.setattr(paging, "_time_budget", over_budget)
    client.force_login(persona("kz_lab_chemist"))

    response = client.get("/cases/")
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/cases/")

    assert response.context["page"].total == paging.Total(10, more=True)
    assert "more than 10" in response.content.decode()
    assert again.context["page"].total == paging.Total(10, more=True)
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]


def test_a_total_over_the_bound_is_more_than(client, persona, many_cases, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_BOUND", 40)
    client.force_login(persona("kz_lab_chemist"))

    response = client.get("/cases/")

    assert response.context["page"].total == paging.Total(40, more=True)
    assert "more than 40" in response.content.decode()


def test_the_audit_log_pages_by_cursor(client, persona):
    admin = persona("hub_admin")
    for _ in range(60):
        record("geo.reference.loaded", actor=system("test"))
    client.force_login(admin)

    pages = walk(client, "/audit/")

    served = [event.sequence for page in pages for event in page]
    assert len(served) == len(set(served)) > 50 and served == sorted(served, reverse=True)
    assert "cursor=" in pages[0].next_url


def test_substances_page_by_cursor_and_a_ranked_search_by_number(client, persona):
    client.force_login(persona("kz_lab_chemist"))

    pages = walk(client, "/substances/")
    ranked = client.get("/substances/", {"q": "amine"}).context["page"]

    names = [s.pk for page in pages for s in page]
    assert len(pages) > 1 and len(names) == len(set(names)) and "cursor=" in pages[0].next_url
    assert ranked.number == 1 and (ranked.next_url is None or "page=2" in ranked.next_url)
    assert "q=amine" in (ranked.next_url or "?q=amine")


def test_a_ranked_search_is_bounded_in_depth(client, persona):
    client.force_login(persona("kz_lab_chemist"))

    page = client.get("/substances/", {"q": "a", "page": "99999999"}).context["page"]

    assert page.number == paging.MAX_WEB_OFFSET // 50 and page.next_url is None


def test_a_control_lists_entries_page_by_cursor_keeping_the_history_filter(client, persona):
    from fdx.legal.models import ControlList, Listing

    entries = Listing.objects.filter
    control_list = max(ControlList.objects.all(), key=lambda c: entries(control_list=c).count())
    client.force_login(persona("kz_lab_chemist"))

    pages = walk(client, f"/legal/lists/{control_list.code}/", "history=1")

    served = [listing.pk for page in pages for listing in page]
    assert sorted(served) == sorted(entries(control_list=control_list).values_list("pk", flat=True))
    assert len(pages) > 1 and all("history=1" in page.next_url for page in pages[:-1])
