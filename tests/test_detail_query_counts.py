"""Detail pages answer in a fixed number of queries, whatever the record holds: a case page (web and API, with
its exhibits and attachments) and an examination page (with its findings and their legal status) cost the
same for a case of one exhibit as for one of four, for its owner and for a reader of another organisation.
The counts are recorded in ``detail_query_counts.json``; ``FDX_RECORD_QUERY_COUNTS=1`` rewrites the file
after a deliberate change."""

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fdx.examinations import actions
from fdx.examinations.case_notes import add_case_note
from fdx.examinations.tests.builders import add_exhibit, draft_examination, open_case
from fdx.substances.models import Substance

RECORD = Path(__file__).with_name("detail_query_counts.json")

#: (surface, path): ``{case}`` and ``{examination}`` are filled in from the case built.
ROUTES = [
    ("web", "/cases/{case}/"),
    ("web", "/cases/examinations/{examination}/"),
    ("api", "/cases/{case}"),
    ("api", "/cases/{case}/exhibits"),
    ("api", "/cases/{case}/attachments"),
    ("api", "/examinations/{examination}"),
]
READERS = ["kz_lab_head", "uz_police_analyst"]  # the owner's head of laboratory; an analyst of another state
SUBSTANCES = ["methamphetamine-hydrochloride", "caffeine", "heroin", "mephedrone"]


def _case(persona, reference: str, exhibits: int):
    """An approved, regionally shared case of ``exhibits`` exhibits, each examined, its examination finding
    as many substances as there are exhibits, one file attached per exhibit, and as many notes of each
    reader's organisation (the case page lists them, with their authors)."""
    chemist, head = persona("kz_lab_chemist"), persona("kz_lab_head")
    case = open_case(chemist, reference=reference, distribution_level="regional")
    first = None
    for label in range(1, exhibits + 1):
        exhibit = add_exhibit(chemist, case, label=str(label))
        examination = draft_examination(chemist, exhibit)
        for key in SUBSTANCES[:exhibits]:
            actions.add_finding(
                chemist,
                examination,
                substance=Substance.objects.get(key=key),
                result_type="quantitative",
                purity_percent=Decimal("20"),
                role="main" if key == SUBSTANCES[0] else "adulterant",
            )
        upload = SimpleUploadedFile(f"scan-{label}.pdf", b"%PDF-1.4\n" + b"x" * 100)
        actions.attach_file(chemist, case, upload, kind="report", exhibit=exhibit)
        actions.submit_examination(chemist, examination)
        actions.approve_examination(head, examination)
        first = first or examination
    for number in range(exhibits):
        add_case_note(chemist if number % 2 else head, case, f"lab note {number}")
        add_case_note(persona("uz_police_analyst"), case, f"police note {number}")
    return case, first


def _counts(client, api, persona, case, examination) -> dict:
    counts = {}
    for name in READERS:
        reader = persona(name)
        client.force_login(reader)
        api.get("/me", user=reader)  # the token is created and first used before counting
        for surface, path in ROUTES:
            url = path.format(case=case.global_id, examination=examination.global_id)
            get = client.get if surface == "web" else lambda url, reader=reader: api.get(url, user=reader)
            get(url)  # warm: the legal engine and the structures of the findings are read once per process
            with CaptureQueriesContext(connection) as queries:
                response = get(url)
            assert response.status_code == 200, (url, response.content[:300])
            counts[f"{surface} {path} {name}"] = len(queries)
    return counts


@pytest.mark.django_db
def test_detail_pages_answer_in_a_fixed_number_of_queries(client, api, persona):
    # Given a case of one exhibit and a case of four (more examinations, findings and files)
    small_case, small_examination = _case(persona, "KZ-QC-SMALL", 1)
    large_case, large_examination = _case(persona, "KZ-QC-LARGE", 4)

    # When each detail page of each is read by the owner's head of laboratory and by a foreign analyst
    small = _counts(client, api, persona, small_case, small_examination)
    large = _counts(client, api, persona, large_case, large_examination)

    # Then the larger record costs no more queries, and the counts are those recorded
    assert large == small, "a detail page's query count grows with the record (N+1)"
    if os.environ.get("FDX_RECORD_QUERY_COUNTS"):
        RECORD.write_text(json.dumps(small, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert small == json.loads(RECORD.read_text(encoding="utf-8"))
