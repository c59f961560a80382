"""Sanitising HTML for ``fields.Html``: Odoo 17's ``html_sanitize`` on the ammonia sanitiser.

Worked example::

    >>> from erplite.tools.html_sanitize import html_sanitize
    >>> html_sanitize('<p onclick="steal()">Hi <b>there</b><script>alert(1)</script></p>')
    '<p>Hi <b>there</b></p>'
    >>> html_sanitize('<a href="javascript:alert(1)">x</a><a href="/web">y</a>')
    '<a>x</a><a href="/web">y</a>'
    >>> html_sanitize('<p style="color: red; position: fixed">x</p>', sanitize_style=True)
    '<p style="color: red">x</p>'

The parsing and the cleaning are ammonia's (``nh3``, a maintained HTML5 sanitiser written in
Rust): a whitelist of tags and attributes, URL attributes limited to safe schemes (no
``javascript:``), comments dropped. What is kept follows Odoo 17's ``tools/mail.py``:

- **tags** (``sanitize_tags``): the standard HTML tags but those that run or load something
  (``script``, ``style``, ``iframe``, ``object``, ``embed``, ``frame``, ``base``, ``link``,
  ``meta``, ``noscript``, ``title``, ``head``; the content of the first ones goes with them).
  ``html`` and ``body`` are unwrapped. With ``sanitize_tags=False`` the less common HTML
  elements are kept too (media, ``dialog``, ``details``...); the dangerous ones never are.
- **forms** (``sanitize_form``): ``form`` is unwrapped and the form controls are removed.
- **attributes** (``sanitize_attributes``): the attributes lxml's cleaner deems safe, plus
  ``style``, ``class`` and the ``data-oe-*``/``data-*`` attributes Odoo's editor writes; with
  ``sanitize_attributes=False`` any ``data-*`` and ``aria-*`` attribute too. Event handlers
  (``on*``) are never kept.
- **style**: a declaration holding script (``expression(``, ``javascript:``, ``behavior``,
  ``-moz-binding``, ``@import``, a CSS escape) is always dropped; with ``sanitize_style`` only
  the properties of :data:`STYLE_WHITELIST` are kept; ``strip_style`` drops every ``style``
  and ``strip_classes`` every ``class``.
- **URLs**: ``http``, ``https``, ``mailto``, ``tel`` and the other common schemes, relative
  URLs, and ``data:`` only for a raster image in an ``img``'s ``src`` (Odoo's editor embeds
  pasted images so).

Differences from Odoo 17: comments are always removed (``sanitize_conditional_comments`` is
accepted for compatibility: conditional comments are comments), ``svg`` and ``math`` are never
kept, and the output is ammonia's HTML5 serialisation (attributes quoted with ``"``).
"""

from __future__ import annotations

import re
from typing import Any

import nh3

#: Tags kept by default (Odoo 17 keeps lxml's standard tags plus the HTML5 sectioning ones).
ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS) | {
    "address", "big", "font", "main", "section", "picture", "source", "video", "audio",
    "track",
}  # fmt: skip

#: Further elements kept when ``sanitize_tags=False`` (none of them runs or loads code).
EXTRA_TAGS = frozenset({
    "dialog", "menu", "meter", "progress", "search", "blink", "marquee", "nobr", "listing",
    "plaintext", "xmp", "basefont", "dir", "canvas", "noframes", "slot",
})  # fmt: skip

#: Form elements, kept only with ``sanitize_form=False``.
FORM_TAGS = frozenset({
    "form", "input", "select", "option", "optgroup", "textarea", "button", "label",
    "fieldset", "legend", "datalist", "output",
})  # fmt: skip

#: Removed with everything they contain.
KILLED_TAGS = frozenset({
    "script", "style", "iframe", "object", "noscript", "title", "frame", "frameset",
    "template", "svg", "math", "head",
})  # fmt: skip

#: Form controls removed with their content when ``sanitize_form`` (lxml's ``forms=True``).
KILLED_FORM_TAGS = frozenset({"button", "select", "textarea", "datalist", "output"})

#: lxml's ``defs.safe_attrs`` (what Odoo 17 keeps with ``sanitize_attributes``).
SAFE_ATTRIBUTES = frozenset({
    "abbr", "accept", "accept-charset", "accesskey", "action", "align", "alt", "axis",
    "border", "cellpadding", "cellspacing", "char", "charoff", "charset", "checked", "cite",
    "class", "clear", "cols", "colspan", "color", "compact", "coords", "datetime", "dir",
    "disabled", "enctype", "for", "frame", "headers", "height", "href", "hreflang", "hspace",
    "id", "ismap", "label", "lang", "longdesc", "maxlength", "media", "method", "multiple",
    "name", "nohref", "noshade", "nowrap", "prompt", "readonly", "rel", "rev", "rows",
    "rowspan", "rules", "scope", "selected", "shape", "size", "span", "src", "start",
    "summary", "tabindex", "target", "title", "type", "usemap", "valign", "value", "vspace",
    "width", "style",
})  # fmt: skip

#: The ``data-*`` attributes of Odoo 17's editor and mail quoting, kept with the safe ones.
ODOO_DATA_ATTRIBUTES = frozenset({
    "data-o-mail-quote", "data-o-mail-quote-node", "data-oe-model", "data-oe-id",
    "data-oe-field", "data-oe-type", "data-oe-expression", "data-oe-translation-initial-sha",
    "data-oe-nodeid", "data-last-history-steps", "data-oe-protected",
    "data-oe-transient-content", "data-publish", "data-id", "data-res_id", "data-interval",
    "data-member_id", "data-scroll-background-ratio", "data-view-id", "data-class",
    "data-mimetype", "data-original-src", "data-original-id", "data-gl-filter", "data-quality",
    "data-resize-width", "data-shape", "data-shape-colors", "data-file-name",
    "data-original-mimetype", "data-behavior-props", "data-prop-name",
    "data-mimetype-before-conversion",
})  # fmt: skip

