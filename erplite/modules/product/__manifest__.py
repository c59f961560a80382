{
    "name": "Products",
    "version": "17.0.1.0",
    "summary": "Products, product categories and sales taxes",
    "description": """
Products (``product.product``) sorted in a category tree (``product.category``), with the
customer taxes (``account.tax``) applied when they are sold. Companies get a default sale tax.
""",
    "license": "LGPL-3",
    "depends": ["base"],
    "data": [
        "security/product_security.xml",
        "security/ir.model.access.csv",
        "data/product_data.xml",
        "views/product_views.xml",
        "data/product_actions.xml",
    ],
    "demo": [
        "demo/product_demo.xml",
    ],
    "installable": True,
}
