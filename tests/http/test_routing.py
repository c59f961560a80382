"""The @route decorator, controller registration per module, overrides and the URL map."""

from __future__ import annotations

import pytest
import werkzeug.routing
import werkzeug.wrappers
from werkzeug.exceptions import MethodNotAllowed, NotFound

from erplite.http.routing import Controller, Endpoint, build_routing_map, module_of, route


def _addon(module: str) -> str:
    """The Python module name a controller of erplite module ``module`` would have."""
    return f"erplite.addons.{module}.controllers"


def match(modules, path, method="GET"):
    adapter = build_routing_map(modules).bind("localhost")
    return adapter.match(path, method=method)


# -- controllers of test "modules" (their __module__ places them in erplite.addons.<module>) ---


class Catalog(Controller):
    __module__ = _addon("rt_catalog")

    @route("/rt/catalog/<int:item_id>", type="http", auth="public", methods=["GET"])
    def item(self, item_id):
        return f"item {item_id}"

    @route("/rt/catalog/search", type="json", auth="public")
    def search(self, term=""):
        return {"term": term}

    @route(["/rt/catalog/new", "/rt/catalog/create"], methods=["POST"])
    def create(self, name):
        return f"created {name}"

    @route("/rt/catalog/shared", cors="*", methods=["GET"], type="http", auth="none")
    def shared(self):
        return "shared"

    def helper(self):  # not a route
        return "helper"


class CatalogUser(Catalog):
    """Extension in module rt_catalog_user: only auth changes, the URL and type are kept."""

    __module__ = _addon("rt_catalog_user")

    @route(auth="user")
    def item(self, item_id):
        return super().item(item_id).get_data(as_text=True).upper()


class CatalogSearch(Catalog):
    """Another extension of the same controller, in module rt_catalog_search."""

    __module__ = _addon("rt_catalog_search")

    @route()
    def search(self, term=""):
        result = super().search(term)
        result["extended"] = True
        return result


class CatalogMoved(Catalog):
    """An extension moving a route to a new URL (module rt_catalog_moved)."""

    __module__ = _addon("rt_catalog_moved")

    @route("/rt/catalog/make", methods=["POST", "PUT"])
    def create(self, name):
        return super().create(name)


# -- the decorator ------------------------------------------------------------------------------


def test_route_records_its_arguments_and_the_original_function():
    def endpoint(self):
        return "x"

    decorated = route("/rt/x", type="json", auth="public", methods=["post", "get"])(endpoint)
    assert decorated.original_routing == {
        "type": "json",
        "auth": "public",
        "methods": ["POST", "GET"],
        "routes": ["/rt/x"],
    }
    assert decorated.original_endpoint is endpoint
    assert decorated.__name__ == "endpoint"


def test_route_refuses_unknown_types_auths_and_arguments():
    with pytest.raises(ValueError, match="type='xml'"):
        route("/rt/x", type="xml")
    with pytest.raises(ValueError, match="auth='admin'"):
        route("/rt/x", auth="admin")
    with pytest.raises(TypeError, match="csfr"):
        route("/rt/x", csfr=False)


def test_route_accepts_the_method_typo_and_the_jsonrpc_alias():
    decorated = route("/rt/x", method="post", type="jsonrpc")(lambda self: None)
    assert decorated.original_routing["methods"] == ["POST"]
    assert decorated.original_routing["type"] == "json"


def test_module_of_reads_the_erplite_module_from_the_python_module():
    assert module_of("erplite.addons.sale.controllers.main") == "sale"
    assert module_of("erplite.addons.sale") == "sale"
    assert module_of("erplite.http.routing") == ""
    assert module_of("erplite.addons") == ""
    assert Catalog in Controller.children_classes["rt_catalog"]
    # extensions are not top-level controllers: they are found through their parent
    assert CatalogUser not in Controller.children_classes["rt_catalog_user"]


# -- the map ------------------------------------------------------------------------------------


def test_routes_of_installed_modules_only():
    endpoint, args = match(["rt_catalog"], "/rt/catalog/7")
    assert endpoint.__name__ == "item" and args == {"item_id": 7}
    with pytest.raises(NotFound):
        match(["rt_other"], "/rt/catalog/7")


def test_merged_routing_defaults_for_a_dispatcher():
    endpoint, _ = match(["rt_catalog"], "/rt/catalog/7")
    assert isinstance(endpoint, Endpoint)
    assert endpoint.routing == {
        "type": "http",
        "auth": "public",
        "methods": ["GET"],
        "routes": ["/rt/catalog/<int:item_id>"],
        "csrf": True,
        "cors": None,
        "save_session": True,
        "readonly": False,
    }
    json_endpoint, _ = match(["rt_catalog"], "/rt/catalog/search", "POST")
    assert json_endpoint.routing["type"] == "json"
    assert json_endpoint.routing["csrf"] is False  # JSON routes are not CSRF-checked by default
    create, _ = match(["rt_catalog"], "/rt/catalog/create", "POST")
    assert create.routing["auth"] == "user"  # Odoo's default auth
    assert create.routing["routes"] == ["/rt/catalog/new", "/rt/catalog/create"]


