"""Server-side QWeb: the one template language of kanban cards, mail bodies and reports.

A template is XML (Odoo 17's QWeb). It is compiled once into a tree of Python closures (never
into source text for ``exec``) and every expression in it is parsed and checked once by the
restricted evaluator (:mod:`erplite.tools.safe_eval`); rendering walks the closures and returns
:class:`markupsafe.Markup`. This module knows nothing of the ORM: templates come from a
*loader* (a callable mapping a template name to its XML), and ``ir.qweb`` in ``base`` plugs the
database's ``ir.ui.view`` records of type ``qweb`` into it.

Worked example::

    >>> from erplite.tools.qweb import QWeb, render
    >>> render('<p t-foreach="names" t-as="n" t-att-class="n_first and \\'first\\'">'
    ...        '<t t-out="n"/></p>', {"names": ["<b>Ann</b>", "Bob"]})
    Markup('<p class="first">&lt;b&gt;Ann&lt;/b&gt;</p><p>Bob</p>')
    >>> templates = {"layout": '<div class="card"><t t-out="0"/></div>',
    ...              "page": '<t t-call="layout"><b t-esc="title"/></t>'}
    >>> QWeb(templates.__getitem__).render("page", {"title": "Hi"})
    Markup('<div class="card"><b>Hi</b></div>')

The subset (Odoo 17's semantics; anything else starting with ``t-`` is refused when compiling):

- ``<t>``: renders its content only. Comments are dropped.
- ``t-if`` / ``t-elif`` / ``t-else`` on consecutive sibling elements (whitespace between them
  is dropped). ``t-foreach`` is applied before ``t-if`` on the same element, so such a
  ``t-if`` filters items and starts no chain.
- ``t-foreach="expr" t-as="name"``: ``expr`` may be an iterable, a dict (``name`` is the key,
  ``name_value`` the value) or an integer ``n`` (``range(n)``). In the body: ``name``,
  ``name_index`` (from 0), ``name_value``, ``name_size``, ``name_first``, ``name_last``,
  ``name_odd``, ``name_even``, ``name_parity`` (``'odd'``/``'even'``). Variables set in the body
  (the loop's too) do not outlive the loop.
- ``t-out="expr"`` (and its older name ``t-esc``): the value, HTML-escaped unless it is markup
  (an object with ``__html__``, such as :class:`~markupsafe.Markup` or a sanitised html field).
  ``None`` and ``False`` render the element's body instead (a default). ``t-out="0"`` is the
  body given to the ``t-call`` that called this template. ``t-raw`` is gone in Odoo 17 and is
  refused: pass :class:`~markupsafe.Markup` to ``t-out``.
- ``t-set="name"`` with ``t-value="expr"``, ``t-valuef="format"`` or a body (rendered to
  :class:`~markupsafe.Markup`).
- ``t-att-NAME="expr"`` (omitted when ``None`` or ``False``; ``True`` gives ``NAME="NAME"``),
  ``t-attf-NAME="format"``, ``t-att="expr"`` (a dict or a ``(name, value)`` pair). A dynamic
  attribute replaces a static one of the same name. Formats interpolate ``{{ expr }}`` and
  ``#{ expr }``, escaped.
- ``t-call="name"`` (a format too) renders another template with a copy of the current
  variables; the ``t-call`` element's body is rendered first, its ``t-set``\\ s define variables
  for the called template and its output is the variable ``0``. Calls nest at most
  :data:`MAX_CALL_DEPTH` deep (a recursion that never ends is an error, not a crash).
- ``t-field="record.field_name"`` (Odoo 17): the field's value formatted by its type (a
  monetary amount with its currency, a date or a datetime in the user's time zone, a
  many2one's display name...), HTML-escaped unless the formatter gives markup; an empty value
  renders the element's body instead. The formatting options come from ``t-options="{...}"``
  (a dict) and ``t-options-KEY="expr"`` attributes (``widget``, ``display_currency``,
  ``precision``, ``format``...). The engine knows nothing of records: the ``field_renderer``
  given to :class:`QWeb` formats (see :mod:`erplite.tools.qweb_fields` for records of the
  ORM); without one, a ``t-field`` is an error.
- Ignored as Odoo ignores them on the server: ``t-name``, ``t-key``, ``t-translation``.

Expressions are Python under the restricted evaluator's rules; a name that is not defined reads
as ``None`` (as in Odoo, ``t-if="not missing"`` holds). Every error is a :class:`QWebError`
naming the template, the line and node, and the expression.
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from markupsafe import Markup, escape

from erplite.tools.lazy_modules import lazy_module
from erplite.tools.safe_eval import BUILTIN_NAMES, Expression, SafeEvalError, compile_expression

if TYPE_CHECKING:
    from lxml import etree
else:  # lxml imported on first use (erplite.tools.lazy_modules)
    etree = lazy_module("lxml.etree", __name__, "etree")

__all__ = [
    "FieldRenderer",
    "MAX_CALL_DEPTH",
    "QWeb",
    "QWebError",
    "Template",
    "render",
]

#: Deepest nesting of ``t-call``\ s in one rendering.
MAX_CALL_DEPTH = 50

#: HTML elements written without a closing tag (``<br/>``).
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr"}
)  # fmt: skip

_IGNORED_DIRECTIVES = frozenset({"t-name", "t-key", "t-translation"})
_KNOWN_DIRECTIVES = frozenset(
    {"t-if", "t-elif", "t-else", "t-foreach", "t-as", "t-out", "t-esc", "t-set", "t-value",
     "t-valuef", "t-call", "t-att", "t-field", "t-options"}
) | _IGNORED_DIRECTIVES  # fmt: skip
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_ATTRIBUTE_NAME = re.compile(r"[^\s\"'<>/=\x00-\x1f\x7f]+\Z")
_NOT_FOUND = "template not found"
_FORMAT = re.compile(r"\{\{(.+?)\}\}|#\{(.+?)\}", re.S)

#: Loads the XML of a template by name; raises ``KeyError`` (or returns ``None``) when unknown.
Loader: TypeAlias = Callable[[str], "str | bytes | etree._Element | None"]
#: Formats ``t-field``: ``(record, field name, options)`` to the text (or markup) shown.
FieldRenderer: TypeAlias = Callable[[Any, str, dict], Any]
#: A compiled node: writes its output for the given variables into the list.
_Render: TypeAlias = Callable[["_Rendering", dict, list], None]


class QWebError(ValueError):
    """A template could not be compiled or rendered.

    ``reason`` says what is wrong; ``template`` names the template, ``line`` and ``node`` (the
    element's tag and directives) locate it, and ``expression`` is the expression concerned,
    when there is one. ``str(error)`` joins them.
    """

    def __init__(
        self,
        reason: str,
        *,
        template: str | None = None,
        line: int | None = None,
        node: str | None = None,
        expression: str | None = None,
    ):
        self.reason = reason
        self.template = template
        self.line = line
        self.node = node
        self.expression = expression
        where = []
        if template is not None:
            where.append(f"template {template!r}")
        if line is not None:
            where.append(f"line {line}")
        if node is not None:
            where.append(f"node {node}")
        if expression is not None:
            where.append(f"expression {expression!r}")
        super().__init__(f"{reason} ({', '.join(where)})" if where else reason)


@dataclass(frozen=True)
class _Site:
    """Where a compiled piece comes from, for error messages."""

    template: str
    line: int | None
    node: str

    def error(self, reason: str, expression: str | None = None) -> QWebError:
        return QWebError(
            reason, template=self.template, line=self.line, node=self.node, expression=expression
        )


class _Scope(Mapping[str, Any]):
    """The variables as an expression sees them: a name that is not defined is ``None`` (as
    in Odoo), except the evaluator's builtins, which stay reachable."""

    __slots__ = ("variables",)

    def __init__(self, values: dict[str, Any]):
        self.variables = values

    def __contains__(self, name: object) -> bool:
        return name in self.variables or name not in BUILTIN_NAMES

    def __getitem__(self, name: str) -> Any:
        return self.variables.get(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.variables)

    def __len__(self) -> int:
        return len(self.variables)


class _Expr:
    """One expression of a template, checked when compiled, evaluated with its site."""

    __slots__ = ("expression", "site")

    def __init__(self, text: str, site: _Site):
        self.site = site
        try:
            self.expression: Expression = compile_expression(text)
        except SafeEvalError as exc:
            raise site.error(f"invalid expression: {exc}", text) from None

    def __call__(self, values: dict[str, Any]) -> Any:
        try:
            return self.expression.evaluate(_Scope(values))
        except SafeEvalError as exc:
            raise self.site.error(f"cannot evaluate: {exc}", self.expression.text) from exc


class _Format:
    """A format string (``t-attf-*``, ``t-valuef``, ``t-call``): text with ``{{ expr }}`` and
    ``#{ expr }`` parts (``None`` and ``False`` give nothing); the result is escaped where it
    is written."""

    __slots__ = ("parts",)

    def __init__(self, text: str, site: _Site):
        self.parts: list[str | _Expr] = []
        position = 0
        for match in _FORMAT.finditer(text):
            if match.start() > position:
                self.parts.append(text[position : match.start()])
            self.parts.append(_Expr(match.group(1) or match.group(2), site))
            position = match.end()
        if position < len(text):
            self.parts.append(text[position:])

    def __call__(self, values: dict[str, Any]) -> str:
        pieces = []
        for part in self.parts:
            if isinstance(part, str):
                pieces.append(part)
            else:
                value = part(values)
                pieces.append("" if value is None or value is False else str(value))
        return "".join(pieces)


class Template:
    """A compiled template: :meth:`render` it through a :class:`QWeb` (which resolves its
    ``t-call``\\ s)."""

    __slots__ = ("name", "_render")

    def __init__(self, name: str, render: _Render):
        self.name = name
        self._render = render


class _Rendering:
    """One call of :meth:`QWeb.render`: the engine and the depth of ``t-call``\\ s."""

    __slots__ = ("qweb", "depth")

    def __init__(self, qweb: QWeb):
        self.qweb = qweb
        self.depth = 0


class QWeb:
    """Renders templates found by ``loader``, compiling each once.

    ``cache`` (a dict, shared between instances if given) keeps the compiled templates by
    name; whoever owns the templates drops it when they change. The instance is safe to use
    from several threads.
    """

    def __init__(
        self,
        loader: Loader | None = None,
        *,
        cache: dict[str, Template] | None = None,
        max_call_depth: int | None = None,
        field_renderer: FieldRenderer | None = None,
    ):
        self.loader = loader
        self.field_renderer = field_renderer
        self.cache: dict[str, Template] = {} if cache is None else cache
        self.max_call_depth = MAX_CALL_DEPTH if max_call_depth is None else max_call_depth
        self._lock = threading.Lock()

    def render(self, name: str, values: Mapping[str, Any] | None = None) -> Markup:
        """Render the template ``name`` with the variables ``values`` (copied, not changed).

        :raises QWebError: when the template is unknown, invalid or fails to render.
        """
        return self._run(self.get_template(name), values)

    def render_template(
        self, template: Template, values: Mapping[str, Any] | None = None
    ) -> Markup:
        """Render a template compiled by :meth:`compile` (its ``t-call``\\ s use the loader)."""
        return self._run(template, values)

    def get_template(self, name: str) -> Template:
        """The compiled template ``name``, from the cache or loaded and compiled now."""
        template = self.cache.get(name)
        if template is None:
            with self._lock:
                template = self.cache.get(name)
                if template is None:
                    template = self.compile(self._load(name), name)
                    self.cache[name] = template
        return template

    def compile(self, arch: str | bytes | etree._Element, name: str = "<inline>") -> Template:
        """Compile the XML ``arch`` into a template named ``name`` (for errors and the cache).

        :raises QWebError: for invalid XML, an unknown directive or a refused expression.
        """
        if isinstance(arch, etree._Element):
            root = copy.deepcopy(arch)  # comments go, their tails stay
            etree.strip_tags(root, etree.Comment, etree.ProcessingInstruction)  # type: ignore[arg-type]
        else:
            data = arch.encode() if isinstance(arch, str) else arch
            if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                raise QWebError("DOCTYPE and entity declarations are not allowed", template=name)
            try:
                root = etree.fromstring(data, parser=_parser())
            except etree.XMLSyntaxError as exc:
                raise QWebError(f"invalid XML: {exc}", template=name) from None
            if root is None:
                raise QWebError("the template is empty", template=name)
        if root.tag == "templates":  # a file of templates: the one named as asked
            named = [child for child in root if child.get("t-name") == name]
            if not named:
                raise QWebError("no <t t-name> of this name in the <templates>", template=name)
            root = named[0]
        return Template(name, _Compiler(name).root(root))

    def _load(self, name: str) -> str | bytes | etree._Element:
        if not name:
            raise QWebError("a template name is required")
        arch = None
        if self.loader is not None:
            try:
                arch = self.loader(name)
            except KeyError:
                arch = None
        if arch is None:
            raise QWebError(_NOT_FOUND, template=name)
        return arch

    def _run(self, template: Template, values: Mapping[str, Any] | None) -> Markup:
        out: list[str] = []
        template._render(_Rendering(self), dict(values or {}), out)
        return Markup("".join(out))

    def _call(self, rendering: _Rendering, name: str, values: dict, out: list, site: _Site) -> None:
        if rendering.depth >= self.max_call_depth:
            raise site.error(
                f"t-call nested too deeply (limit {self.max_call_depth}): does {name!r} call itself?"
            )
        try:
            template = self.get_template(name)
        except QWebError as exc:
            if exc.template == name and exc.reason == _NOT_FOUND:
                raise site.error(f"cannot call template {name!r}: {exc.reason}") from None
            raise
        rendering.depth += 1
        try:
            template._render(rendering, values, out)
        finally:
            rendering.depth -= 1


def render(
    arch: str | bytes, values: Mapping[str, Any] | None = None, *, loader: Loader | None = None
) -> Markup:
    """Compile and render the one template ``arch`` (an inline template, such as a mail body)
    with ``values``; its ``t-call``\\ s are resolved by ``loader``."""
    qweb = QWeb(loader)
    return qweb.render_template(qweb.compile(arch), values)


_PARSERS = threading.local()


def _parser() -> etree.XMLParser:
    """The template parser of this thread (lxml parsers are not shared between threads)."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            remove_comments=True,
            remove_pis=True,
            huge_tree=False,
        )
    return parser


# ---------------------------------------------------------------------------------------------
# The compiler: XML elements to closures
# ---------------------------------------------------------------------------------------------


def _describe(el: etree._Element) -> str:
    directives = " ".join(
        f'{key}="{value}"' for key, value in el.attrib.items() if key.startswith("t-")
    )
    return f"<{el.tag}{' ' + directives if directives else ''}>"


def _noop(rendering: _Rendering, values: dict, out: list) -> None:
    return None


def _text(text: str) -> _Render:
    escaped = str(escape(text))

    def write(rendering: _Rendering, values: dict, out: list) -> None:
        out.append(escaped)

    return write


def _sequence(parts: list[_Render]) -> _Render:
    if not parts:
        return _noop
    if len(parts) == 1:
        return parts[0]

    def run(rendering: _Rendering, values: dict, out: list) -> None:
        for part in parts:
            part(rendering, values, out)

    return run


def _markup(value: Any) -> str:
    """``value`` as HTML: markup as it is, anything else escaped."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return str(escape(str(value)))


class _Compiler:
    """Compiles the elements of one template."""

    def __init__(self, name: str):
        self.name = name

    def site(self, el: etree._Element) -> _Site:
        return _Site(self.name, el.sourceline, _describe(el))

    def root(self, el: etree._Element) -> _Render:
        """The closure rendering the template's root element (whose t-if has no siblings)."""
        if el.get("t-elif") is not None or el.get("t-else") is not None:
            raise self.site(el).error("t-elif or t-else without a t-if on the element before it")
        render = self.element(el)
        if el.get("t-if") is not None and el.get("t-foreach") is None:
            render = _condition([(_Expr(el.get("t-if", ""), self.site(el)), render)], None)
        return render

    def element(self, el: etree._Element) -> _Render:
        """The closure rendering ``el`` (without its tail), loop and condition included."""
        site = self.site(el)
        if not isinstance(el.tag, str):
            return _noop
        for key in el.attrib:
            if key.startswith("t-") and key not in _KNOWN_DIRECTIVES:
                if not key.startswith(("t-att-", "t-attf-", "t-options-")):
                    reason = (
                        "t-raw is not supported (as in Odoo 17): use t-out with a Markup value"
                        if key == "t-raw"
                        else f"unknown directive {key}"
                    )
                    raise site.error(reason)
        body = self.children(el)
        content = self.content(el, site, body)
        render = content if el.tag == "t" else self.tag(el, site, content)
        if el.get("t-foreach") is not None:
            if el.get("t-if") is not None:
                render = _condition([(_Expr(el.get("t-if", ""), site), render)], None)
            return self.foreach(el, site, render)
        if el.get("t-as") is not None:
            raise site.error("t-as without t-foreach")
        return render

    def children(self, el: etree._Element) -> _Render:
        """The closure rendering ``el``'s text and children (with their tails), the
        ``t-if``/``t-elif``/``t-else`` chains among them folded into one closure each."""
        parts: list[_Render] = []
        if el.text:
            parts.append(_text(el.text))
        children = [child for child in el if isinstance(child.tag, str)]
        index = 0
        while index < len(children):
            child = children[index]
            site = self.site(child)
            if child.get("t-elif") is not None or child.get("t-else") is not None:
                raise site.error("t-elif or t-else without a t-if on the element before it")
            if child.get("t-if") is None or child.get("t-foreach") is not None:
                parts.append(self.element(child))
                if child.tail:
                    parts.append(_text(child.tail))
                index += 1
                continue
            branches = [(_Expr(child.get("t-if", ""), site), self.element(child))]
            otherwise = None
            last = child
            while index + 1 < len(children) and (last.tail or "").strip() == "":
                following = children[index + 1]
                following_site = self.site(following)
                if following.get("t-elif") is not None:
                    if following.get("t-foreach") is not None:
                        raise following_site.error("t-elif cannot be combined with t-foreach")
                    branches.append(
                        (
                            _Expr(following.get("t-elif", ""), following_site),
                            self.element(following),
                        )
                    )
                elif following.get("t-else") is not None:
                    if following.get("t-foreach") is not None:
                        raise following_site.error("t-else cannot be combined with t-foreach")
                    otherwise = self.element(following)
                else:
                    break
                index += 1
                last = following
                if otherwise is not None:
                    break
            parts.append(_condition(branches, otherwise))
            if last.tail:
                parts.append(_text(last.tail))
            index += 1
        return _sequence(parts)

    def content(self, el: etree._Element, site: _Site, body: _Render) -> _Render:
        """What is inside the element's tag: its body, or what t-out/t-call/t-set make of it."""
        out_expr = el.get("t-out") if el.get("t-out") is not None else el.get("t-esc")
        given = [
            key
            for key in ("t-out", "t-esc", "t-call", "t-set", "t-field")
            if el.get(key) is not None
        ]
        if len(given) > 1:
            raise site.error(f"{' and '.join(given)} cannot be combined on one element")
        if out_expr is not None:
            return _output(out_expr, site, body)
        if el.get("t-field") is not None:
            return _field(el, site, body)
        if el.get("t-options") is not None or any(k.startswith("t-options-") for k in el.attrib):
            raise site.error("t-options without t-field")
        if el.get("t-call") is not None:
            return _call(_Format(el.get("t-call", ""), site), site, body)
        if el.get("t-set") is not None:
            if el.tag != "t":
                raise site.error("t-set is only allowed on a <t> element")
            return _set(el, site, body)
        if el.get("t-value") is not None or el.get("t-valuef") is not None:
            raise site.error("t-value without t-set")
        return body

    def tag(self, el: etree._Element, site: _Site, content: _Render) -> _Render:
        """Wrap ``content`` in the element's opening and closing tags, attributes evaluated."""
        tag = el.tag
        if not _ATTRIBUTE_NAME.match(tag):
            raise site.error(f"invalid tag name {tag!r}")
        static: list[tuple[str, str]] = []
        dynamic: list[tuple[str, Callable[[dict], Any]]] = []
        whole: _Expr | None = None
        for key, value in el.attrib.items():
            if key.startswith("t-att-"):
                dynamic.append((key[6:], _Expr(value, site)))
            elif key.startswith("t-attf-"):
                dynamic.append((key[7:], _Format(value, site)))
            elif key == "t-att":
                whole = _Expr(value, site)
            elif not key.startswith("t-"):
                static.append((key, value))
        for name, _ in dynamic:
            if not _ATTRIBUTE_NAME.match(name):
                raise site.error(f"invalid attribute name {name!r}")
        void = tag in VOID_ELEMENTS
        close = f"</{tag}>"
        if not dynamic and whole is None:
            opening = f"<{tag}{''.join(f' {k}={_quote(v)}' for k, v in static)}"

            def fixed(rendering: _Rendering, values: dict, out: list) -> None:
                if void:
                    out.append(opening + "/>")
                    content(rendering, values, out)  # t-set inside a void tag still runs
                    return
                out.append(opening + ">")
                content(rendering, values, out)
                out.append(close)

            return fixed

        def render(rendering: _Rendering, values: dict, out: list) -> None:
            attributes = dict(static)
            for name, compute in dynamic:
                attributes[name] = compute(values)
            if whole is not None:
                for name, value in _attribute_pairs(whole(values), site, whole.expression.text):
                    attributes[name] = value
            text = "".join(
                f" {name}={_quote(name if value is True else value)}"
                for name, value in attributes.items()
                if value is not None and value is not False
            )
            if void:
                out.append(f"<{tag}{text}/>")
                content(rendering, values, out)
                return
            out.append(f"<{tag}{text}>")
            content(rendering, values, out)
            out.append(close)

        return render

    def foreach(self, el: etree._Element, site: _Site, body: _Render) -> _Render:
        name = el.get("t-as")
        if name is None:
            raise site.error("t-foreach without t-as")
        if not _IDENTIFIER.match(name):
            raise site.error(f"t-as must be a name, not {name!r}")
        iterable = _Expr(el.get("t-foreach", ""), site)
        keys = {
            suffix: f"{name}_{suffix}"
            for suffix in ("index", "value", "size", "first", "last", "odd", "even", "parity")
        }

        def loop(rendering: _Rendering, values: dict, out: list) -> None:
            items = iterable(values)
            if isinstance(items, bool) or items is None:
                raise site.error(
                    f"t-foreach needs an iterable, not {items!r}", iterable.expression.text
                )
            if isinstance(items, int):
                items = range(items)
            mapping = items if isinstance(items, Mapping) else None
            try:
                size = len(items)
            except TypeError:
                size = None
            try:
                iterator = iter(items)
            except TypeError:
                raise site.error(
                    f"t-foreach needs an iterable, not {type(items).__name__}",
                    iterable.expression.text,
                ) from None
            inner = dict(values)  # what the body sets stays in the loop
            inner[keys["size"]] = size
            index = 0
            for item in iterator:
                inner[name] = item
                inner[keys["value"]] = mapping[item] if mapping is not None else item
                inner[keys["index"]] = index
                inner[keys["first"]] = index == 0
                inner[keys["last"]] = size is not None and index == size - 1
                inner[keys["odd"]] = index % 2 == 1
                inner[keys["even"]] = index % 2 == 0
                inner[keys["parity"]] = "odd" if index % 2 else "even"
                body(rendering, inner, out)
                index += 1

        return loop


def _quote(value: Any) -> str:
    return f'"{escape(str(value))}"'


def _attribute_pairs(value: Any, site: _Site, expression: str) -> list[tuple[str, Any]]:
    """The ``(name, value)`` pairs of a ``t-att`` value (a mapping or one pair)."""
    if isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, (list, tuple)) and len(value) == 2 and isinstance(value[0], str):
        pairs = [(value[0], value[1])]
    else:
        raise site.error(
            f"t-att needs a dict or a (name, value) pair, not {type(value).__name__}", expression
        )
    for name, _ in pairs:
        if not isinstance(name, str) or not _ATTRIBUTE_NAME.match(name):
            raise site.error(f"invalid attribute name {name!r}", expression)
    return pairs


