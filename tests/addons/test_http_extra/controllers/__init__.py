"""One route, served only by the databases where this module is installed."""

from erplite import http


class Extra(http.Controller):
    @http.route("/test_http_extra/ping", type="http", auth="none", methods=["GET"])
    def ping(self):
        return "pong"
