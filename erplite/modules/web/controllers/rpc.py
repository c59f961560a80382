"""Odoo's external API over XML-RPC and JSON-RPC, as Odoo 17's ``base/controllers/rpc.py``.

Worked example (Python's own client)::

    import xmlrpc.client
    common = xmlrpc.client.ServerProxy("http://localhost:8069/xmlrpc/2/common")
    uid = common.login("shop", "admin", "admin")             # or an API key as the password
    models = xmlrpc.client.ServerProxy("http://localhost:8069/xmlrpc/2/object")
    models.execute_kw("shop", uid, "admin", "res.partner", "search_read",
                      [[["is_company", "=", True]]], {"fields": ["name"], "limit": 5})

and JSON-RPC::

    POST /jsonrpc {"jsonrpc": "2.0", "method": "call", "id": 1,
                   "params": {"service": "object", "method": "execute_kw", "args": [...]}}

Faults: ``/xmlrpc/2/`` answers an ``int`` fault code (1 application error, 2 ``UserError``,
3 ``AccessDenied``, 4 ``AccessError``), the legacy ``/xmlrpc/`` a string one; ``/jsonrpc``
answers Odoo's error envelope. The call runs in the request's transaction (retried on a
serialization failure), as the authenticated user.
"""

from __future__ import annotations

import functools

from werkzeug.exceptions import RequestEntityTooLarge

from erplite import http
from erplite.http import request, xmlrpc
from erplite.http.retrying import is_concurrency_error
from erplite.http.service import dispatch_rpc


def _xmlrpc_call(service: str):
    data = request.httprequest.get_data()
    params, method = xmlrpc.loads(data, request.app.max_json_depth)
    result = dispatch_rpc(service, method, params)
    return xmlrpc.xml_response(xmlrpc.dumps_result(result))


def _fault_response(handler, error: Exception):
    return xmlrpc.xml_response(handler(error))


def _attach_fault(error: Exception, handler) -> None:
    """Let the dispatcher answer ``error`` with a fault (after the rollback and the retries,
    so a retried serialization failure is neither logged nor answered). A body over the
    size limit stays a 413."""
    if isinstance(error, RequestEntityTooLarge):
        return
    if is_concurrency_error(error):
        error.error_response = functools.partial(_fault_response, handler, error)
    else:
        error.error_response = _fault_response(handler, error)


class RPC(http.Controller):
    @http.route(
        "/xmlrpc/<string:service>", auth="none", methods=["POST"], csrf=False, save_session=False
    )
    def xmlrpc_1(self, service: str):
        """XML-RPC with Odoo's legacy string fault codes."""
        try:
            return _xmlrpc_call(service)
        except Exception as error:
            _attach_fault(error, xmlrpc.handle_exception_string)
            raise

    @http.route(
        "/xmlrpc/2/<string:service>", auth="none", methods=["POST"], csrf=False, save_session=False
    )
    def xmlrpc_2(self, service: str):
        """XML-RPC with Odoo's integer fault codes."""
        try:
            return _xmlrpc_call(service)
        except Exception as error:
            _attach_fault(error, xmlrpc.handle_exception_int)
            raise

    @http.route("/jsonrpc", type="json", auth="none", save_session=False)
    def jsonrpc(self, service: str, method: str, args: list | None = None):
        """JSON-RPC: services ``common``, ``db`` and ``object``."""
        return dispatch_rpc(service, method, args if args is not None else [])
