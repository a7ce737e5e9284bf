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
        from fdx.exchange import tasks
        from fdx.exchange.panels import provenance_panel

        # After every change to case data, the peers' queues learn what each peer is now owed.
        for event in tasks.CASE_EVENTS:
            subscribe(event, tasks.SUBSCRIBER, tasks.queue_case)
        subscribe(events.CASES_IMPORTED, "exchange.queue_imported", tasks.queue_imported)
        subscribe(account_events.SHARING_GROUP_CHANGED, "exchange.queue_group", tasks.queue_group)
        # A received case's page says where it came from.
        CASE_PANELS.register(provenance_panel)
