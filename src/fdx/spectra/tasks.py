"""Background work of the spectra app, run as subscribers of domain events (``fdx.core.events``): each
takes the event (ids, not objects), is idempotent, and runs after commit in ``fdx worker``."""

from fdx.spectra.index_store import current_index


def refresh_index(event) -> int:
    """After ``spectra.spectra.imported``: add the new spectra to the on-disk search index (nothing to add,
    nothing done; a search would bring it up to date too). Returns the number of spectra indexed."""
    return len(current_index())
