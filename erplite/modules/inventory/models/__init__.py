# product_product comes before stock_orderpoint, which extends its _invalidate_quantities
from . import (  # noqa: F401
    product_product,
    stock_location,
    stock_move,
    stock_move_line,
    stock_orderpoint,
    stock_picking,
    stock_picking_type,
    stock_quant,
    stock_warehouse,
)
