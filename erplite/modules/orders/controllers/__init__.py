"""HTTP routes of the orders module: the REST API of orders and products (``rest_api``)."""

from . import rest_api  # noqa: F401
