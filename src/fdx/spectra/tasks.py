"""Background work of the spectra app: bringing the search index up to date after an import."""

from django_tasks import task


@task()
def refresh_spectral_index() -> int:
    """Add newly imported spectra to the on-disk index (idempotent: nothing to add, nothing done); returns
    the number of spectra indexed."""
    from fdx.spectra.index_store import current_index

    return len(current_index())
