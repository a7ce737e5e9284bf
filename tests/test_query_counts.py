"""Query counts are part of the API's contract (NetBox's habit): every list route answers in a fixed number
of queries, whatever the page holds. The counts are recorded in ``query_counts.json``; a change shows up
here. ``FDX_RECORD_QUERY_COUNTS=1`` rewrites the file after a deliberate change."""

import json
import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fdx.accounts import actions as account_actions
from fdx.audit.actions import record
from fdx.core.actors import system
from fdx.examinations.tests.builders import approved_case

RECORD = Path(__file__).with_name("query_counts.json")

ROUTES = [
    ("/cases", "uz_police_analyst", {}),
    ("/cases", "uz_police_analyst", {"substance_class": "amphetamines"}),
    ("/examinations", "kz_lab_chemist", {}),
    ("/findings", "kz_lab_chemist", {}),
    ("/substances", "kz_lab_chemist", {"q": "hydrochloride"}),
    ("/substances", "kz_lab_chemist", {"substance_class": "cathinones"}),
    ("/organisations", "kz_lab_chemist", {}),
    ("/users", "hub_admin", {}),
    ("/tokens", "hub_admin", {}),
    ("/countries", "kz_lab_chemist", {}),
    ("/regions", "kz_lab_chemist", {"country": "KZ"}),
    ("/border-crossing-points", "kz_lab_chemist", {}),
    ("/audit/events", "hub_admin", {}),
    ("/sharing-groups", "hub_admin", {}),
    ("/node/events", "hub_admin", {}),
    ("/legal/jurisdictions", "kz_lab_chemist", {}),
    ("/legal/lists/UN-1971-II/listings", "kz_lab_chemist", {}),
    ("/legal/lists/UN-1971-II/listings", "kz_lab_chemist", {"history": "true"}),
    ("/spectral-libraries", "kz_lab_chemist", {}),
    ("/spectra", "kz_lab_chemist", {}),
    ("/exchange/peers", "hub_admin", {}),
    # ``{case}``: the first case the test records, which gains a note of its laboratory each round.
    ("/cases/{case}/notes", "kz_lab_head", {}),
]


def _add_library(persona, index: int, folder: Path) -> None:
    """A library of the Kazakh laboratory holding two spectra (one linked to a registry substance)."""
    from fdx.spectra import actions as spectra_actions

    library = spectra_actions.create_library(
        system("test"),
        spectra_actions.LibraryInput(name=f"QC library {index}"),
        organisation=persona("kz_lab_chemist").organisation,
    )
    path = folder / f"qc-{index}.msp"
    path.write_text(
        f"Name: Caffeine\nID: {index}-1\nNum Peaks: 3\n109 300\n194 999\n55 120\n\n"
        f"Name: QC unknown {index}\nID: {index}-2\nNum Peaks: 2\n91 999\n65 200\n",
        encoding="utf-8",
    )
    spectra_actions.import_spectra(system("test"), library, path)


def _add_peer(index: int) -> None:
    """A regional hub that hosts the regional centre (its organisations are read with the list)."""
    from fdx.exchange import actions as exchange_actions
    from fdx.testing.personas import organisation

    exchange_actions.register_peer(
        system("test"),
        name=f"qc-hub-{index}",
        url="https://hub.example.org",
        role="hub",
        node_id=f"00000000-0000-4000-8000-{index:012d}",
        key_fingerprint="ab12" * 16,
        organisations=[organisation("demo-regional-centre")],
    )


def _add_note(persona, index: int) -> None:
    """A note of the Kazakh laboratory on its first case (the list shows each note's author)."""
    from fdx.examinations.case_notes import add_case_note
    from fdx.examinations.models import Case

    author = persona("kz_lab_chemist" if index % 2 else "kz_lab_head")
    add_case_note(author, Case.objects.get(reference="KZ-QC-0"), f"note {index}")


def _populate(persona, copies: int, folder: Path):
    for index in range(copies):
        _add_library(persona, index, folder)
        _add_peer(index)
        approved_case(persona, distribution_level="regional", reference=f"KZ-QC-{index}")
        _add_note(persona, index)
        account_actions.create_user(
            system("test"),
            username=f"qc_user_{index}",
            organisation=persona("kz_lab_chemist").organisation,
            roles=["analyst"],
        )
        account_actions.create_sharing_group(
            system("test"),
            code=f"qc-group-{index}",
            name_en="G",
            name_ru="Г",
            organisations=[persona("kz_lab_chemist").organisation],
        )
        record("geo.reference.loaded", actor=system("test"))


def _count(api, persona, path, user, params) -> int:
    from fdx.examinations.models import Case

    path = path.format(case=Case.objects.get(reference="KZ-QC-0").global_id)
    user = persona(user)
    api.get("/me", user=user)  # the token is created and first used (which notes the time) before counting
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path, user=user, limit=50, **params)
    assert response.status_code == 200, response.content
    return len([query for query in queries if not _budget_bracket(query["sql"])])


def _budget_bracket(sql: str) -> bool:
    """The statements around a count with a time budget on PostgreSQL (``paging._time_budget``: a savepoint,
    ``statement_timeout`` set and put back): a fixed few on every database that has them, not reads, so the
    counts recorded on SQLite hold on PostgreSQL too."""
    return "statement_timeout" in sql or sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))


@pytest.mark.django_db
def test_list_routes_answer_in_a_fixed_number_of_queries(api, persona, tmp_path, settings, monkeypatch):
    # Counting within a time budget is timing, not the contract: on a busy machine a count that runs out
    # would read as another plan (the planner's estimate) and another number of queries.
    monkeypatch.setattr("fdx.core.paging.COUNT_BUDGET_MS", 60_000)
    settings.VAR_DIR = tmp_path  # the spectral search index of this test's database
    cache.clear()  # a total an earlier test in this process counted and cached would save its count
    _populate(persona, 2, tmp_path)
    small = {
        f"{path} {sorted(params.items())}": _count(api, persona, path, user, params)
        for path, user, params in ROUTES
    }
    for index in range(2, 5):  # more rows on every list
        _add_library(persona, index, tmp_path)
        _add_peer(index)
        approved_case(persona, distribution_level="regional", reference=f"KZ-QC-{index}")
        _add_note(persona, index)
        account_actions.create_user(
            system("test"),
            username=f"qc_user_{index}",
            organisation=persona("kz_lab_chemist").organisation,
            roles=["analyst"],
        )
        account_actions.create_sharing_group(
            system("test"),
            code=f"qc-group-{index}",
            name_en="G",
            name_ru="Г",
            organisations=[persona("kz_lab_chemist").organisation],
        )
    large = {
        f"{path} {sorted(params.items())}": _count(api, persona, path, user, params)
        for path, user, params in ROUTES
    }

    assert large == small, "a list route's query count grows with its rows (N+1)"
    if os.environ.get("FDX_RECORD_QUERY_COUNTS"):
        RECORD.write_text(json.dumps(small, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert small == json.loads(RECORD.read_text(encoding="utf-8"))
