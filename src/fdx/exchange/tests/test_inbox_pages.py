"""Receiving a page of messages together (``inbox.receive_many``): a few queries for the whole page, and
each message decided as if it came alone — a refused one changes nothing and the others are applied."""

import io
import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fdx.examinations.models import Case, Examination, Exhibit, Finding
from fdx.exchange import inbox, messages, network, transport
from fdx.exchange.models import Receipt, ReceivedRecord
from fdx.exchange.tests.conftest import KG_KEY
from fdx.exchange.tests.test_inbox import Dossier, relayed

pytestmark = pytest.mark.django_db


def receive_page(datas, peer, **kwargs):
    return inbox.receive_many(datas, sender=peer, channel="pull", **kwargs)


def page_of(dossiers):
    return [data for dossier in dossiers for data in dossier.all()]


def queries_to_receive(datas, peer) -> int:
    with CaptureQueriesContext(connection) as captured:
        outcomes = receive_page(datas, peer)
    assert {o.outcome for o in outcomes} == {"applied"}
    return len(captured.captured_queries)


def test_a_page_of_new_records_takes_as_many_queries_whatever_its_size(persona, uz_peer):
    receive_page(Dossier().all(), uz_peer)  # the laboratory's directory entry is created once

    small = queries_to_receive(page_of([Dossier() for _ in range(2)]), uz_peer)
    large = queries_to_receive(page_of([Dossier() for _ in range(10)]), uz_peer)

    assert small == large
    assert Finding.objects.count() == 13


def test_a_page_of_findings_of_one_examination_takes_as_many_queries_whatever_their_number(persona, uz_peer):
    def page(findings):
        dossier = Dossier()
        datas = dossier.all()
        for _ in range(findings - 1):
            dossier.ids["finding"] = str(uuid.uuid4())
            datas.append(dossier.message("finding"))
        return datas

    receive_page(Dossier().all(), uz_peer)
    assert queries_to_receive(page(5), uz_peer) == queries_to_receive(page(40), uz_peer)


def test_a_refused_message_in_the_middle_of_a_page_changes_nothing_and_the_others_are_applied(
    persona, uz_peer
):
    kept, national, orphan = Dossier(), Dossier(level="national"), Dossier()
    unknown = kept.payload("finding") | {
        "substance": {"global_id": str(uuid.uuid4()), "key": "", "inchikey": "", "name_en": "Protonitazepyne"}
    }
    page = [
        kept.message("case"),
        national.message("case"),  # the rules do not let this node hold it
        kept.message("exhibit"),
        orphan.message("exhibit"),  # its case is not here: a gap
        kept.message("examination"),
        kept.message("finding", payload=unknown),  # a substance this node does not know
        b"not a message",
    ]

    outcomes = receive_page(page, uz_peer)

    assert [(o.outcome, o.code) for o in outcomes] == [
        ("applied", ""),
        ("refused", "not_for_this_node"),
        ("applied", ""),
        ("refused", "missing_parent"),
        ("applied", ""),
        ("refused", "unknown_reference"),
        ("refused", "malformed"),
    ]
    assert set(Case.objects.values_list("global_id", flat=True)) == {uuid.UUID(kept.ids["case"])}
    assert Exhibit.objects.get().case.global_id == uuid.UUID(kept.ids["case"])
    assert Examination.objects.get().exhibit.global_id == uuid.UUID(kept.ids["exhibit"])
    assert not Finding.objects.exists()
    assert set(ReceivedRecord.objects.values_list("global_id", flat=True)) == {
        uuid.UUID(kept.ids[name]) for name in ("case", "exhibit", "examination")
    }
    receipts = list(Receipt.objects.order_by("sequence").values_list("outcome", "reason"))
    assert [outcome for outcome, _reason in receipts] == [o.outcome for o in outcomes]
    assert receipts[1][1].startswith("not_for_this_node: ")
    assert receipts[5][1].startswith("unknown_reference: ")


