"""Two-factor sign-in with a TOTP authenticator app (django-otp): enrolment, the requirement, recovery codes.

Turning it on and off are actions (``actions.confirm_two_factor``, ``actions.turn_off_two_factor``,
``actions.regenerate_recovery_codes``, ``actions.reset_two_factor``). API tokens are a factor of their own
and are not asked for a second one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets

import qrcode
import qrcode.image.svg
from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from fdx.accounts.roles import TWO_FACTOR_ROLES

DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"
RECOVERY_CODE_COUNT = 10
#: Letters and digits that cannot be mistaken for one another when read from paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 12


def has_two_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_required(user) -> bool:
    """Whether ``user`` must sign in with a second factor (their roles read case data or administer)."""
    if not settings.FDX_REQUIRE_TWO_FACTOR or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.is_staff or set(user.roles) & TWO_FACTOR_ROLES)


def pending_device(user) -> TOTPDevice:
    """The user's unconfirmed device (created on first call: it does nothing until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The shared secret in base32, for typing into an authenticator app."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The ``otpauth://`` URI as an SVG QR code, inline (nothing is fetched from outside the node)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# Recovery codes: django-otp's static tokens, stored as a keyed hash (never the code itself).


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Fresh random recovery codes, formatted ``xxxx-xxxx-xxxx`` for reading off paper."""
    codes = []
    for _index in range(count):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append(f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}")
    return codes


def recovery_code_hash(code: str) -> str:
    """The 16 characters stored for a recovery code: an HMAC with the node's secret key, so that a copy of
    the database alone does not reveal or let one test codes. Case, spaces and dashes do not count."""
    normalised = "".join(code.lower().split()).replace("-", "")
    digest = hmac.new(settings.SECRET_KEY.encode(), normalised.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode("ascii")


def looks_like_recovery_code(code: str) -> bool:
    normalised = "".join(code.lower().split()).replace("-", "")
    return len(normalised) == _RECOVERY_LENGTH and all(c in _RECOVERY_ALPHABET for c in normalised)


def store_recovery_codes(user, codes: list[str]) -> StaticDevice:
    """Replace the user's recovery codes by the hashes of ``codes`` (callers hold a transaction)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=recovery_code_hash(code)) for code in codes]
    )
    return device


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def use_recovery_code(user, code: str) -> StaticDevice | None:
    """The recovery device when ``code`` is one of the user's unused codes (it is then used up), else None.

    django-otp throttles repeated wrong codes on the device."""
    if not looks_like_recovery_code(code):
        return None
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None and device.verify_token(recovery_code_hash(code)):
        return device
    return None