def _condition(branches: list[tuple[_Expr, _Render]], otherwise: _Render | None) -> _Render:
    def choose(rendering: _Rendering, values: dict, out: list) -> None:
        for condition, render in branches:
            if condition(values):
                render(rendering, values, out)
                return
        if otherwise is not None:
            otherwise(rendering, values, out)

    return choose


def _output(text: str, site: _Site, default: _Render) -> _Render:
    if text.strip() == "0":  # the body given to the t-call of this template

        def body(rendering: _Rendering, values: dict, out: list) -> None:
            value = values.get("0")
            if value is None or value is False:
                default(rendering, values, out)
            else:
                out.append(_markup(value))

        return body
    expression = _Expr(text, site)

    def output(rendering: _Rendering, values: dict, out: list) -> None:
        value = expression(values)
        if value is None or value is False:
            default(rendering, values, out)
        else:
            out.append(_markup(value))

    return output


def _field(el: etree._Element, site: _Site, default: _Render) -> _Render:
    """``t-field="record.name"`` with its ``t-options``: see the module's docstring."""
    text = el.get("t-field", "").strip()
    record_text, _, name = text.rpartition(".")
    if not record_text or not _IDENTIFIER.match(name):
        raise site.error(f"t-field needs record.field_name, not {text!r}", text)
    record = _Expr(record_text, site)
    whole = _Expr(el.get("t-options", ""), site) if el.get("t-options") is not None else None
    each = [
        (key[len("t-options-") :], _Expr(value, site))
        for key, value in el.attrib.items()
        if key.startswith("t-options-")
    ]

    def field(rendering: _Rendering, values: dict, out: list) -> None:
        renderer = rendering.qweb.field_renderer
        if renderer is None:
            raise site.error("t-field cannot be rendered here (no field renderer)", text)
        options: dict[str, Any] = {}
        if whole is not None:
            given = whole(values)
            if given is not None and not isinstance(given, Mapping):
                raise site.error(
                    f"t-options needs a dict, not {type(given).__name__}", whole.expression.text
                )
            options.update(given or {})
        for key, expression in each:
            options[key] = expression(values)
        target = record(values)
        try:
            value = renderer(target, name, options)
        except (KeyError, AttributeError, TypeError, ValueError) as exc:
            raise site.error(f"cannot show field {name!r}: {exc}", text) from None
        if value is None or value is False or value == "":
            default(rendering, values, out)
        else:
            out.append(_markup(value))

    return field


