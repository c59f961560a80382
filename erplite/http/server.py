"""Serving an ``Application``: werkzeug's development server or gunicorn's worker processes.

Worked example::

    from erplite.http.server import run_gunicorn, run_development

    run_development(Application("dbname=shop"), "127.0.0.1", 8069, reloader=True)
    run_gunicorn(lambda: Application("dbname=shop"), bind="0.0.0.0:8069", workers=4)

or, without Python, gunicorn's own command with the module-level application that the
``ERPLITE_*`` variables configure::

    ERPLITE_DSN="dbname=shop" gunicorn -w 4 -b 0.0.0.0:8069 'erplite.http:application'

gunicorn (a dependency of erplite, chosen for production) runs ``workers`` processes with one
request at a time each (sync workers), which suits a framework holding one database transaction
per request. ``run_gunicorn`` builds the application in each worker after the fork (no
connection crosses a fork) and stops on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


def run_development(app: WSGIApp, host: str, port: int, *, reloader: bool = False) -> None:
    """werkzeug's threaded development server (with its code reloader when asked)."""
    from werkzeug.serving import run_simple

    run_simple(host, port, app, use_reloader=reloader, threaded=True)


def run_gunicorn(
    app_factory: Callable[[], WSGIApp],
    *,
    bind: str | list[str] = "127.0.0.1:8069",
    workers: int = 4,
    **settings: Any,
) -> None:
    """Run gunicorn's master and ``workers`` sync workers, each calling ``app_factory()``.

    ``settings`` are other gunicorn settings (``timeout``, ``graceful_timeout``,
    ``accesslog``, ``loglevel``...). Returns when gunicorn stops.
    """
    from gunicorn.app.base import BaseApplication

    options = {
        "bind": [bind] if isinstance(bind, str) else list(bind),
        "workers": workers,
        "worker_class": "sync",
        "proc_name": "erplite",
        "timeout": 120,
        "graceful_timeout": 30,
        **settings,
    }

    class ErpliteGunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> WSGIApp:
            return app_factory()

    ErpliteGunicorn().run()


__all__ = ["run_development", "run_gunicorn"]