def test_a_clash_with_the_database_refuses_only_the_message_at_fault(persona, uz_peer):
    first, second = Dossier(), Dossier()
    # The second case has the first one's laboratory case number: the same owner may not use it twice.
    same_reference = second.payload("case") | {"reference": first.payload("case")["reference"]}
    page = [
        first.message("case"),
        second.message("case", payload=same_reference),
        first.message("exhibit"),
        second.message("exhibit"),
    ]

    outcomes = receive_page(page, uz_peer)

    assert [(o.outcome, o.code) for o in outcomes] == [
        ("applied", ""),
        ("refused", "conflict"),
        ("applied", ""),
        ("refused", "missing_parent"),
    ]
    assert Case.objects.get().global_id == uuid.UUID(first.ids["case"])
    assert not ReceivedRecord.objects.filter(global_id=second.ids["case"]).exists()
    assert Receipt.objects.filter(outcome="refused").count() == 2


def test_a_record_sent_twice_in_a_page_ends_at_its_last_version(persona, uz_peer):
    dossier = Dossier()
    border = dossier.payload("case") | {"seizure_context": "border"}
    page = [
        dossier.message("case"),
        dossier.message("exhibit"),
        dossier.message("case", payload=border, version=2),
        dossier.message("case"),  # older: changes nothing
    ]

    outcomes = receive_page(page, uz_peer)

    assert [o.outcome for o in outcomes] == ["applied", "applied", "applied", "unchanged"]
    case = Case.objects.get()
    assert (case.record_version, case.seizure_context) == (2, "border")
    assert ReceivedRecord.objects.get(global_id=dossier.ids["case"]).version == 2


def test_a_withdrawal_in_a_page_removes_the_copy_and_the_page_goes_on(persona, uz_peer):
    gone, kept = Dossier(), Dossier()
    page = [
        *gone.all(),
        gone.message("finding", state="withdrawn", version=2),
        gone.message("finding"),  # the older version again: it cannot come back
        *kept.all(),
    ]

    outcomes = receive_page(page, uz_peer)

    assert [o.outcome for o in outcomes] == ["applied"] * 5 + ["unchanged"] + ["applied"] * 4
    assert list(Finding.objects.values_list("global_id", flat=True)) == [uuid.UUID(kept.ids["finding"])]
    assert ReceivedRecord.objects.get(global_id=gone.ids["finding"]).state == "withdrawn"


def test_a_page_relayed_by_the_hub_is_received_as_its_messages_would_be_alone(persona, uz_peer, hub_peer):
    dossiers = [Dossier() for _ in range(3)]
    outcomes = receive_page([relayed(data) for data in page_of(dossiers)], hub_peer)
    assert {o.outcome for o in outcomes} == {"applied"}
    assert Examination.objects.filter(methods__code="gc_ms").count() == 3


def test_a_pulled_page_fills_a_gap_before_the_records_after_it(persona, uz_peer, monkeypatch):
    """The peer's page lacks the case of the exhibit it starts with: the case is fetched, then the exhibit
    is tried again, and the rest of the page follows."""
    dossier = Dossier()
    case, *rest = dossier.all()
    page = [{"message": json.loads(data), "sequence": n} for n, data in enumerate(rest, start=1)]
    answers = {
        f"changes?after=0&limit={transport.PAGE}&ack=0": b"".join(
            json.dumps(line).encode() + b"\n" for line in [*page, {"more": False, "next": 3}]
        ),
        f"records/{dossier.ids['case']}": case,
    }
    asked = []

    def answer(peer, path, body=None):
        asked.append(path)
        return io.BytesIO(answers[path])

    monkeypatch.setattr(transport, "_open", answer)
    result = transport.SyncResult(uz_peer.name)

    transport.pull(uz_peer, result)

    assert (result.pulled, result.applied, result.refused) == (3, 3, 0)
    assert asked == [f"changes?after=0&limit={transport.PAGE}&ack=0", f"records/{dossier.ids['case']}"]
    assert Finding.objects.get().examination.exhibit.case.global_id == uuid.UUID(dossier.ids["case"])
    receipts = list(Receipt.objects.order_by("sequence").values_list("model", "outcome"))
    assert receipts == [
        ("examinations.exhibit", "refused"),
        ("examinations.case", "applied"),
        ("examinations.exhibit", "applied"),
        ("examinations.examination", "applied"),
        ("examinations.finding", "applied"),
    ]
    uz_peer.refresh_from_db()
    assert uz_peer.pulled_through == 3


