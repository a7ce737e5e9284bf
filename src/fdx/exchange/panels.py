"""What the exchange adds to the pages of the apps below it: where a received case came from."""

from __future__ import annotations

from fdx.examinations.extensions import CasePanel
from fdx.exchange.models import Peer, ReceivedRecord


def provenance_panel(case, user) -> CasePanel | None:
    """A received case's origin node and organisation, the nodes it came through and when it arrived; None
    for this node's own cases (no query for them)."""
    if case.is_local:
        return None
    received = ReceivedRecord.objects.select_related("sender").filter(global_id=case.global_id).first()
    if received is None:
        return None
    names = dict(Peer.objects.filter(node_id__in=received.path).values_list("node_id", "name"))
    path = [{"node_id": node_id, "name": names.get(_uuid(node_id), "")} for node_id in received.path]
    return CasePanel(
        "exchange/provenance_panel.html",
        {
            "origin": path[0] if path else {"node_id": str(case.origin_node), "name": ""},
            "relays": path[1:],
            "organisation": case.owner_organisation,
            "received_at": received.received_at,
            "version": received.version,
            "sender": received.sender,
        },
    )


def _uuid(text):
    import uuid

    return uuid.UUID(str(text))
