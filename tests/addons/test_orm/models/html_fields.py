"""Html fields with each sanitising option, for ``tests/orm/test_fields_html.py``."""

from erplite import fields, models


class HtmlDocument(models.Model):
    _name = "test_orm.html"
    _description = "Html fields with each sanitising option"

    body = fields.Html()
    styled = fields.Html(sanitize_style=True)
    bare = fields.Html(strip_style=True, strip_classes=True)
    loose = fields.Html(sanitize_tags=False, sanitize_attributes=False, sanitize_form=False)
    raw = fields.Html(sanitize=False)
    overridable = fields.Html(sanitize_overridable=True)