def test_one_message_is_received_as_a_page_of_one(persona, uz_peer):
    dossier = Dossier()
    assert inbox.receive(dossier.message("case"), sender=uz_peer, channel="push").outcome == "applied"
    assert messages.parse(bytes(ReceivedRecord.objects.get().message)).record.global_id == dossier.ids["case"]


def test_a_line_s_message_is_taken_as_its_bytes_when_the_line_is_as_a_node_writes_it(persona, uz_peer):
    data = Dossier().message("case")
    written = b'{"message":' + data + b',"sequence":7}\n'
    assert inbox.message_in_line(written, json.loads(written)) == data
    # Written otherwise (spaces, another order): the message made canonical, as before.
    spaced = json.dumps({"sequence": 7, "message": json.loads(data)}, indent=1).encode()
    assert inbox.message_in_line(spaced, json.loads(spaced)) == data
    # A line that holds more than the message after it is not cut short.
    extra = b'{"message":' + data + b',"other":{"sequence":1},"sequence":7}\n'
    assert inbox.message_in_line(extra, json.loads(extra)) == messages.canonical(json.loads(data))


def test_lines_read_then_verified_come_to_what_their_messages_checked_come_to(persona, uz_peer):
    """``read_lines`` parses a line as a node writes it once (its message only); every line, written so or
    otherwise, comes to what ``check`` of ``message_in_line``'s bytes comes to."""
    dossier = Dossier()
    data = dossier.message("case")
    tampered = data.replace(b"b" * 64, b"c" * 64)
    assert tampered != data
    lines = [
        b'{"message":' + data + b',"sequence":7}\n',
        b'{"message":' + data + b',"sequence":7}\r\n',
        json.dumps({"sequence": 7, "message": json.loads(data)}, indent=1).encode(),
        b'{"message":' + data + b',"other":{"sequence":1},"sequence":7}\n',
        b'{"message":' + data.replace(b'{"format":1,', b'{ "format":1,') + b',"sequence":7}',
        b'{"message":' + data + b',"sequence":7.5}',
        b'{"message":' + tampered + b',"sequence":8}\n',
        b'{"message":' + dossier.message("exhibit", key=KG_KEY) + b',"sequence":9}\n',
        b'{"message":{"format":1},"sequence":10}\n',
        b'{"message":"' + data.replace(b'"', b'\\"') + b'","sequence":11}\n',
    ]
    keys = network.keyring()
    read = inbox.verify_read(inbox.read_lines(lines, json.loads), keys)
    expected = inbox.check([inbox.message_in_line(line, json.loads(line)) for line in lines], keys)
    assert [(item.data, item.outcome, item.message) for item in read] == [
        (item.data, item.outcome, item.message) for item in expected
    ]
    assert [item.outcome.code if item.outcome else "" for item in read] == [""] * 4 + [
        "malformed",  # the message's own bytes, not canonical: refused, as before
        "",
        "tampered_payload",
        "unknown_key",
        "malformed",
        "malformed",
    ]
    with pytest.raises(ValueError):  # a line that is not JSON: the transport's ``parse_line`` says so
        inbox.read_lines([b'{"message":' + data + b',"sequence":7'], json.loads)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite does not hold a text to its length")
def test_a_value_too_long_for_its_column_refuses_only_its_message(persona, uz_peer):
    kept, long = Dossier(), Dossier()
    too_long = long.payload("case") | {"agency_case_number": "x" * 300}
    page = [kept.message("case"), long.message("case", payload=too_long), kept.message("exhibit")]

    outcomes = receive_page(page, uz_peer)

    assert [(o.outcome, o.code) for o in outcomes] == [
        ("applied", ""),
        ("refused", "bad_message"),
        ("applied", ""),
    ]
    assert "does not fit this node" in outcomes[1].reason
    assert Case.objects.get().global_id == uuid.UUID(kept.ids["case"])


