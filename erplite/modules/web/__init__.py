"""The web module: the routes every erplite database serves over HTTP.

``controllers/session.py``: ``/``, ``/web``, ``/web/login`` (a Jinja2 form working without
JavaScript), ``/web/session/authenticate``, ``/web/session/get_session_info``,
``/web/session/logout``; ``controllers/database.py``: ``/web/health``, ``/web/version``,
``/web/webclient/version_info``, ``/web/database/list``; ``controllers/rpc.py``: Odoo's
external API, ``/xmlrpc/2/<service>`` (and the legacy ``/xmlrpc/<service>``) and ``/jsonrpc``;
``controllers/json2.py``: Odoo 19's ``POST /json/2/<model>/<method>``; ``controllers/dataset.py``:
``/web/dataset/call_kw`` (a model method called as the session's user, as OdooRPC does).

It is installed automatically with ``base`` (``auto_install``), so every database answers them.
"""

from . import controllers  # noqa: F401
