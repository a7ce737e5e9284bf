"""The extension points of the audit app: what the apps above tell it about the records its events name.

The audit app sits below every domain app and must not import them, yet what an event shows a reader must
follow the visibility of the record it describes. The apps that own restricted records register here.
"""

from __future__ import annotations

from fdx.core.extensions import ExtensionPoint

RECORD_VISIBILITY = ExtensionPoint(
    "audit.record_visibility",
    "visible(viewer, object_type, object_ids) -> set[str] | None: of the records of ``object_type`` whose "
    "identifiers (as the events hold them) are ``object_ids``, those ``viewer`` may see under the owning "
    "app's restricted queryset; None when the implementation does not know ``object_type``. An event "
    "about a record that a known type's implementation does not return shows that it happened, not its "
    "content.",
)

PEER_KEYS = ExtensionPoint(
    "audit.peer_keys",
    "public_key(node_id, key_fingerprint) -> str | None: the base64 Ed25519 public key of the peer node "
    "``node_id`` with that fingerprint, as exchanged out of band; None when unknown. Used to check peers' "
    "countersignatures of this node's audit checkpoints (filled in by the exchange app, once it exists).",
)
