"""Shipped legal content takes the global identifiers every node gives it (``shipped_global_id``), so that a
jurisdiction's node can publish its lists and every receiver recognises the entries it holds already."""

import json
import uuid

from django.db import migrations

# Frozen here (the functions of ``fdx.legal.reference`` may change; this migration may not).
NAMESPACE = uuid.UUID("6f1d2c1e-3a55-5b0e-9d1c-46d78a0f2a11")
RELOAD_REASON = "reference content updated"


def shipped_id(kind, key):
    return uuid.uuid5(NAMESPACE, f"{kind}:{key}")


def shipped_generic_codes():
    from fdx.legal.reference import FRAMEWORK_FILE

    with open(FRAMEWORK_FILE, encoding="utf-8") as handle:
        return {item["code"] for item in json.load(handle)["generic_definitions"]}


def give_ids(apps, schema_editor):
    Listing = apps.get_model("legal", "Listing")
    GenericDefinition = apps.get_model("legal", "GenericDefinition")
    QuantityThreshold = apps.get_model("legal", "QuantityThreshold")
    seen = set()
    for listing in Listing.objects.exclude(reference_key="").filter(corrects__isnull=True).order_by("pk"):
        if listing.reference_key in seen:
            continue
        seen.add(listing.reference_key)
        Listing.objects.filter(pk=listing.pk).update(global_id=shipped_id("listing", listing.reference_key))
    # The corrections a reload of the reference content wrote, in the order they were written.
    for listing in (
        Listing.objects.exclude(reference_key="")
        .filter(corrects__isnull=False, change_reason=RELOAD_REASON, recorded_by__isnull=True)
        .order_by("pk")
    ):
        corrected = Listing.objects.values_list("global_id", flat=True).get(pk=listing.corrects_id)
        new_id = uuid.uuid5(corrected, "corrected by the reference content")
        if not Listing.objects.filter(global_id=new_id).exists():
            Listing.objects.filter(pk=listing.pk).update(global_id=new_id)
    codes = shipped_generic_codes()
    for definition in GenericDefinition.objects.filter(code__in=codes):
        GenericDefinition.objects.filter(pk=definition.pk).update(global_id=shipped_id("generic", definition.code))
    for threshold in QuantityThreshold.objects.exclude(reference_key=""):
        QuantityThreshold.objects.filter(pk=threshold.pk).update(
            global_id=shipped_id("threshold", threshold.reference_key)
        )


class Migration(migrations.Migration):
    dependencies = [("legal", "0006_plan_indexes")]

    operations = [migrations.RunPython(give_ids, migrations.RunPython.noop)]
