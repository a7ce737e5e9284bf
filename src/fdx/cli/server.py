"""Running FDX under gunicorn from the ``fdx serve`` command (no separate configuration file)."""

from __future__ import annotations

import gc

from gunicorn.app.base import BaseApplication


class FdxServer(BaseApplication):
    """gunicorn, configured in code and serving FDX's WSGI application."""

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from django.core.wsgi import get_wsgi_application
        from django.urls import get_resolver

        application = get_wsgi_application()
        _ = get_resolver().url_patterns  # import every view now, not on the first request
        freeze_loaded_objects()
        return application


def freeze_loaded_objects() -> None:
    """Move what the worker has loaded (modules, URL patterns, translations, the registries' caches) out of
    the garbage collector's sight: they live as long as the process, and a full collection rescanning them
    stopped a request for about 120 ms every dozen requests (``benchmarks/growth.py``'s p95)."""
    gc.collect()
    gc.freeze()


def run_gunicorn(*, host: str, port: int, workers: int) -> None:
    """Serve on ``host:port`` with ``workers`` processes of four threads each, until interrupted."""
    FdxServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": 4,
            "timeout": 120,
            "graceful_timeout": 10,
            "accesslog": "-",
            "errorlog": "-",
            "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
            "forwarded_allow_ips": "127.0.0.1",
            # gunicorn's control socket sits at one fixed path per account; two nodes on a machine
            # (or a test server beside a demo) would fight over it, and FDX does not use it.
            "control_socket_disable": True,
        }
    ).run()
