from . import account_tax, product_category, product_product, res_company  # noqa: F401
