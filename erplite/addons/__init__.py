"""Namespace under which every erplite module is imported: ``erplite.addons.<module>``.

The registry loads each module's package here from its folder (bundled, addons path or entry
point), as Odoo imports modules under ``odoo.addons``.
"""

__path__: list[str] = []
