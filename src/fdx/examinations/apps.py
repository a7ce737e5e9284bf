from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExaminationsConfig(AppConfig):
    name = "fdx.examinations"
    label = "examinations"
    verbose_name = _("Cases and examinations")

    def ready(self):
        from fdx.audit.extensions import RECORD_VISIBILITY
        from fdx.audit.visibility import restricted_models
        from fdx.core.events import subscribe
        from fdx.core.extensions import HOME_PANELS
        from fdx.examinations import case_notes, events, tasks
        from fdx.examinations.home import work_panels
        from fdx.examinations.legal_status import FINDING_STATUS_SOURCE
        from fdx.examinations.models import Attachment, Case, Examination, Exhibit, Finding
        from fdx.examinations.views.identification import CASE_SEARCH_SOURCE
        from fdx.legal.extensions import STATUS_SOURCES
        from fdx.spectra.extensions import SEARCH_SOURCES
        from fdx.substances import events as substance_events

        # The pages of the apps below that start from case data: the legal-status page from a finding, the
        # spectral search from an examination or a case's file.
        STATUS_SOURCES.register(FINDING_STATUS_SOURCE)
        SEARCH_SOURCES.register(CASE_SEARCH_SOURCE)
        # The audit log shows the content of an event about case data only to those who may read the record.
        RECORD_VISIBILITY.register(restricted_models(Case, Exhibit, Examination, Finding, Attachment))
        # A note's events: their text only to the note's organisation's readers of the case.
        RECORD_VISIBILITY.register(case_notes.note_event_visibility)
        # The home page lists the examinations waiting for the user.
        HOME_PANELS.register(work_panels)
        # Reactions, after commit and in the background: PostgreSQL's planner learns the row counts of a
        # bulk write; a conversion factor changed in the registry reaches the draft findings of it.
        subscribe(events.CASES_IMPORTED, "examinations.refresh_statistics", tasks.refresh_statistics)
        subscribe(
            substance_events.SUBSTANCE_CHANGED,
            "examinations.refresh_draft_amounts",
            tasks.refresh_draft_amounts,
        )
