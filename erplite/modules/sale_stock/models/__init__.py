from . import sale_order, sale_order_line, stock  # noqa: F401
