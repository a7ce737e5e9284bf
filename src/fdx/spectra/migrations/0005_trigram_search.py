"""Trigram (pg_trgm GIN) indexes for the containment search, on PostgreSQL only (see
``fdx.core.migration_operations``): nothing on SQLite."""

from django.db import migrations

from fdx.core.migration_operations import AddTrigramIndex


class Migration(migrations.Migration):
    dependencies = [("spectra", "0004_library_order_index")]

    operations = [
        AddTrigramIndex("spectrum", "name", "spectrum_name_trgm", upper=True),
    ]
