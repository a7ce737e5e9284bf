"""The account and people pages."""

import pytest
from django.urls import reverse

from fdx.accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db


def test_account_page_shows_roles_and_tokens(client, persona):
    client.force_login(persona("kz_lab_chemist"))

    response = client.get(reverse("accounts:account"))

    assert response.status_code == 200
    assert b"Data entry" in response.content


def test_token_is_shown_once_after_creation(client, persona):
    chemist = persona("kz_lab_chemist")
    client.force_login(chemist)

    response = client.post(reverse("accounts:create-token"), {"name": "LIMS", "days": 30})

    token = ApiToken.objects.get(user=chemist, name="LIMS")
    assert response.status_code == 200
    assert token.prefix.encode() in response.content
    assert b"fdx_" in response.content
    assert token.prefix.encode() in client.get(reverse("accounts:account")).content
    page = client.get(reverse("accounts:account")).content.decode()
    assert "secret" not in page or "new-token" not in page


def test_password_change_form(client, persona):
    chemist = persona("kz_lab_chemist")
    client.force_login(chemist)

    bad = client.post(
        reverse("accounts:change-password"),
        {"old_password": "nope", "new_password": "x", "new_password_again": "x"},
    )
    good = client.post(
        reverse("accounts:change-password"),
        {
            "old_password": "correct horse battery staple 42",
            "new_password": "another long passphrase 7",
            "new_password_again": "another long passphrase 7",
        },
    )

    assert bad.status_code == 422
    assert good.status_code == 302
    assert User.objects.get(pk=chemist.pk).check_password("another long passphrase 7")


def test_two_factor_enrolment_page_shows_a_qr_code_without_outside_requests(client, persona):
    client.force_login(persona("kz_lab_chemist"))

    response = client.get(reverse("accounts:two-factor"))

    assert response.status_code == 200
    assert b"data:image/svg+xml;base64," in response.content


def test_two_factor_enrolment_confirms_with_a_code(client, persona):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    chemist = persona("kz_lab_chemist")
    client.force_login(chemist)
    client.get(reverse("accounts:two-factor"))
    device = TOTPDevice.objects.get(user=chemist)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"

    response = client.post(reverse("accounts:two-factor"), {"token": code})

    # The recovery codes are shown once, on the page that confirms.
    assert response.status_code == 200
    assert b'id="recovery-codes"' in response.content
    assert TOTPDevice.objects.get(user=chemist).confirmed


@pytest.mark.parametrize(
    ("name", "status"),
    [("kz_lab_admin", 200), ("hub_admin", 200), ("kz_lab_chemist", 403), ("uz_police_analyst", 403)],
)
def test_people_page_is_for_administrators(client, persona, name, status):
    client.force_login(persona(name))

    assert client.get(reverse("accounts:people")).status_code == status


def test_org_admin_sees_only_own_people(client, persona):
    persona("kg_lab_chemist")
    persona("kz_lab_chemist")
    client.force_login(persona("kz_lab_admin"))

    page = client.get(reverse("accounts:people")).content.decode()

    assert "kz_lab_chemist" in page
    assert "kg_lab_chemist" not in page
    assert client.get(reverse("accounts:person", args=["kg_lab_chemist"])).status_code == 404


def test_creating_a_person_shows_the_password_once(client, persona):
    admin = persona("kz_lab_admin")
    client.force_login(admin)

    response = client.post(
        reverse("accounts:person-create"),
        {"username": "ainur", "organisation": "demo-kz-forensic-centre", "roles": ["data_entry"]},
    )

    assert response.status_code == 200
    user = User.objects.get(username="ainur")
    password = response.context["password"]
    assert user.check_password(password)


def test_node_admin_role_is_not_offered_to_org_admins(client, persona):
    client.force_login(persona("kz_lab_admin"))

    page = client.get(reverse("accounts:person-create")).content.decode()

    assert 'value="node_admin"' not in page
    assert 'value="org_admin"' in page


def test_roles_form_changes_roles(client, persona):
    persona("kz_lab_chemist")
    client.force_login(persona("kz_lab_admin"))

    response = client.post(
        reverse("accounts:person-roles", args=["kz_lab_chemist"]),
        {"roles": ["reviewer"], "reason": "promotion"},
    )

    assert response.status_code == 302
    assert set(User.objects.get(username="kz_lab_chemist").groups.values_list("name", flat=True)) == {
        "reviewer"
    }


def test_revoke_redirect_cannot_be_pointed_elsewhere(client, persona):
    from fdx.accounts.actions import create_api_token

    chemist = persona("kz_lab_chemist")
    token, _secret = create_api_token(chemist, chemist, name="t")
    client.force_login(chemist)

    response = client.post(
        reverse("accounts:revoke-token", args=[token.global_id]), {"back": "https://evil.example/"}
    )

    assert response["Location"] == reverse("accounts:account")
