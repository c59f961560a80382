"""Routes of every kind for the HTTP tests."""

import datetime
import time

from erplite import http
from erplite.exceptions import AccessDenied, AccessError, MissingError, UserError, ValidationError
from erplite.http import request

from ..models.counter import POSTCOMMIT_LOG

ERRORS = {
    "user": lambda: UserError("Confirm the order first."),
    "validation": lambda: ValidationError("The end date is before the start date."),
    "access": lambda: AccessError("You may not read this."),
    "denied": lambda: AccessDenied("You may not log in here."),
    "missing": lambda: MissingError("The record was deleted."),
    "crash": lambda: RuntimeError("secret internals: password=hunter2"),
}


class TestRoutes(http.Controller):
    @http.route("/test_http/whoami", type="http", auth="public", methods=["GET"])
    def whoami(self):
        return request.make_json_response(
            {"uid": request.env.uid, "login": request.env.user.login, "db": request.db}
        )

    @http.route("/test_http/user", type="http", auth="user")
    def user_page(self):
        return f"user {request.env.user.login}"

    @http.route("/test_http/none", type="http", auth="none", methods=["GET"])
    def none_page(self):
        return f"none {request.env.uid if request.env is not None else 'nodb'}"

    @http.route("/test_http/echo/<int:number>", type="http", auth="public", methods=["GET", "POST"])
    def echo(self, number, **kw):
        return request.make_json_response({"number": number, "params": kw})

    @http.route("/test_http/nocsrf", type="http", auth="public", methods=["POST"], csrf=False)
    def nocsrf(self, **kw):
        return "posted without token"

    @http.route("/test_http/form", type="http", auth="public", methods=["GET"])
    def form(self):
        return request.render("test_http/hello.html", {"name": "<world>"})

    @http.route("/test_http/page", type="http", auth="public", methods=["GET"])
    def page(self):
        return request.render("test_http/hello.html", {"name": "page"}, lazy=False)

    @http.route("/test_http/raise/<string:kind>", type="http", auth="public")
    def raise_http(self, kind):
        raise ERRORS[kind]()

    @http.route("/test_http/json/raise", type="json", auth="public")
    def raise_json(self, kind):
        raise ERRORS[kind]()

    @http.route("/test_http/json/echo", type="json", auth="user")
    def json_echo(self, **kw):
        return {
            "params": kw,
            "context_lang": request.env.context.get("lang"),
            "marker": request.env.context.get("marker"),
            "uid": request.env.uid,
            "today": datetime.date(2024, 5, 1),
            "now": datetime.datetime(2024, 5, 1, 12, 30, 0),
        }

    @http.route("/test_http/json/public", type="json", auth="public")
    def json_public(self):
        return {"uid": request.env.uid}

    @http.route("/test_http/increment/<int:counter_id>", type="json", auth="user")
    def increment(self, counter_id, pause=0.0):
        counter = request.env["test_http.counter"].browse(counter_id)
        value = counter.value  # read first: the snapshot of this transaction
        time.sleep(pause)  # let the other request read the same value
        counter.value = value + 1
        request.env.flush_all()
        request.tries = getattr(request, "tries", 0) + 1
        return {"value": counter.value}

    @http.route("/test_http/duplicate", type="json", auth="user")
    def duplicate(self, name):
        request.env["test_http.counter"].create({"name": name})
        request.env["test_http.counter"].create({"name": name})
        return True

    @http.route("/test_http/hook", type="json", auth="user")
    def hook(self, tag, fail=False):
        request.env.cr.postcommit.add(lambda: POSTCOMMIT_LOG.append(tag))
        if fail:
            raise UserError("rolled back")
        return POSTCOMMIT_LOG.count(tag)

    @http.route("/test_http/upload", type="http", auth="user", methods=["POST"], csrf=False)
    def upload(self, upload=None, **kw):
        return request.make_json_response(
            {"name": upload.filename, "size": len(upload.read()), "kw": kw}
        )

    @http.route("/test_http/cors", type="json", auth="none", cors="*")
    def cors(self):
        return "cors"

    @http.route("/test_http/future", type="http", auth="none", methods=["GET"])
    def future(self):
        request.future_response.headers["X-Future"] = "yes"
        return "future"

    @http.route(
        "/test_http/upload_increment/<int:counter_id>",
        type="http",
        auth="user",
        methods=["POST"],
        csrf=False,
    )
    def upload_increment(self, counter_id, upload=None, pause="0"):
        """Read an upload, then increment like ``increment``: a retried try reads it again."""
        size = len(upload.read())
        counter = request.env["test_http.counter"].browse(counter_id)
        value = counter.value
        time.sleep(float(pause))
        counter.value = value + 1
        request.env.flush_all()
        return request.make_json_response({"size": size, "value": counter.value})

    @http.route(
        "/test_http/large_upload",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        max_content_length=1024 * 1024,
    )
    def large_upload(self, **kw):
        """Declares a larger body limit than the application's (as an upload route would)."""
        return request.make_json_response({"size": len(request.httprequest.get_data())})
