from pathlib import Path

import pytest

from fdx.audit import events

DOC = Path(__file__).resolve().parents[4] / "docs" / "en" / "audit-events.md"


def test_codes_are_unique_and_well_formed():
    with pytest.raises(ValueError, match="twice"):
        events.register("accounts.user.created", "again")
    with pytest.raises(ValueError, match="app.object.verb"):
        events.register("Bad Code", "x")


def test_every_event_type_is_documented():
    text = DOC.read_text(encoding="utf-8")

    missing = [e.code for e in events.all_event_types() if f"`{e.code}`" not in text]
    assert missing == [], "document these in docs/en/audit-events.md"
