"""The publication pages, for node administrators: publishing reference data, subscribing a bundle peer,
changing and withdrawing a publication, and a peer's catalogue; refused to others, bad input shown on the
form, and a peer that cannot be reached shown as such — never a 500."""

import pytest
from django.urls import reverse
from django.utils import translation

from fdx.audit.models import AuditEvent
from fdx.exchange.models import OutboxEntry, Peer, Publication, Subscription
from fdx.exchange.tests.test_publications import new_substance
from fdx.testing.personas import organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, persona):
    client.force_login(persona("kz_node_admin"))
    return client


FORM = {
    "code": "kz-registry",
    "name_en": "Kazakh substances",
    "name_ru": "Вещества Казахстана",
    "kind": "substances",
    "distribution_level": "regional",
}


def publish(admin, **overrides):
    data = {**FORM, "owner_organisation": organisation("demo-kz-forensic-centre").pk, **overrides}
    return admin.post(reverse("exchange:publish"), data)


def test_an_administrator_publishes_subscribes_a_bundle_peer_and_withdraws(
    admin, persona, uz_peer, django_capture_on_commit_callbacks
):
    new_substance(persona)
    with django_capture_on_commit_callbacks(execute=True):
        answer = publish(admin)
    assert answer.status_code == 302
    assert Publication.objects.get().kind == "substances"
    page = admin.get(reverse("exchange:publications")).content.decode()
    assert "kz-registry" in page and "Kazakh substances" in page

    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("exchange:add-subscriber", args=["kz-registry"]), {"peer": uz_peer.pk})
    assert Subscription.objects.get().peer == uz_peer
    assert OutboxEntry.objects.filter(peer=uz_peer, model="substances.substance").count() == 1
    detail = admin.get(reverse("exchange:publication", args=["kz-registry"])).content.decode()
    assert 'id="subscriber-uz"' in detail and 'id="publication-size">1<' in detail

    with django_capture_on_commit_callbacks(execute=True):
        changed = admin.post(
            reverse("exchange:publication", args=["kz-registry"]),
            {"name_en": "Kazakh substances", "distribution_level": "regional"},  # "active" cleared
        )
    assert changed.status_code == 302
    assert not Publication.objects.get().active
    assert OutboxEntry.objects.filter(peer=uz_peer).order_by("sequence").last().kind == "withdrawal"
    assert AuditEvent.objects.filter(action="exchange.publication.changed").exists()


def test_bad_input_is_shown_on_the_form(admin, persona):
    answer = publish(admin, kind="spectral_library")
    assert answer.status_code == 422
    assert "Choose the spectral library to publish." in answer.content.decode()
    assert publish(admin, code="not a slug").status_code == 422


@pytest.mark.parametrize(
    "name, args",
    [
        ("exchange:publications", []),
        ("exchange:publish", []),
        ("exchange:catalogue", ["uz"]),
    ],
)
def test_the_pages_are_for_node_administrators(client, persona, uz_peer, name, args):
    client.force_login(persona("kz_lab_head"))
    assert client.get(reverse(name, args=args)).status_code == 403


def test_a_catalogue_of_a_peer_that_cannot_be_reached_says_why(admin, uz_peer):
    Peer.objects.filter(pk=uz_peer.pk).update(url="http://127.0.0.1:9", outgoing_token="fdx_x")
    answer = admin.get(reverse("exchange:catalogue", args=["uz"]))
    assert answer.status_code == 502
    assert "127.0.0.1:9" in answer.content.decode()


def test_the_pages_speak_russian(admin, persona):
    publish(admin)
    with translation.override("ru"):
        page = admin.get(reverse("exchange:publications"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Публикации справочных данных" in page
    assert "Вещества Казахстана" in page
