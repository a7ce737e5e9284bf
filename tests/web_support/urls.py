"""FDX's addresses and three that fail on purpose, to see the error pages (``settings.ROOT_URLCONF``)."""

from django.core.exceptions import SuspiciousOperation
from django.urls import path

from fdx.config.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def _crash(request):
    raise RuntimeError("a bug, on purpose")


def _malformed(request):
    raise SuspiciousOperation("malformed, on purpose")


urlpatterns = [path("test-crash/", _crash), path("test-malformed/", _malformed), *urlpatterns]
