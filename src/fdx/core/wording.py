"""Messages of the Django-free readers (chemistry, CSV files), in the user's language inside FDX.

The structure and file readers also run without Django (benchmarks, a notebook), so they may not depend on
it; but a chemist reading why a file was refused should read it in the node's or the request's language.
Call ``_("... %(name)s ...") % {"name": value}`` so that ``makemessages`` finds the message.
"""

from __future__ import annotations


def translated(message: str) -> str:
    """``message`` in the active language when Django is set up and ready; as it is (English) otherwise."""
    try:
        from django.apps import apps
        from django.conf import settings

        if settings.configured and apps.ready:
            from django.utils.translation import gettext

            return gettext(message)
    except ImportError:  # Django is not installed: English it is
        pass
    return message
