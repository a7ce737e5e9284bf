from django.utils.translation import gettext_lazy as _

from fdx.audit.events import register

FILE_CHECKED = register(
    "intake.file.checked",
    _("Checked a file for import (dry run)"),
    template=_("%(actor)s checked %(object)s for import"),
)
FILE_IMPORTED = register(
    "intake.file.imported", _("Imported a file of cases"), template=_("%(actor)s imported %(object)s")
)
FILE_REFUSED = register(
    "intake.file.refused",
    _("A file for import was refused (nothing written)"),
    template=_("%(actor)s's file %(object)s was refused"),
)
RUN_UNDONE = register(
    "intake.run.undone",
    _("Undid an import: its cases, all still drafts, removed"),
    template=_("%(actor)s undid the import %(object)s"),
)
MAPPING_SAVED = register(
    "intake.mapping.saved",
    _("Saved an import mapping"),
    template=_("%(actor)s saved import mapping %(object)s"),
)