def test_int_converter_matches_only_integers():
    assert match(["rt_catalog"], "/rt/catalog/42")[1] == {"item_id": 42}
    with pytest.raises(NotFound):
        match(["rt_catalog"], "/rt/catalog/forty-two")


def test_custom_converters_are_passed_to_the_map():
    class UpperConverter(werkzeug.routing.BaseConverter):
        def to_python(self, value):
            return value.upper()

    class Shouting(Controller):
        __module__ = _addon("rt_shouting")

        @route("/rt/shout/<upper:word>", auth="none")
        def shout(self, word):
            return word

    adapter = build_routing_map(["rt_shouting"], converters={"upper": UpperConverter}).bind("h")
    endpoint, args = adapter.match("/rt/shout/hey", method="GET")
    assert args == {"word": "HEY"}
    assert endpoint(**args).get_data(as_text=True) == "HEY"


def test_wrong_method_is_405_with_the_allowed_methods():
    with pytest.raises(MethodNotAllowed) as info:
        match(["rt_catalog"], "/rt/catalog/7", "POST")
    assert info.value.code == 405
    assert set(info.value.valid_methods) == {"GET", "HEAD"}


def test_cors_routes_also_accept_options_for_the_preflight():
    endpoint, _ = match(["rt_catalog"], "/rt/catalog/shared", "OPTIONS")
    assert endpoint.routing["cors"] == "*"
    with pytest.raises(MethodNotAllowed):  # other routes with methods do not
        match(["rt_catalog"], "/rt/catalog/7", "OPTIONS")


# -- calling endpoints --------------------------------------------------------------------------


def test_http_endpoint_result_becomes_a_response_and_json_result_stays_data():
    item, args = match(["rt_catalog"], "/rt/catalog/3")
    response = item(**args)
    assert isinstance(response, werkzeug.wrappers.Response)
    assert response.get_data(as_text=True) == "item 3"
    search, _ = match(["rt_catalog"], "/rt/catalog/search", "POST")
    assert search(term="tea") == {"term": "tea"}


def test_unknown_parameters_are_dropped_before_the_call():
    search, _ = match(["rt_catalog"], "/rt/catalog/search", "POST")
    assert search(term="tea", debug="1", context={}) == {"term": "tea"}


def test_endpoint_exposes_its_controller_through_func():
    item, _ = match(["rt_catalog"], "/rt/catalog/3")
    assert isinstance(item.func.__self__, Catalog)
    assert item.original_endpoint.__name__ == "item"


# -- overrides ----------------------------------------------------------------------------------


def test_override_applies_only_where_its_module_is_installed():
    plain, _ = match(["rt_catalog"], "/rt/catalog/5")
    assert plain.routing["auth"] == "public"
    assert plain(item_id=5).get_data(as_text=True) == "item 5"

    extended, _ = match(["rt_catalog", "rt_catalog_user"], "/rt/catalog/5")
    assert extended.routing["auth"] == "user"  # merged over the parent's
    assert extended.routing["methods"] == ["GET"]  # kept from the parent
    assert extended.routing["routes"] == ["/rt/catalog/<int:item_id>"]
    assert extended(item_id=5).get_data(as_text=True) == "ITEM 5"


def test_two_extensions_of_one_controller_are_combined():
    modules = ["rt_catalog", "rt_catalog_user", "rt_catalog_search"]
    adapter = build_routing_map(modules).bind("localhost")
    item, _ = adapter.match("/rt/catalog/1", method="GET")
    search, _ = adapter.match("/rt/catalog/search", method="POST")
    assert item(item_id=1).get_data(as_text=True) == "ITEM 1"
    assert search(term="x") == {"term": "x", "extended": True}
    combined = type(item.func.__self__)
    assert combined is type(search.func.__self__)  # one instance serves the whole hierarchy
    assert combined.__name__ == "Catalog (extended by CatalogUser, CatalogSearch)"


def test_building_maps_again_does_not_extend_the_combined_classes():
    modules = ["rt_catalog", "rt_catalog_user", "rt_catalog_search"]
    for _ in range(3):
        item, _ = match(modules, "/rt/catalog/1")
    assert type(item.func.__self__).__name__ == "Catalog (extended by CatalogUser, CatalogSearch)"


def test_override_with_a_new_url_replaces_the_old_ones():
    modules = ["rt_catalog", "rt_catalog_moved"]
    endpoint, _ = match(modules, "/rt/catalog/make", "PUT")
    assert endpoint(name="tea").get_data(as_text=True) == "created tea"
    with pytest.raises(NotFound):
        match(modules, "/rt/catalog/new", "POST")
    # without the extension, the original URLs are served
    assert match(["rt_catalog"], "/rt/catalog/new", "POST")[0].__name__ == "create"


def test_a_non_route_method_is_not_routed():
    rules = build_routing_map(["rt_catalog"]).iter_rules()
    names = {rule.endpoint.__name__ for rule in rules if rule.rule.startswith("/rt/catalog")}
    assert names == {"item", "search", "create", "shared"}
