"""The backoffice's building blocks, without HTTP: each file one concept.

``widgets`` (posted text <-> ORM values), ``modifiers`` (Odoo 17 attribute expressions),
``list_arch`` / ``form_arch`` / ``search`` (a view's arch as a page draws it), ``form_values``
(what a form shows and writes), ``actions`` (a window action as the user may open it),
``shell`` (the menus), ``urls`` (the bookmarkable URLs), ``pages`` (the frame and error pages),
``spreadsheets`` (CSV/XLSX files written and read), ``data_fields`` (the fields an export or
an import offers, and the matching of a file's columns).
The controllers (``../controllers``) are thin: they call these and render the templates of
``../templates/backoffice``.
"""
