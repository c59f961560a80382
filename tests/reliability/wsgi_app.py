"""The WSGI application of the suite's gunicorn: erplite's own, with its retries logged at INFO
(the tests count the "tries left" lines to report how many tries were retried)."""

import logging

from erplite.http import application

logging.basicConfig(level=logging.WARNING, format="%(process)d %(levelname)s %(name)s: %(message)s")
logging.getLogger("erplite.http.retrying").setLevel(logging.INFO)

__all__ = ["application"]
