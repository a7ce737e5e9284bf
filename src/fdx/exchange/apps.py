from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "fdx.exchange"
    label = "exchange"
    verbose_name = _("Exchange between nodes")

    def ready(self):
        from fdx.accounts import events as account_events
        from fdx.core.events import subscribe
        from fdx.examinations import events
        from fdx.examinations.extensions import CASE_PANELS
        from fdx.exchange import events as exchange_events
        from fdx.exchange import tasks
        from fdx.exchange.panels import provenance_panel
        from fdx.legal import events as legal_events
        from fdx.spectra import events as spectra_events
        from fdx.substances import events as substance_events

        # After every change to case data, the peers' queues learn what each peer is now owed.
        for event in tasks.CASE_EVENTS:
            subscribe(event, tasks.SUBSCRIBER, tasks.queue_case)
        subscribe(events.CASES_IMPORTED, "exchange.queue_imported", tasks.queue_imported)
        subscribe(account_events.SHARING_GROUP_CHANGED, "exchange.queue_group", tasks.queue_group)
        # Reference data: a publication's subscribers are owed each change of what it carries.
        subscribe(substance_events.SUBSTANCE_CHANGED, "exchange.queue_substances", tasks.queue_substances)
        subscribe(substance_events.SUBSTANCES_IMPORTED, "exchange.queue_substances", tasks.queue_substances)
        for event in (
            spectra_events.LIBRARY_CHANGED,
            spectra_events.SPECTRA_IMPORTED,
            spectra_events.SPECTRUM_WITHDRAWN,
        ):
            subscribe(event, "exchange.queue_library", tasks.queue_library)
        subscribe(legal_events.LEGAL_DATA_CHANGED, "exchange.queue_legal_lists", tasks.queue_legal_lists)
        subscribe(exchange_events.PUBLICATION_CHANGED, "exchange.queue_publication", tasks.queue_publication)
        # A received case's page says where it came from.
        CASE_PANELS.register(provenance_panel)
