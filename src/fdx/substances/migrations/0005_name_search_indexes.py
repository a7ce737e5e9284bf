"""Indexes for the ranked name search (``selectors.search_by_name``): ``UPPER(name)`` for its exact-name rank,
and on PostgreSQL only a trigram (pg_trgm) index of the normalised names for its containment part when the
text is rare: GiST, which the planner rates by the rows a text finds (with GIN it rated a text matching one
name in a hundred as dear as reading every name, and flipped to that; see ``fdx.core.migration_operations``)."""

import django.db.models.functions.text
from django.db import migrations, models

from fdx.core.migration_operations import AddTrigramIndex


class Migration(migrations.Migration):
    dependencies = [
        ("substances", "0004_plan_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="substancename",
            index=models.Index(django.db.models.functions.text.Upper("name"), name="substance_name_upper"),
        ),
        AddTrigramIndex("substancename", "normalised", "substance_name_normalised_trgm", method="gist"),
    ]