def _set(el: etree._Element, site: _Site, body: _Render) -> _Render:
    name = el.get("t-set", "")
    if not _IDENTIFIER.match(name):
        raise site.error(f"t-set must be a name, not {name!r}")
    if el.get("t-value") is not None and el.get("t-valuef") is not None:
        raise site.error("t-value and t-valuef cannot be combined")
    if el.get("t-value") is not None:
        expression = _Expr(el.get("t-value", ""), site)

        def assign(rendering: _Rendering, values: dict, out: list) -> None:
            values[name] = expression(values)

        return assign
    if el.get("t-valuef") is not None:
        template = _Format(el.get("t-valuef", ""), site)

        def assign_format(rendering: _Rendering, values: dict, out: list) -> None:
            values[name] = template(values)

        return assign_format

    def assign_body(rendering: _Rendering, values: dict, out: list) -> None:
        rendered: list[str] = []
        body(rendering, values, rendered)
        values[name] = Markup("".join(rendered))

    return assign_body


def _call(name: _Format, site: _Site, body: _Render) -> _Render:
    def call(rendering: _Rendering, values: dict, out: list) -> None:
        callee_values = dict(values)
        rendered: list[str] = []
        body(rendering, callee_values, rendered)  # its t-sets are the callee's variables
        callee_values["0"] = Markup("".join(rendered))
        rendering.qweb._call(rendering, name(values), callee_values, out, site)

    return call