def test_a_sharing_group_follows_each_definition_its_records_carry_within_a_page(persona, settings, uz_peer):
    from fdx.accounts.models import SharingGroup
    from fdx.audit.models import AuditEvent
    from fdx.testing.personas import organisation

    settings.FDX_NODE_ROLE = "hub"
    centre, kz_lab = organisation("demo-regional-centre"), organisation("demo-kz-forensic-centre")
    group = {
        "group_id": str(uuid.uuid4()),
        "active": True,
        "code": "uz-rc",
        "members": [
            {"organisation": str(uuid.uuid4()), "country": "UZ", "kind": "state_body", "code": "uz-lab"},
            {
                "organisation": str(uuid.uuid4()),
                "country": "KZ",
                "kind": "regional_centre",
                "code": centre.code,
            },
        ],
    }
    lab = {"organisation": str(kz_lab.global_id), "country": "KZ", "kind": "state_body", "code": kz_lab.code}
    joined = group | {"members": [*group["members"], lab]}

    def case(definition):
        dossier = Dossier(level="sharing_group")
        payload = dossier.payload("case") | {"sharing_group": group["group_id"]}
        return dossier.message("case", payload=payload, group=definition)

    outcomes = receive_page([case(group), case(group), case(joined), case(joined), case(group)], uz_peer)

    assert {o.outcome for o in outcomes} == {"applied"}
    held = SharingGroup.objects.get(global_id=group["group_id"])
    assert set(held.organisations.all()) == {centre}  # as the last record's definition says
    assert AuditEvent.objects.filter(action="exchange.sharing_group.followed").count() == 2
    assert set(Case.objects.values_list("sharing_group", flat=True)) == {held.pk}


def canned_pages(dossiers, per_page, *, broken_off_at=None):
    """The peer's answers to a pull of the dossiers' messages, ``per_page`` a page (sequences from 1), keyed
    by the page's ``after``; the page starting at ``broken_off_at`` lacks its end line (the peer died)."""
    datas = page_of(dossiers)
    pages = {}
    for start in range(0, len(datas), per_page):
        chunk = datas[start : start + per_page]
        lines = [
            {"message": json.loads(data), "sequence": start + n} for n, data in enumerate(chunk, start=1)
        ]
        end = {"more": start + per_page < len(datas), "next": start + len(chunk)}
        if start != broken_off_at:
            lines.append(end)
        pages[start] = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
    return pages


def pull_from(pages, peer, monkeypatch, per_page):
    asked = []

    def answer(peer, path, body=None):
        query = dict(item.split("=") for item in path.split("?", 1)[1].split("&"))
        asked.append((int(query["after"]), int(query["ack"])))
        return io.BytesIO(pages[int(query["after"])])

    monkeypatch.setattr(transport, "_open", answer)
    result = transport.SyncResult(peer.name)
    try:
        transport.pull(peer, result, page=per_page)
    finally:
        peer.refresh_from_db()
    return asked, result


def test_a_pull_asks_for_the_next_page_while_it_applies_one_and_acknowledges_only_what_it_committed(
    persona, uz_peer, monkeypatch
):
    pages = canned_pages([Dossier() for _ in range(3)], 4)

    asked, result = pull_from(pages, uz_peer, monkeypatch, 4)

    # Each page is asked for before the one before it is applied: the acknowledgement lags one page.
    assert asked == [(0, 0), (4, 0), (8, 4)]
    assert (result.pulled, result.applied, result.refused) == (12, 12, 0)
    assert uz_peer.pulled_through == 12
    assert Finding.objects.count() == 3


def test_a_page_that_breaks_off_after_the_one_being_applied_keeps_what_was_committed_and_no_more(
    persona, uz_peer, monkeypatch
):
    pages = canned_pages([Dossier() for _ in range(3)], 4, broken_off_at=4)

    with pytest.raises(transport.SyncError, match="broke off"):
        pull_from(pages, uz_peer, monkeypatch, 4)

    assert uz_peer.pulled_through == 4
    assert Case.objects.count() == 1 and Finding.objects.count() == 1
    assert Receipt.objects.count() == 4
