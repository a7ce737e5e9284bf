"""The exchange API: one router for the app, mounted at /api/v1/exchange. Each part of the API (the peers
now; synchronisation later) is a module that adds its routes to ``router`` and is imported below.

One router rather than a router per part: ninja 1.7 writes a nested router's paths into the OpenAPI
document without the slash after the API's prefix (``/api/v1exchange/peers``)."""

from ninja import Router

router = Router(tags=["exchange"])

# The parts, imported for the routes they add to ``router`` (after it exists: each imports it from here).
from fdx.exchange.api import admin, peers, publications, sync  # noqa: E402, F401
