import itertools
import json

import pytest
from typer.testing import CliRunner

from fdx.audit.actions import record
from fdx.audit.models import AuditEvent
from fdx.audit.tests.tampering import triggers_disabled
from fdx.cli import app
from fdx.core.actors import system

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_verify_passes_on_an_intact_chain():
    record("geo.reference.loaded", actor=system("test"))

    result = runner.invoke(app, ["audit", "verify"])

    assert result.exit_code == 0
    assert "audit chain verified" in result.output


def test_verify_names_the_first_broken_link():
    events = [record("geo.reference.loaded", actor=system("test"), after={"n": n}) for n in range(3)]
    with triggers_disabled():
        AuditEvent.objects.filter(pk=events[1].pk).update(reason="edited")

    result = runner.invoke(app, ["audit", "verify", "--json"])

    assert result.exit_code == 1
    outcome = json.loads(result.stdout)
    assert outcome["ok"] is False
    assert outcome["broken_sequence"] == events[1].sequence


def test_export_writes_verifiable_lines_and_audits_itself(tmp_path):
    record("geo.reference.loaded", actor=system("test"))
    target = tmp_path / "audit.jsonl"

    result = runner.invoke(
        app, ["audit", "export", "--output", str(target), "--reason", "court request 12/2026"]
    )

    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert lines[-1]["action"] == "audit.events.exported"
    assert lines[-1]["reason"] == "court request 12/2026"
    from fdx.audit import chain

    for previous, current in itertools.pairwise(lines):
        assert current["previous_hash"] == previous["hash"]
        assert chain.event_hash(current) == current["hash"]


def test_export_needs_a_reason(tmp_path):
    result = runner.invoke(app, ["audit", "export", "--output", str(tmp_path / "x"), "--reason", " "])

    assert result.exit_code == 1


def test_events_lists_the_latest():
    record("geo.reference.loaded", actor=system("cli:tester"))

    result = runner.invoke(
        app, ["audit", "events", "--limit", "5", "--action", "geo."], env={"COLUMNS": "200"}
    )
    codes = runner.invoke(
        app, ["audit", "events", "--limit", "5", "--action", "geo.", "--codes"], env={"COLUMNS": "200"}
    )

    assert result.exit_code == 0
    assert "cli:tester loaded the reference geography" in result.output
    assert "geo.reference.loaded" in codes.output
