"""The ORM: fields, models and recordsets, environments, domains compiled to SQL.

Worked example (what a module's code does; ``env`` comes from a registry's cursor or a
request)::

    from erplite import api, fields, models

    class Book(models.Model):
        _name = "library.book"
        _description = "Book"

        name = fields.Char(required=True)
        author_id = fields.Many2one("res.partner")
        pages = fields.Integer()
        is_long = fields.Boolean(compute="_compute_is_long", store=True)

        @api.depends("pages")
        def _compute_is_long(self):
            for book in self:
                book.is_long = book.pages > 500

    books = env["library.book"].search([("author_id.name", "ilike", "ada")])  # SQL, one query
    books.write({"pages": 600})              # buffered; flushed before any query that could see it
    books.filtered_domain([("is_long", "=", True)])                          # in Python

Modules import ``erplite.api``, ``erplite.fields`` and ``erplite.models`` (the public faces);
the files of this package are the machinery behind them, one concept each:

- models and recordsets: ``models`` (``BaseModel``, ``Model``, the metaclass collecting
  definitions), ``recordset`` (the typed face the mixins share), ``ids`` (``NewId``), and the
  behaviour of every model split by what it does, one mixin a file: ``model_access`` (the
  access gate, the only file asking ``erplite.security``), ``model_fetch`` (into the cache),
  ``model_triggers`` (computed fields, what depends on a change), ``model_flush``,
  ``model_defaults``, ``model_create`` (with ``create_plan`` and ``model_create_lines``),
  ``model_write`` (``write``, ``unlink``, ``copy``), ``model_read`` (``read``, ``exists``),
  ``model_names`` (``display_name``, ``name_get``),
  ``model_search`` (``search``...), ``model_read_group``, ``model_onchange``,
  ``model_export``, ``model_import`` (with ``import_convert``), ``model_views``;
- fields: ``fields_base`` (the base ``Field``), ``fields`` (the scalar types), ``fields_relational``,
  ``commands`` (x2many ``Command``);
- environments and cache: ``environment``;
- searching: ``domains`` (parse, optimise, compile to SQL), ``search_plans`` (a domain shape's
  SQL reused), ``query`` (the SELECT builder), ``domain_eval`` (domains on records in Python),
  ``hierarchy`` (``child_of``/``parent_of`` values), ``arguments`` (the checks of callers'
  arguments), ``arrays`` (array parameters);
- the registry of one database: ``registry`` (the model classes of the modules it is given),
  ``model_setup`` (assembling classes, setting up fields), ``schema`` (tables made to match).

Arrows point down: the ORM uses ``erplite.sql``, ``erplite.exceptions``, ``erplite.tools`` and
``erplite.security`` (through ``model_access`` only); it never imports ``erplite.http`` nor
``erplite.loading`` (module loading is the layer above: ``erplite.Registry``, the public
registry, is :class:`erplite.loading.loader.Registry`). See ``docs/architecture.md``.
"""
