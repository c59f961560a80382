from . import stock_backorder_confirmation, stock_picking_return  # noqa: F401