#: More attributes kept with ``sanitize_attributes=False`` (with any ``data-*``/``aria-*``).
EXTRA_ATTRIBUTES = frozenset({
    "role", "translate", "hidden", "draggable", "spellcheck", "contenteditable", "loading",
    "srcset", "sizes", "poster", "controls", "autoplay", "loop", "muted", "preload",
    "download", "reversed", "open", "placeholder", "kind", "srclang", "default", "dropzone",
})  # fmt: skip

#: Odoo 17's ``_style_whitelist``: the CSS properties kept with ``sanitize_style``.
STYLE_WHITELIST = frozenset(
    {
        "font-size", "font-family", "font-weight", "font-style", "background-color", "color",
        "text-align", "line-height", "letter-spacing", "text-transform", "text-decoration",
        "opacity", "float", "vertical-align", "display", "padding", "padding-top",
        "padding-left", "padding-bottom", "padding-right", "margin", "margin-top",
        "margin-left", "margin-bottom", "margin-right", "white-space", "border",
        "border-color", "border-radius", "border-style", "border-width", "border-top",
        "border-bottom", "height", "width", "max-width", "min-width", "min-height",
        "border-collapse", "border-spacing", "caption-side", "empty-cells", "table-layout",
    }
    | {
        f"border-{side}-{part}"
        for side in ("top", "bottom", "left", "right")
        for part in ("style", "color", "width", "left-radius", "right-radius")
    }
)  # fmt: skip

#: URL schemes kept in ``href``/``src``/``action``... (ammonia's list, plus ``data`` for the
#: images checked by :func:`_attribute_filter`).
URL_SCHEMES = frozenset(nh3.ALLOWED_URL_SCHEMES) | {"data"}

#: Attributes holding a URL (``data:`` is checked on them).
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "cite", "longdesc", "usemap", "poster"})

_SAFE_DATA_IMAGE = re.compile(r"^data:image/(png|jpe?g|gif|webp|bmp);base64,[a-z0-9+/=\s]*$", re.I)

# what makes a CSS value run script, looked for once comments, escapes and spaces are gone
_SNEAKY_CSS = ("expression(", "javascript:", "vbscript:", "behavior:", "-moz-binding", "@import")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def _clean_style(value: str, whitelist: frozenset[str] | None) -> str | None:
    """The declarations of a ``style`` attribute that are safe (and whitelisted, when a
    whitelist is given); ``None`` when none is left."""
    kept = []
    for declaration in _CSS_COMMENT.sub("", value).split(";"):
        name, sep, css_value = declaration.partition(":")
        name = name.strip().lower()
        if not sep or not name:
            continue
        squashed = re.sub(r"\s+", "", f"{name}:{css_value}").lower()
        if "\\" in squashed or any(marker in squashed for marker in _SNEAKY_CSS):
            continue
        if "url(" in squashed and not re.search(r"url\((['\"]?)(https?:|/|data:image/)", squashed):
            continue  # only plain http(s), local and image URLs in backgrounds
        if whitelist is not None and name not in whitelist:
            continue
        kept.append(f"{name}: {css_value.strip()}")
    return "; ".join(kept) or None


def _attribute_filter(style_whitelist: frozenset[str] | None):
    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "style":
            return _clean_style(value, style_whitelist)
        if attribute in _URL_ATTRIBUTES and value.strip().lower().startswith("data:"):
            if tag == "img" and attribute == "src" and _SAFE_DATA_IMAGE.match(value.strip()):
                return value
            return None
        return value

    return attribute_filter


def html_sanitize(
    src: Any,
    silent: bool = True,
    sanitize_tags: bool = True,
    sanitize_attributes: bool = True,
    sanitize_style: bool = False,
    sanitize_form: bool = True,
    sanitize_conditional_comments: bool = True,
    strip_style: bool = False,
    strip_classes: bool = False,
    output_method: str = "html",
) -> str:
    """``src`` with everything that could run script removed (Odoo 17's signature; see the
    module docstring for what each option keeps). ``silent`` and ``output_method`` are
    accepted for compatibility: ammonia never fails on bad markup and writes HTML5.

    ``None``/``False``/empty give ``''``; any other non-string is turned into text first.
    """
    if not src:
        return ""
    if not isinstance(src, str):
        src = str(src)
    tags = set(ALLOWED_TAGS)
    if not sanitize_tags:
        tags |= EXTRA_TAGS
    killed = set(KILLED_TAGS)
    if sanitize_form:
        killed |= KILLED_FORM_TAGS
    else:
        tags |= FORM_TAGS
    tags -= killed
    attributes = set(SAFE_ATTRIBUTES) | ODOO_DATA_ATTRIBUTES
    prefixes: set[str] = set()
    if not sanitize_attributes:
        attributes |= EXTRA_ATTRIBUTES
        prefixes = {"data-", "aria-"}
    if strip_style:
        attributes.discard("style")
    if strip_classes:
        attributes.discard("class")
    return nh3.clean(
        src,
        tags=tags,
        clean_content_tags=killed,
        attributes={"*": attributes},
        generic_attribute_prefixes=prefixes or None,
        attribute_filter=_attribute_filter(STYLE_WHITELIST if sanitize_style else None),
        strip_comments=True,
        link_rel=None,
        url_schemes=set(URL_SCHEMES),
    )


__all__ = [
    "ALLOWED_TAGS",
    "SAFE_ATTRIBUTES",
    "STYLE_WHITELIST",
    "html_sanitize",
]
