from . import res_company, sale_order, sale_order_history, sale_order_line  # noqa: F401
