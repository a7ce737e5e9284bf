from django.conf import settings
from django.utils.translation import get_language

import fdx


def node(request):
    """The node's name, country and FDX version, shown in every page's header and footer."""
    return {
        "fdx_node_name": node_name(),
        "fdx_node_country": settings.FDX_NODE_COUNTRY,
        "fdx_version": fdx.__version__,
    }


def node_name() -> str:
    """The node's name in the active language: ``FDX_NODE_NAME_RU`` on Russian pages where it is set."""
    russian = getattr(settings, "FDX_NODE_NAME_RU", "")
    return russian if russian and (get_language() or "").startswith("ru") else settings.FDX_NODE_NAME
