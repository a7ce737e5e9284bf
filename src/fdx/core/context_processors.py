from django.conf import settings

import fdx


def node(request):
    """The node's name, country and FDX version, shown in every page's header and footer."""
    return {
        "fdx_node_name": settings.FDX_NODE_NAME,
        "fdx_node_country": settings.FDX_NODE_COUNTRY,
        "fdx_version": fdx.__version__,
    }
