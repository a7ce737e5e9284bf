"""Two-factor sign-in with a TOTP authenticator app (django-otp): the enrolment helpers.

Turning it on and off are actions (``actions.confirm_two_factor`` and ``actions.turn_off_two_factor``).
"""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "authenticator"


def has_two_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


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
