"""The models and the migrations agree, and the migrations apply on this database from scratch."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_the_audit_chain_starts_from_the_genesis_head():
    from fdx.audit.chain import GENESIS_HASH
    from fdx.audit.models import AuditEvent

    first = AuditEvent.objects.order_by("sequence").first()

    assert first.sequence == 1
    assert first.previous_hash == GENESIS_HASH
