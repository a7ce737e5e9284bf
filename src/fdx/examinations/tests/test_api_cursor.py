"""Keyset (cursor) paging of the API lists: every visible row once, in order; bad cursors are a 422."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fdx.audit.models import AuditEvent
from fdx.examinations.models import Case, Finding
from fdx.examinations.tests.builders import (
    add_exhibit,
    add_meth_finding,
    approved_case,
    draft_examination,
    open_case,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 14)


def walk(api, path, user, limit, **params):
    """Every page of a list by following ``next``: the ids in the order served, and the pages."""
    pages = [api.get(path, user=user, limit=limit, **params).json()]
    while pages[-1]["next"]:
        response = api.get(path, user=user, limit=limit, cursor=pages[-1]["next"], **params)
        assert response.status_code == 200, response.json()
        pages.append(response.json())
    return [item.get("id", item.get("sequence")) for page in pages for item in page["items"]], pages


@pytest.fixture
def cases(persona):
    """Eight cases of KZ: five approved and shared regionally (three seized on the same day, a tie), one
    approved for KZ readers only, two drafts of the laboratory."""
    dates = [DAY, DAY, DAY, DAY - datetime.timedelta(days=1), DAY + datetime.timedelta(days=2)]
    shared = [
        approved_case(persona, reference=f"KZ-C-{n}", seizure_date=d, distribution_level="regional")[0]
        for n, d in enumerate(dates)
    ]
    national = approved_case(persona, reference="KZ-N-1", seizure_date=DAY, distribution_level="national")[0]
    chemist = persona("kz_lab_chemist")
    drafts = [open_case(chemist, reference=f"KZ-D-{n}", seizure_date=DAY) for n in range(2)]
    return shared, [national, *drafts]


def expected_cases(user):
    rows = Case.objects.restrict(user, "view").filter(retracted_at__isnull=True)
    return [str(c.global_id) for c in sorted(rows, key=lambda c: (c.seizure_date, c.id), reverse=True)]


@pytest.mark.parametrize("name", ["kz_lab_chemist", "uz_police_analyst", "kz_police_analyst", "hub_admin"])
@pytest.mark.parametrize("limit", [1, 2, 3])
def test_cursor_pages_give_every_visible_case_once_in_order(api, persona, cases, name, limit):
    user = persona(name)
    served, pages = walk(api, "/cases", user, limit)
    assert served == expected_cases(user)
    assert len(served) == len(set(served))
    assert pages[0]["count"] == len(served) and all(page["count"] is None for page in pages[1:])


def test_another_organisations_drafts_never_appear_on_any_page(api, persona, cases):
    shared, withheld = cases
    served, _pages = walk(api, "/cases", persona("uz_police_analyst"), 1)
    assert set(served) == {str(c.global_id) for c in shared}
    assert not {str(c.global_id) for c in withheld} & set(served)
    mine, _pages = walk(api, "/cases", persona("kz_lab_chemist"), 2)
    assert {str(c.global_id) for c in withheld} <= set(mine)


def test_cursor_pages_keep_the_filters(api, persona, cases):
    served, _pages = walk(api, "/cases", persona("kz_lab_chemist"), 1, seized_from=DAY.isoformat())
    assert len(served) == 7 and len(set(served)) == 7


def test_a_cursor_page_counts_nothing(api, persona, cases):
    chemist = persona("kz_lab_chemist")
    first = api.get("/cases", user=chemist, limit=2).json()
    api.get("/cases", user=chemist, limit=2, cursor=first["next"])  # the token's first use
    with CaptureQueriesContext(connection) as queries:
        page = api.get("/cases", user=chemist, limit=2, cursor=first["next"])
    assert page.status_code == 200 and page.json()["count"] is None
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    with CaptureQueriesContext(connection) as queries:
        uncounted = api.get("/cases", user=chemist, limit=2, with_count="false").json()
    # The same position (a token carries the moment it was signed, so compare what it holds)
    assert uncounted["count"] is None and _position(uncounted["next"]) == _position(first["next"])
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


def _position(cursor: str):
    from django.core import signing

    from fdx.core.api import pagination

    return signing.loads(cursor, salt=pagination._CURSOR_SALT)


def test_the_last_page_has_no_next(api, persona, cases):
    body = api.get("/cases", user=persona("kz_lab_chemist"), limit=500).json()
    assert body["next"] is None and len(body["items"]) == 8


def assert_invalid_cursor(response):
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and "cursor" in error["fields"]


@pytest.mark.parametrize("cursor", ["", "!!!", "bm90IGEgY3Vyc29y", "a:b:c", "x" * 900, "é:é"])
def test_a_malformed_cursor_is_a_422(api, persona, cases, cursor):
    assert_invalid_cursor(api.get("/cases", user=persona("kz_lab_chemist"), cursor=cursor))


def test_a_tampered_cursor_is_a_422(api, persona, cases):
    chemist = persona("kz_lab_chemist")
    cursor = api.get("/cases", user=chemist, limit=1).json()["next"]
    flipped = cursor[:-3] + ("A" if cursor[-3] != "A" else "B") + cursor[-2:]
    assert_invalid_cursor(api.get("/cases", user=chemist, cursor=flipped))
    payload_changed = ("B" if cursor[1] != "B" else "C") + cursor[1:]
    assert_invalid_cursor(api.get("/cases", user=chemist, cursor=payload_changed))


def test_a_cursor_of_another_list_or_with_an_offset_is_a_422(api, persona, cases):
    chemist = persona("kz_lab_chemist")
    findings_cursor = api.get("/findings", user=chemist, limit=1).json()["next"]
    assert_invalid_cursor(api.get("/cases", user=chemist, cursor=findings_cursor))
    cases_cursor = api.get("/cases", user=chemist, limit=1).json()["next"]
    assert_invalid_cursor(api.get("/cases", user=chemist, cursor=cases_cursor, offset=1))


def test_findings_page_by_cursor_without_the_drafts_of_others(api, persona, cases):
    chemist = persona("kz_lab_chemist")
    case = Case.objects.get(reference="KZ-D-0")
    add_meth_finding(chemist, draft_examination(chemist, add_exhibit(chemist, case)))
    for name in ("kz_lab_chemist", "uz_police_analyst", "kz_police_analyst"):
        user = persona(name)
        served, _pages = walk(api, "/findings", user, 2)
        visible = Finding.objects.restrict(user, "view").order_by("-id")
        assert served == [str(f.global_id) for f in visible]
    drafted = str(Finding.objects.get(examination__exhibit__case=case).global_id)
    assert drafted not in walk(api, "/findings", persona("uz_police_analyst"), 1)[0]


def test_examinations_page_by_cursor(api, persona, cases):
    user = persona("kz_lab_chemist")
    served, _pages = walk(api, "/examinations", user, 2)
    everything = api.get("/examinations", user=user, limit=500).json()
    assert served == [item["id"] for item in everything["items"]] and len(served) == 6


def test_audit_events_page_by_cursor(api, persona, cases):
    admin = persona("hub_admin")
    served, pages = walk(api, "/audit/events", admin, 7)
    assert len(pages) > 2
    assert served == sorted(served_sequences(served), reverse=True)


def served_sequences(served):
    sequences = list(served)
    assert len(sequences) == len(set(sequences))
    return list(AuditEvent.objects.filter(sequence__in=sequences).values_list("sequence", flat=True))


def test_substances_page_by_cursor_and_a_ranked_search_by_offset(api, persona):
    user = persona("kz_lab_chemist")
    served, pages = walk(api, "/substances", user, 50)
    first_500 = api.get("/substances", user=user, limit=500).json()
    assert served[:500] == [item["id"] for item in first_500["items"]]
    assert len(served) == len(set(served)) == pages[0]["count"]
    ranked = api.get("/substances", user=user, q="hydrochloride", limit=1).json()
    assert ranked["next"] is None and ranked["count"] >= 1
    cursor = api.get("/substances", user=user, limit=1).json()["next"]
    assert_invalid_cursor(api.get("/substances", user=user, q="hydrochloride", cursor=cursor))


def test_the_first_page_count_stops_at_the_bound_and_says_so(api, persona, cases, monkeypatch):
    from fdx.core import paging

    chemist = persona("kz_lab_chemist")
    visible = len(expected_cases(chemist))
    exact = api.get("/cases", user=chemist, limit=2).json()
    assert (exact["count"], exact["count_more"]) == (visible, False)
    monkeypatch.setattr(paging, "COUNT_BOUND", visible - 2)
    with CaptureQueriesContext(connection) as queries:
        bounded = api.get("/cases", user=chemist, limit=2).json()
    assert (bounded["count"], bounded["count_more"]) == (visible - 2, True)
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "LIMIT" in counts[0].upper()
