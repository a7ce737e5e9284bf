"""Messages of the Django-free readers and scores, in the user's language when they run inside FDX.

The spectrum readers and the peak checks also run without Django (the benchmarks, a notebook), so they may
not depend on it; but a chemist in Dushanbe reading why a file was refused should read it in Russian. This
helper translates through Django's catalogue when Django is set up and leaves the English text otherwise.
Call it as ``_("... %(name)s ...", name=value)`` so that ``makemessages`` finds the message.
"""

from __future__ import annotations


def translated(message: str, **values) -> str:
    """``message`` (with ``%(name)s`` placeholders filled from ``values``) in the active language.

    Parameters
    ----------
    message : str
        The message in English, with ``%(name)s`` placeholders.
    **values
        The values of the placeholders.

    Returns
    -------
    str
        The message translated through Django's catalogue when Django is set up (as it is, in English,
        otherwise), with its placeholders filled.
    """
    try:
        from django.conf import settings

        if settings.configured:
            from django.utils.translation import gettext

            message = gettext(message)
    except ImportError:  # Django is not installed: English it is
        pass
    return message % values if values else message
