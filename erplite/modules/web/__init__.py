"""The web module: the routes every erplite database serves over HTTP.

``controllers/session.py``: ``/``, ``/web``, ``/web/login`` (a Jinja2 form working without
JavaScript), ``/web/session/authenticate``, ``/web/session/get_session_info``,
``/web/session/logout``; ``controllers/database.py``: ``/web/health``, ``/web/version``,
``/web/webclient/version_info``, ``/web/database/list``; ``controllers/rpc.py``: Odoo's
external API, ``/xmlrpc/2/<service>`` (and the legacy ``/xmlrpc/<service>``) and ``/jsonrpc``;
``controllers/json2.py``: Odoo 19's ``POST /json/2/<model>/<method>``; ``controllers/dataset.py``:
``/web/dataset/call_kw`` (a model method called as the session's user, as OdooRPC does).

The backoffice (issue 13): ``controllers/backoffice.py`` (``/web``: the apps; ``/web/menu/<id>``;
``/web/session/company``: the company switcher), ``controllers/list_page.py`` (a window action's
list: search panel, sort, pager, grouped lists), ``controllers/kanban_page.py`` (its cards in
columns, moved by drag and drop), ``controllers/form_page.py`` (a record's form: save, discard,
header buttons), ``controllers/autocomplete.py`` (many2one suggestions),
``controllers/preferences.py`` (the user's preferences and password),
``controllers/two_factor.py`` and ``controllers/api_keys.py`` (the user's TOTP and API keys),
``controllers/identity_check.py`` (the password asked again before a sensitive button),
``controllers/export.py`` and ``controllers/import_.py`` (a list's records to CSV/XLSX; a
CSV/XLSX file mapped, tested and imported), ``controllers/record_actions.py`` (the form's
action menu and a list's selection: duplicate, archive, delete, mass edit, bound server
actions), ``controllers/favorites.py`` (saved searches, ``ir.filters``). The
pages are drawn on the server from the views ``get_views`` returns (Odoo 17 arch) with the
Jinja2 templates of ``templates/backoffice``; ``ui/`` holds the logic without HTTP and
``ui/urls.py`` documents the bookmarkable URLs. Every read and write goes through the ORM as
the logged-in user. htmx 2 and Chart.js are vendored under ``static/lib`` (see its README).

It is installed automatically with ``base`` (``auto_install``), so every database answers them.
"""

from . import controllers  # noqa: F401
