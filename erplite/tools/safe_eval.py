"""Restricted evaluation of the Python expressions found in data.

erplite never hands data to Python's ``eval`` or ``exec``. The ``eval`` attributes of XML data
files (``<field eval="...">``, ``<function eval="...">``) and the ``domain_force`` of record rules
are evaluated here: the text is parsed with :mod:`ast`, the whole tree is checked against a
whitelist *before* anything runs, then the tree is interpreted node by node.

Worked example::

    >>> from erplite.tools.safe_eval import safe_eval, safe_eval_domain, date_context
    >>> safe_eval("[(6, 0, ids)]", {"ids": [1, 2]})
    [(6, 0, [1, 2])]
    >>> safe_eval("(context_today() - relativedelta(days=3)).strftime('%Y-%m-%d')", date_context())
    '2024-05-28'                                    # three days ago
    >>> safe_eval("[Command.link(ref('base.group_user'))]", {"Command": Command, "ref": env.ref})
    [(4, 11, 0)]                                    # Command declares _safe_eval_attributes
    >>> safe_eval_domain("[('company_id', 'in', company_ids)]", {"company_ids": [1, 3]})
    [('company_id', 'in', [1, 3])]
    >>> safe_eval("().__class__")
    Traceback (most recent call last):
    SafeEvalError: attribute access '__class__' is not allowed at 1:0

The rules, in the order they are applied:

1. **Syntax** (checked on the whole tree first, so ``False and __import__('os')`` is refused
   too): constants (``int``, ``float``, ``str``, ``bool``, ``None``); tuple, list, set and dict
   displays; unary, binary and boolean operators (not ``@``); comparisons, ``in``, ``is``;
   ``a if c else b``; subscripts and slices; calls with positional and keyword arguments;
   attribute access; list/set/dict comprehensions and generator expressions whose targets are
   plain names. Refused: ``lambda``, ``:=``, f-strings, bytes and complex literals, ``*``/``**``
   unpacking, and every name or attribute starting with ``__``.
2. **Names** resolve to comprehension variables, then the caller's ``context``, then a small
   builtins whitelist (:data:`BUILTIN_NAMES`). Nothing else exists: ``open``, ``eval``,
   ``getattr``, ``__import__`` are simply not defined.
3. **Attributes**: an object whose class declares ``_safe_eval_attributes`` (a frozenset of
   names) exposes exactly those names; a class passed itself (``Command``) is read the same way.
   Otherwise the tables ``_INSTANCE_ATTRIBUTES`` and ``_CLASS_ATTRIBUTES`` apply (strings,
   lists, tuples, dicts, dates, datetimes, times, timedeltas, relativedeltas, and the
   alternate constructors ``date.today()``, ``datetime.now()``...); everything else, modules
   and functions included, exposes nothing. ``str.format`` refuses ``{0.attr}`` and ``{0[k]}``
   fields. (On an ``enum`` class, assign the hook after the class is created, or the enum
   machinery turns it into a member.)
4. **Calls**: only a callable *named* in the expression (a context value, which the caller
   trusts, or a whitelisted builtin) or a method reached through an allowed attribute may be
   called. ``f()()``, ``[f][0]()`` and calling a comprehension variable are refused.
5. **Bounds**: the tree has at most :data:`MAX_NODES` nodes and :data:`MAX_DEPTH` levels; every
   value the evaluator creates (strings, lists, tuples, sets, dicts) has a logical size of at
   most :data:`MAX_SIZE` items or characters, shared references counted each time they appear
   (``[[0] * 1000] * 1000`` is a million); integers stay under :data:`MAX_INT_BITS` bits and
   ``**``/``<<`` are checked *before* computing; ``range()`` is bounded by ``MAX_SIZE``; widths in
   ``%``-formats, ``str.format`` and ``strftime`` are bounded; and one evaluation may spend at
   most :data:`MAX_STEPS` interpreter steps and :data:`MAX_UNITS` items created, iterated or
   compared. The limits are module attributes, read at every call.

Every refusal raises :class:`SafeEvalError` (a ``ValueError``) naming the construct and its
position (``line:col``, prefixed by the file name when given). Errors raised while evaluating
(``ZeroDivisionError``, a ``KeyError`` from a subscript, a ``ValueError`` from ``ref()``) are
wrapped into it as well, chained; :class:`erplite.exceptions.UserError` and its subclasses pass
through unchanged, as in Odoo.
"""

from __future__ import annotations

import ast
import datetime as _dt
import functools
import itertools
import operator
import re
import string
import time as _time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

from dateutil.relativedelta import relativedelta

from erplite.exceptions import UserError

__all__ = [
    "BUILTIN_NAMES",
    "MAX_DEPTH",
    "MAX_EXPRESSION_LENGTH",
    "MAX_FORMAT_WIDTH",
    "MAX_INT_BITS",
    "MAX_NODES",
    "MAX_SIZE",
    "MAX_STEPS",
    "MAX_UNITS",
    "Expression",
    "SafeEvalError",
    "compile_expression",
    "date_context",
    "safe_eval",
    "safe_eval_domain",
]

# ---------------------------------------------------------------------------------------------
# Limits (module attributes so that a deployment or a test can tune them)
# ---------------------------------------------------------------------------------------------

#: Longest expression text accepted, in characters.
MAX_EXPRESSION_LENGTH = 200_000
#: Most AST nodes in one expression.
MAX_NODES = 10_000
#: Deepest nesting of AST nodes (and of values measured by the evaluator).
MAX_DEPTH = 100
#: Most ``for`` clauses in one comprehension.
MAX_COMPREHENSION_CLAUSES = 5
#: Largest logical size of a value the evaluator creates (items + characters, recursively).
MAX_SIZE = 1_000_000
#: Most interpreter steps (nodes evaluated, loop iterations, items measured) per evaluation.
MAX_STEPS = 200_000
#: Most items created, iterated or compared by builtin operations per evaluation.
MAX_UNITS = 20_000_000
#: Largest integer the evaluator computes, in bits.
MAX_INT_BITS = 4096
#: Largest width or precision in ``%``-formats, ``str.format`` specs and ``strftime`` formats.
MAX_FORMAT_WIDTH = 1000

#: The builtins an expression may name when the context does not define the name.
BUILTIN_NAMES = frozenset(
    {
        "True", "False", "None",
        "int", "float", "str", "bool", "list", "tuple", "dict", "set",
        "len", "min", "max", "sum", "abs", "round", "any", "all", "sorted",
        "enumerate", "zip", "range",
    }
)  # fmt: skip


class SafeEvalError(ValueError):
    """An expression was refused or failed while being evaluated.

    ``reason`` is the message without position; ``lineno`` (1-based) and ``col`` (0-based, as in
    :mod:`ast`) locate the offending construct in the expression text when known, and
    ``filename`` is the file name the caller passed. ``str(error)`` reads
    ``"<reason> at <filename>:<line>:<col>"``.
    """

    def __init__(
        self,
        reason: str,
        *,
        lineno: int | None = None,
        col: int | None = None,
        filename: str | None = None,
    ):
        self.reason = reason
        self.lineno = lineno
        self.col = col
        self.filename = filename
        if lineno is not None:
            where = f"{lineno}:{col or 0}"
            message = f"{reason} at {filename}:{where}" if filename else f"{reason} at {where}"
        else:
            message = f"{reason} in {filename}" if filename else reason
        super().__init__(message)


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def safe_eval(
    expr: str, context: Mapping[str, Any] | None = None, *, filename: str | None = None
) -> Any:
    """Evaluate the Python expression ``expr`` under the rules of this module and return its value.

    ``context`` maps the names the expression may use to their values; its callables (such as
    ``ref``) are trusted and may be called, and its objects expose only the attributes their
    type allows (see the module docstring). Leading and trailing whitespace, as found in XML
    attributes, is ignored and positions still refer to the original text. ``filename`` only labels error
    messages.

    :raises SafeEvalError: when the expression is refused, exceeds a limit, or fails.
    """
    if not isinstance(expr, str):
        raise SafeEvalError(
            f"expression must be a string, not {type(expr).__name__}", filename=filename
        )
    try:
        compiled = _compile(expr, _limits())
    except SafeEvalError as exc:
        if filename is None:
            raise
        raise SafeEvalError(
            exc.reason, lineno=exc.lineno, col=exc.col, filename=filename
        ) from exc.__cause__
    return _Evaluator(context if context is not None else {}, compiled, filename).run()


class Expression:
    """An expression parsed and checked once by :func:`compile_expression`, then evaluated
    any number of times with :meth:`evaluate` under the same rules as :func:`safe_eval`.

    Template engines keep one per expression of a template, so that rendering a template a
    thousand times parses nothing. ``text`` is the expression as given.
    """

    __slots__ = ("_compiled", "_limits", "filename", "text")

    def __init__(
        self, text: str, compiled: _Compiled, limits: tuple[int, ...], filename: str | None
    ):
        self.text = text
        self.filename = filename
        self._compiled = compiled
        self._limits = limits

    def evaluate(self, context: Mapping[str, Any]) -> Any:
        """The expression's value in ``context`` (see :func:`safe_eval`).

        :raises SafeEvalError: when the evaluation fails or exceeds a limit.
        """
        limits = _limits()
        if limits != self._limits:  # a limit changed since the check: check again
            self._compiled, self._limits = _compile(self.text, limits), limits
        return _Evaluator(context, self._compiled, self.filename).run()

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


def compile_expression(expr: str, *, filename: str | None = None) -> Expression:
    """Parse and check ``expr`` now (refusals are raised here, before any evaluation) and
    return an :class:`Expression` to evaluate later.

    :raises SafeEvalError: when the expression is refused.
    """
    if not isinstance(expr, str):
        raise SafeEvalError(
            f"expression must be a string, not {type(expr).__name__}", filename=filename
        )
    limits = _limits()
    try:
        compiled = _compile(expr, limits)
    except SafeEvalError as exc:
        if filename is None:
            raise
        raise SafeEvalError(
            exc.reason, lineno=exc.lineno, col=exc.col, filename=filename
        ) from exc.__cause__
    return Expression(expr, compiled, limits, filename)


def safe_eval_domain(
    expr: str, context: Mapping[str, Any] | None = None, *, filename: str | None = None
) -> list:
    """Evaluate ``expr`` with :func:`safe_eval` and check that the result is a domain.

    A domain is a ``list`` whose elements are 3-item tuples or lists (``(field, operator,
    value)`` leaves) or one of the prefix operators ``'&'``, ``'|'``, ``'!'``. The list is
    returned as evaluated; this function checks its shape only, not field or operator names.

    :raises SafeEvalError: as :func:`safe_eval`, or naming the first offending element.
    """
    result = safe_eval(expr, context, filename=filename)
    if not isinstance(result, list):
        raise SafeEvalError(
            f"a domain must be a list, not {type(result).__name__}: {_short_repr(result)}",
            filename=filename,
        )
    for index, element in enumerate(result):
        if isinstance(element, str) and element in ("&", "|", "!"):
            continue
        if isinstance(element, (tuple, list)) and len(element) == 3:
            continue
        raise SafeEvalError(
            f"invalid domain element #{index}: {_short_repr(element)} (expected a "
            f"(field, operator, value) triple or one of '&', '|', '!')",
            filename=filename,
        )
    return result


def date_context(*, tz: str | None = None) -> dict[str, Any]:
    """Return the date helpers Odoo's data files and record rules use, ready to merge.

    ``time``
        a namespace with ``strftime(fmt[, t])`` and ``time()`` (``time.strftime('%Y-01-01')``).
    ``datetime``
        a namespace with the classes ``datetime``, ``date``, ``time`` and ``timedelta``
        (``datetime.datetime.now()``, ``datetime.date.today()``); it also answers ``now``,
        ``today``, ``utcnow``, ``strptime``, ``combine`` and ``fromisoformat`` like the
        ``datetime`` class, because Odoo's XML loader binds ``datetime`` to that class.
    ``DateTime``, ``date``, ``timedelta``
        the classes ``datetime.datetime``, ``datetime.date`` and ``datetime.timedelta``.
    ``relativedelta``
        :class:`dateutil.relativedelta.relativedelta`.
    ``context_today``
        a function returning today's date, in the time zone ``tz`` when given (as Odoo's
        ``context_today`` uses the user's ``tz``), else in the server's local time.
    """

    def context_today() -> _dt.date:
        if tz:
            try:
                from zoneinfo import ZoneInfo

                return _dt.datetime.now(ZoneInfo(tz)).date()
            except Exception:  # unknown zone or no tz database: fall back as Odoo does
                pass
        return _dt.date.today()

    return {
        "time": _TIME_NAMESPACE,
        "datetime": _DATETIME_NAMESPACE,
        "DateTime": _dt.datetime,
        "date": _dt.date,
        "timedelta": _dt.timedelta,
        "relativedelta": relativedelta,
        "context_today": context_today,
    }


# ---------------------------------------------------------------------------------------------
# Parsing and the static check
# ---------------------------------------------------------------------------------------------


class _Compiled(NamedTuple):
    body: ast.expr
    line_shift: int  # lines removed with the leading whitespace
    col_shift: int  # columns removed from the first remaining line
    lines: tuple[str, ...]  # the parsed text, to turn ast's UTF-8 byte columns into characters


def _limits() -> tuple[int, ...]:
    # Part of the compile cache key, so that changing a limit never reuses a stale check.
    return (MAX_EXPRESSION_LENGTH, MAX_NODES, MAX_DEPTH, MAX_COMPREHENSION_CLAUSES, MAX_INT_BITS)


def _position(compiled: _Compiled, lineno: int, col: int, *, utf8: bool = True) -> tuple[int, int]:
    """Map a position in the parsed text to ``(line, character column)`` in the caller's text."""
    if utf8 and 0 < lineno <= len(compiled.lines):
        line = compiled.lines[lineno - 1]
        if not line.isascii():
            col = len(line.encode()[:col].decode("utf-8", "ignore"))
    return lineno + compiled.line_shift, col + (compiled.col_shift if lineno == 1 else 0)


def _compile(expr: str, limits: tuple[int, ...]) -> _Compiled:
    """Parse and check ``expr``; the (usual) short expressions are cached, already checked."""
    if len(expr) <= _CACHED_LENGTH:
        return _compile_cached(expr, limits)
    return _compile_uncached(expr, limits)


_CACHED_LENGTH = 4096  # bounds the cache's memory: at most 1024 entries of this size


def _compile_uncached(expr: str, limits: tuple[int, ...]) -> _Compiled:
    max_length = limits[0]
    if len(expr) > max_length:
        raise SafeEvalError(f"expression too long: {len(expr)} characters (limit {max_length})")
    source = expr.lstrip()
    prefix = expr[: len(expr) - len(source)]
    source = source.rstrip()  # an indented last line of an XML attribute is not an error
    line_shift = prefix.count("\n")
    col_shift = len(prefix) - (prefix.rfind("\n") + 1)
    lines = tuple(re.split(r"\r\n|\r|\n", source))
    shell = _Compiled(ast.Constant(None), line_shift, col_shift, lines)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        offset = max((exc.offset or 1) - 1, 0)  # 1-based, in characters
        lineno, col = _position(shell, exc.lineno or 1, offset, utf8=False)
        raise SafeEvalError(f"invalid syntax: {exc.msg}", lineno=lineno, col=col) from None
    except (RecursionError, MemoryError):
        raise SafeEvalError(f"expression nested too deeply (limit {limits[2]} levels)") from None
    except ValueError as exc:  # e.g. null bytes
        raise SafeEvalError(f"invalid syntax: {exc}") from None
    compiled = shell._replace(body=tree.body)
    _check(compiled, limits)
    return compiled


_compile_cached = functools.lru_cache(maxsize=1024)(_compile_uncached)


_ALLOWED_CONSTANTS = (bool, int, float, str, type(None))

_REFUSED_NODES = {
    ast.Lambda: "lambda expressions are not allowed",
    ast.NamedExpr: "assignment expressions (:=) are not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.FormattedValue: "f-strings are not allowed",
    ast.Starred: "unpacking with '*' is not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
}

_ALLOWED_NODES = frozenset(
    {
        ast.Constant, ast.Name, ast.Tuple, ast.List, ast.Set, ast.Dict,
        ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp,
        ast.Subscript, ast.Slice, ast.Call, ast.keyword, ast.Attribute,
        ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.comprehension,
    }
)  # fmt: skip

# Operator, context and comparison nodes are singletons that carry no code: not counted.
_INERT_NODES = (ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)


def _check(compiled: _Compiled, limits: tuple[int, ...]) -> None:
    """Refuse the whole tree if any node is not allowed or a size limit is exceeded."""
    _, max_nodes, max_depth, max_clauses, max_int_bits = limits

    def refuse(reason: str, anchor: ast.AST) -> SafeEvalError:
        lineno, col = _position(compiled, anchor.lineno, anchor.col_offset)
        return SafeEvalError(reason, lineno=lineno, col=col)

    count = 0
    stack: list[tuple[ast.AST, int, ast.AST]] = [(compiled.body, 1, compiled.body)]
    while stack:
        node, depth, anchor = stack.pop()
        if hasattr(node, "lineno"):
            anchor = node
        count += 1
        if count > max_nodes:
            raise refuse(f"expression too large: more than {max_nodes} nodes", anchor)
        if depth > max_depth:
            raise refuse(f"expression nested too deeply (limit {max_depth} levels)", anchor)
        kind = type(node)
        if kind not in _ALLOWED_NODES:
            reason = _REFUSED_NODES.get(kind, f"{kind.__name__} expressions are not allowed")
            raise refuse(reason, anchor)
        refusal = _refusal(node, kind, max_clauses, max_int_bits)
        if refusal is not None:
            raise refuse(refusal, anchor)
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, _INERT_NODES):
                stack.append((child, depth + 1, anchor))


def _refusal(node: Any, kind: type, max_clauses: int, max_int_bits: int) -> str | None:
    """Why ``node``, of an allowed kind, is refused all the same (a literal of another type or
    too large, a dunder name or attribute, ``@``, ``**`` unpacking, a comprehension with too
    many clauses or a target that is not names), or ``None``."""
    if kind is ast.Constant:
        if not isinstance(node.value, _ALLOWED_CONSTANTS):
            return f"{type(node.value).__name__} literals are not allowed"
        if type(node.value) is int and node.value.bit_length() > max_int_bits:
            return f"integer literal too large (limit {max_int_bits} bits)"
    elif kind is ast.Name and node.id.startswith("__"):
        return f"name {node.id!r} is not allowed"
    elif kind is ast.Attribute and node.attr.startswith("__"):
        return f"attribute access {node.attr!r} is not allowed"
    elif kind is ast.BinOp and isinstance(node.op, ast.MatMult):
        return "operator '@' is not allowed"
    elif (kind is ast.Dict and None in node.keys) or (kind is ast.keyword and not node.arg):
        return "unpacking with '**' is not allowed"
    elif kind in (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp):
        if len(node.generators) > max_clauses:
            return f"too many 'for' clauses (limit {max_clauses})"
    elif kind is ast.comprehension:
        if node.is_async:
            return "async comprehensions are not allowed"
        if not _is_simple_target(node.target):
            return "comprehension targets must be names or tuples of names"
    return None


def _is_simple_target(target: ast.expr) -> bool:
    if isinstance(target, ast.Name):
        return True
    if isinstance(target, (ast.Tuple, ast.List)):
        return all(_is_simple_target(element) for element in target.elts)
    return False


# ---------------------------------------------------------------------------------------------
# Attribute policy
# ---------------------------------------------------------------------------------------------

_DATE_ATTRIBUTES = frozenset(
    {"year", "month", "day", "weekday", "isoweekday", "isoformat", "strftime", "replace",
     "toordinal", "today"}
)  # fmt: skip
_TIME_ATTRIBUTES = frozenset(
    {"hour", "minute", "second", "microsecond", "isoformat", "strftime", "replace"}
)

#: Attributes allowed on instances, by type (looked up along the instance's MRO).
_INSTANCE_ATTRIBUTES: dict[type, frozenset[str]] = {
    str: frozenset(
        {
            "lower",
            "upper",
            "strip",
            "lstrip",
            "rstrip",
            "split",
            "join",
            "startswith",
            "endswith",
            "replace",
            "format",
            "capitalize",
            "title",
        }
    ),  # fmt: skip
    list: frozenset({"index", "count"}),
    tuple: frozenset({"index", "count"}),
    dict: frozenset({"get", "keys", "values", "items"}),
    _dt.datetime: _DATE_ATTRIBUTES | _TIME_ATTRIBUTES | {"date", "time", "now"},
    _dt.date: _DATE_ATTRIBUTES,
    _dt.time: _TIME_ATTRIBUTES,
    _dt.timedelta: frozenset({"days", "seconds", "microseconds", "total_seconds"}),
    relativedelta: frozenset(
        {"years", "months", "weeks", "days", "hours", "minutes", "seconds", "microseconds"}
    ),
}

#: Attributes allowed on the classes themselves (alternate constructors).
_CLASS_ATTRIBUTES: dict[type, frozenset[str]] = {
    _dt.datetime: frozenset(
        {"now", "today", "utcnow", "combine", "strptime", "fromisoformat", "fromtimestamp"}
    ),
    _dt.date: frozenset({"today", "fromisoformat", "fromordinal"}),
}


def _allowed_attributes(obj: Any) -> tuple[frozenset[str], type | None]:
    """Return the attribute names ``obj`` exposes and, for table-based types, the table's type.

    The ``_safe_eval_attributes`` hook is looked up on the class (for an instance) or on the
    object itself (for a class, such as a ``Command`` class passed in the context), never on an
    instance's own ``__dict__``.
    """
    owner = obj if isinstance(obj, type) else type(obj)
    hook = getattr(owner, "_safe_eval_attributes", None)
    if isinstance(hook, (frozenset, set, tuple, list)):
        return frozenset(name for name in hook if isinstance(name, str)), None
    table = _CLASS_ATTRIBUTES if isinstance(obj, type) else _INSTANCE_ATTRIBUTES
    for cls in owner.__mro__:
        if cls in table:
            return table[cls], cls
    return frozenset(), None


def _describe(obj: Any) -> str:
    if isinstance(obj, type):
        return f"class {obj.__name__!r}"
    return f"{type(obj).__name__!r} objects"


def _short_repr(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---------------------------------------------------------------------------------------------
# Guards for the methods and functions whose output can outgrow their input
# ---------------------------------------------------------------------------------------------


def _check_width(digits: str, what: str) -> None:
    if len(digits) > 9 or int(digits) > MAX_FORMAT_WIDTH:
        raise SafeEvalError(f"{what} width {digits} is too large (limit {MAX_FORMAT_WIDTH})")


_STRFTIME_SPEC = re.compile(r"%(?:%|[-_0^#]*(\d+))")


def _check_strftime(fmt: Any) -> None:
    if isinstance(fmt, str):
        if len(fmt) > MAX_FORMAT_WIDTH:
            raise SafeEvalError(f"strftime format too long (limit {MAX_FORMAT_WIDTH} characters)")
        for match in _STRFTIME_SPEC.finditer(fmt):
            if match.group(1):
                _check_width(match.group(1), "strftime")


_PERCENT_FLAGS = re.compile(r"[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_PARENTHESIS = re.compile(r"[()]")


def _percent_specs(fmt: str) -> Iterator[tuple[str | None, str | None, str | None]]:
    """Yield ``(mapping key, width, precision)`` for each conversion of a %-format.

    A hand-written scan rather than one regular expression, so that it runs in linear time
    whatever the text (a pattern like ``\\(([^)]*)\\)`` backtracks quadratically).
    """
    position = fmt.find("%")
    while position != -1:
        position += 1
        if fmt.startswith("%", position):
            position = fmt.find("%", position + 1)
            continue
        key = None
        if fmt.startswith("(", position):
            depth, cursor = 1, position + 1  # keys may hold balanced parentheses, as in Python
            while depth:
                found = _PARENTHESIS.search(fmt, cursor)
                if found is None:
                    return  # Python refuses the format itself
                depth += 1 if found.group() == "(" else -1
                cursor = found.end()
            key = fmt[position + 1 : cursor - 1]
            position = cursor
        match = _PERCENT_FLAGS.match(fmt, position)
        yield key, match.group(1), match.group(2)
        position = fmt.find("%", match.end())


class _BoundedFormatter(string.Formatter):
    """``str.format`` without attribute or index lookups, with bounded widths and output."""

    def __init__(self) -> None:
        self.produced = 0

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        if "." in field_name or "[" in field_name:
            raise SafeEvalError(
                f"format field {field_name!r} is not allowed (no attribute or index lookups)"
            )
        return super().get_field(field_name, args, kwargs)

    def format_field(self, value: Any, format_spec: str) -> str:
        if len(format_spec) > MAX_FORMAT_WIDTH:
            raise SafeEvalError(f"format spec too long (limit {MAX_FORMAT_WIDTH} characters)")
        for digits in re.findall(r"\d+", format_spec):
            _check_width(digits, "format")
        text = super().format_field(value, format_spec)
        self.produced += len(text)
        if self.produced > MAX_SIZE:
            raise SafeEvalError(f"formatted string too large (limit {MAX_SIZE} characters)")
        return text


def _time_strftime(fmt: str, t: Any = None) -> str:
    _check_strftime(fmt)
    return _time.strftime(fmt) if t is None else _time.strftime(fmt, t)


def _namespace(name: str, doc: str, members: dict[str, Any]) -> Any:
    """Build an object exposing exactly ``members`` to expressions (through the hook)."""
    body: dict[str, Any] = {
        "__slots__": (),
        "__doc__": doc,
        "__repr__": lambda self: f"<safe_eval namespace {name!r}>",
        "_safe_eval_attributes": frozenset(members),
    }
    for key, value in members.items():
        body[key] = (
            staticmethod(value) if callable(value) and not isinstance(value, type) else value
        )
    return type(f"{name}_namespace", (), body)()


_TIME_NAMESPACE = _namespace(
    "time",
    "The part of the ``time`` module that expressions may use.",
    {"strftime": _time_strftime, "time": _time.time},
)

_DATETIME_NAMESPACE = _namespace(
    "datetime",
    "The classes of the ``datetime`` module, plus the ``datetime`` class's constructors.",
    {
        "datetime": _dt.datetime,
        "date": _dt.date,
        "time": _dt.time,
        "timedelta": _dt.timedelta,
        "now": _dt.datetime.now,
        "today": _dt.datetime.today,
        "utcnow": _dt.datetime.utcnow,
        "strptime": _dt.datetime.strptime,
        "combine": _dt.datetime.combine,
        "fromisoformat": _dt.datetime.fromisoformat,
    },
)


# ---------------------------------------------------------------------------------------------
# The evaluator
# ---------------------------------------------------------------------------------------------

_BINARY_OPERATORS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.LShift: operator.lshift,
    ast.RShift: operator.rshift,
    ast.BitOr: operator.or_,
    ast.BitXor: operator.xor,
    ast.BitAnd: operator.and_,
}
_UNARY_OPERATORS: dict[type, Callable[[Any], Any]] = {
    ast.Not: operator.not_,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Invert: operator.invert,
}
_COMPARISONS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}

_SIZED = (str, list, tuple, dict, set, frozenset)
_CONTAINERS = (list, tuple, dict, set, frozenset)
_SEQUENCES = (str, list, tuple)
_SCALARS = frozenset(
    {int, float, bool, type(None), _dt.date, _dt.datetime, _dt.time, _dt.timedelta}
)


class _Evaluator:
    """One evaluation: the context, the comprehension scopes and the budgets being spent."""

    __slots__ = (
        "context",
        "compiled",
        "filename",
        "scopes",
        "steps",
        "units",
        "sizes",
        "builtins",
        "node",
    )

    def __init__(self, context: Mapping[str, Any], compiled: _Compiled, filename: str | None):
        self.context = context
        self.compiled = compiled
        self.filename = filename
        self.scopes: list[dict[str, Any]] = []
        self.steps = MAX_STEPS
        self.units = MAX_UNITS
        # id -> (value, logical size): values measured during this evaluation. The value is
        # kept so that its id cannot be reused by another object meanwhile.
        self.sizes: dict[int, tuple[Any, int]] = {}
        self.builtins: dict[str, Any] = {}
        self.node: ast.AST = compiled.body

    def run(self) -> Any:
        return self.eval(self.compiled.body)

    # -- errors and budgets -------------------------------------------------------------------

    def error(self, reason: str, node: ast.AST | None = None) -> SafeEvalError:
        node = node if node is not None else self.node
        lineno, col = _position(self.compiled, node.lineno, node.col_offset)
        return SafeEvalError(reason, lineno=lineno, col=col, filename=self.filename)

    def step(self, count: int = 1) -> None:
        self.steps -= count
        if self.steps < 0:
            raise SafeEvalError(f"evaluation too expensive: more than {MAX_STEPS} steps")

    def spend(self, count: int) -> None:
        self.units -= count
        if self.units < 0:
            raise SafeEvalError(
                f"evaluation too expensive: more than {MAX_UNITS} items created or compared"
            )

    def measure(self, value: Any, depth: int = 0) -> int:
        """Logical size of ``value``: characters, items, recursively, shared parts repeated."""
        if isinstance(value, str):
            return len(value)
        if not isinstance(value, _CONTAINERS):
            return 0
        known = self.sizes.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        total = len(value)
        if total:
            self.spend(total)
            is_dict = isinstance(value, dict)
            items = itertools.chain.from_iterable(value.items()) if is_dict else value
            # Scanning the element types runs in C; only containers and strings are visited.
            kinds = set(map(type, items))
            if not kinds <= _SCALARS and any(issubclass(kind, _SIZED) for kind in kinds):
                if depth >= MAX_DEPTH:
                    raise SafeEvalError(f"value nested too deeply (limit {MAX_DEPTH} levels)")
                self.step(total)
                items = itertools.chain.from_iterable(value.items()) if is_dict else value
                for child in items:
                    if isinstance(child, _SIZED):
                        total += self.measure(child, depth + 1)
                        if total > MAX_SIZE:
                            break
        self.sizes[id(value)] = (value, total)
        return total

    def created(self, value: Any) -> Any:
        """Account for a value the evaluator just created, refusing it when too large."""
        if isinstance(value, str):
            self.spend(len(value))
            if len(value) > MAX_SIZE:
                raise SafeEvalError(f"string too large: {len(value)} characters (limit {MAX_SIZE})")
        elif isinstance(value, _CONTAINERS):
            self.spend(len(value))
            size = self.measure(value)
            if size > MAX_SIZE:
                raise SafeEvalError(f"value too large: {size} items (limit {MAX_SIZE})")
        elif type(value) is int and value.bit_length() > MAX_INT_BITS:
            raise SafeEvalError(f"integer too large (limit {MAX_INT_BITS} bits)")
        return value

    def consume(self, value: Any) -> Any:
        """Prepare an argument a builtin will iterate: charge its size, drain iterators."""
        if isinstance(value, _SIZED):
            self.spend(self.measure(value) or len(value))
        elif isinstance(value, range):
            self.spend(len(value))
        elif isinstance(value, Iterator):
            items = []
            for item in value:
                self.step()
                items.append(item)
            return items
        return value

    # -- dispatch -----------------------------------------------------------------------------

    def eval(self, node: ast.AST) -> Any:
        self.step()
        outer, self.node = self.node, node
        try:
            return _HANDLERS[type(node)](self, node)
        except SafeEvalError as exc:
            if exc.lineno is not None:
                raise
            raise self.error(exc.reason, node) from exc.__cause__
        except UserError:
            raise
        except Exception as exc:
            raise self.error(f"{type(exc).__name__}: {exc}", node) from exc
        finally:
            self.node = outer

    def _constant(self, node: ast.Constant) -> Any:
        return node.value

    def _name(self, node: ast.Name) -> Any:
        name = node.id
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        if name in self.context:
            return self.context[name]
        if name in BUILTIN_NAMES:
            return self._builtin(name)
        raise self.error(f"name {name!r} is not defined", node)

    def _tuple(self, node: ast.Tuple) -> Any:
        return self.created(tuple([self.eval(element) for element in node.elts]))

    def _list(self, node: ast.List) -> Any:
        return self.created([self.eval(element) for element in node.elts])

    def _set(self, node: ast.Set) -> Any:
        return self.created({self.eval(element) for element in node.elts})

    def _dict(self, node: ast.Dict) -> Any:
        return self.created(
            {self.eval(k): self.eval(v) for k, v in zip(node.keys, node.values, strict=True)}
        )

    def _unary(self, node: ast.UnaryOp) -> Any:
        return self.created(_UNARY_OPERATORS[type(node.op)](self.eval(node.operand)))

    def _boolean(self, node: ast.BoolOp) -> Any:
        is_and = isinstance(node.op, ast.And)
        value = None
        for operand in node.values:
            value = self.eval(operand)
            if bool(value) is not is_and:  # and: stop on falsy; or: stop on truthy
                return value
        return value

    def _if(self, node: ast.IfExp) -> Any:
        return self.eval(node.body) if self.eval(node.test) else self.eval(node.orelse)

    def _binary(self, node: ast.BinOp) -> Any:
        left = self.eval(node.left)
        right = self.eval(node.right)
        kind = type(node.op)
        if kind is ast.Mult:
            self._check_multiplication(left, right)
        elif kind is ast.Pow:
            self._check_power(left, right)
        elif kind is ast.LShift:
            if _is_int(left) and _is_int(right) and right > 0:
                if left.bit_length() + right > MAX_INT_BITS:
                    raise SafeEvalError(f"shift too large (limit {MAX_INT_BITS} bits)")
        elif kind is ast.Add:
            if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
                size = self.measure(left) + self.measure(right)
                if size > MAX_SIZE:
                    raise SafeEvalError(f"concatenation too large: {size} items (limit {MAX_SIZE})")
        elif kind is ast.Mod and isinstance(left, str):
            self._check_percent_format(left, right)
        return self.created(_BINARY_OPERATORS[kind](left, right))

    def _check_multiplication(self, left: Any, right: Any) -> None:
        if _is_int(left) and _is_int(right):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS + 1:
                raise SafeEvalError(f"integer too large (limit {MAX_INT_BITS} bits)")
            return
        for sequence, count in ((left, right), (right, left)):
            if isinstance(sequence, _SEQUENCES) and _is_int(count):
                size = self.measure(sequence) * max(count, 0)
                if size > MAX_SIZE:
                    raise SafeEvalError(f"repetition too large: {size} items (limit {MAX_SIZE})")
                self.spend(len(sequence) * max(count, 0))

    def _check_power(self, base: Any, exponent: Any) -> None:
        if not _is_int(exponent) or exponent <= 0:
            return
        if _is_int(base):
            # A lower bound of the result's size, so only what is certainly too large is
            # refused here; created() checks the exact size afterwards.
            if abs(base) > 1 and (abs(base).bit_length() - 1) * exponent > MAX_INT_BITS:
                raise SafeEvalError(
                    f"power too large: {_short_repr(base, 20)} ** {_short_repr(exponent, 20)} "
                    f"(limit {MAX_INT_BITS} bits)"
                )
        elif exponent > MAX_INT_BITS and not isinstance(base, float):
            # Floats overflow at once; other number types (Decimal, Fraction) may not.
            raise SafeEvalError(f"exponent too large: {exponent} (limit {MAX_INT_BITS})")

    def _check_percent_format(self, fmt: str, args: Any) -> None:
        self.step(fmt.count("%") + fmt.count("("))  # what the scan below may loop over
        estimate = len(fmt)
        lengths: dict[str, int] = {}
        for key, width, precision in _percent_specs(fmt):
            for digits in (width, precision):
                if digits == "*":
                    raise SafeEvalError("'*' width in %-format is not allowed")
                if digits:
                    _check_width(digits, "%-format")
                    estimate += int(digits)
            if key is not None and isinstance(args, Mapping) and key in args:
                # A mapping key may repeat: bound the output before producing it.
                if key not in lengths:
                    value = args[key]
                    self.spend(self.measure(value))
                    lengths[key] = max(len(str(value)), len(repr(value)))
                estimate += lengths[key]
        if estimate > MAX_SIZE:
            raise SafeEvalError(f"formatted string too large (limit {MAX_SIZE} characters)")

    def _compare(self, node: ast.Compare) -> Any:
        left = self.eval(node.left)
        result: Any = True
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.eval(comparator)
            kind = type(op)
            if kind in (ast.In, ast.NotIn):
                self.spend(self.measure(left) + self.measure(right))
            elif kind not in (ast.Is, ast.IsNot):
                self.spend(min(self.measure(left), self.measure(right)))
            result = _COMPARISONS[kind](left, right)
            if not result:
                return result
            left = right
        return result

    def _subscript(self, node: ast.Subscript) -> Any:
        value = self.eval(node.value)
        index = self.eval(node.slice)
        result = value[index]
        return self.created(result) if isinstance(index, slice) else result

    def _slice(self, node: ast.Slice) -> slice:
        def part(child: ast.expr | None) -> Any:
            return None if child is None else self.eval(child)

        return slice(part(node.lower), part(node.upper), part(node.step))

    # -- attributes and calls -----------------------------------------------------------------

    def _attribute_value(self, obj: Any, name: str, node: ast.AST) -> tuple[Any, bool]:
        """Return ``obj.<name>`` if allowed, and whether it comes from the per-type table."""
        allowed, table_type = _allowed_attributes(obj)
        if name not in allowed or name.startswith("__"):
            raise self.error(f"attribute access {name!r} is not allowed on {_describe(obj)}", node)
        if table_type is None:
            return getattr(obj, name), False
        guard = _GUARDED_METHODS.get((table_type, name))
        if guard is not None and not isinstance(obj, type):
            return functools.partial(guard, self, obj), True
        return getattr(obj, name), True

    def _attribute(self, node: ast.Attribute) -> Any:
        return self._attribute_value(self.eval(node.value), node.attr, node)[0]

    def _call(self, node: ast.Call) -> Any:
        func = node.func
        from_table = False
        if isinstance(func, ast.Name):
            if any(func.id in scope for scope in self.scopes):
                raise self.error(
                    f"calling {func.id!r} is not allowed: comprehension variables are not callable",
                    func,
                )
            function = self.eval(func)
        elif isinstance(func, ast.Attribute):
            self.step()
            obj = self.eval(func.value)
            function, from_table = self._attribute_value(obj, func.attr, func)
        else:
            raise self.error(
                "calling the result of an expression is not allowed; only names from the "
                "context, whitelisted builtins and allowed methods can be called",
                func,
            )
        args = [self.eval(arg) for arg in node.args]
        kwargs = {keyword.arg: self.eval(keyword.value) for keyword in node.keywords}
        result = function(*args, **kwargs)
        # Methods of builtin types create values; the caller's own callables are trusted.
        return self.created(result) if from_table else result

    # -- comprehensions -----------------------------------------------------------------------

    def _comprehension(self, node: Any, emit: Callable[[], None]) -> None:
        generators = node.generators
        first = self.eval(generators[0].iter)  # evaluated in the enclosing scope, as Python
        scope: dict[str, Any] = {}
        self.scopes.append(scope)
        try:
            self._loop(generators, 0, first, scope, emit)
        finally:
            self.scopes.pop()

    def _loop(
        self, generators: list, index: int, iterable: Any, scope: dict, emit: Callable
    ) -> None:
        generator = generators[index]
        for item in iterable:
            self.step()
            self._bind(generator.target, item, scope)
            if all(self.eval(condition) for condition in generator.ifs):
                if index + 1 < len(generators):
                    nested = self.eval(generators[index + 1].iter)
                    self._loop(generators, index + 1, nested, scope, emit)
                else:
                    emit()

    def _bind(self, target: ast.expr, value: Any, scope: dict) -> None:
        if isinstance(target, ast.Name):
            scope[target.id] = value
            return
        names = target.elts
        values = list(itertools.islice(iter(value), len(names) + 1))
        if len(values) != len(names):
            raise self.error(f"cannot unpack {len(values)} values into {len(names)} names", target)
        for name, item in zip(names, values, strict=True):
            self._bind(name, item, scope)

    def _list_comprehension(self, node: ast.ListComp) -> Any:
        result: list = []
        self._comprehension(node, lambda: result.append(self.eval(node.elt)))
        return self.created(result)

    def _generator(self, node: ast.GeneratorExp) -> Any:
        # Evaluated eagerly (and bounded) so that no evaluation runs after safe_eval returns.
        result: list = []
        self._comprehension(node, lambda: result.append(self.eval(node.elt)))
        return iter(self.created(result))

    def _set_comprehension(self, node: ast.SetComp) -> Any:
        result: set = set()
        self._comprehension(node, lambda: result.add(self.eval(node.elt)))
        return self.created(result)

    def _dict_comprehension(self, node: ast.DictComp) -> Any:
        result: dict = {}

        def emit() -> None:
            key = self.eval(node.key)
            result[key] = self.eval(node.value)

        self._comprehension(node, emit)
        return self.created(result)

    # -- builtins -----------------------------------------------------------------------------

    def _builtin(self, name: str) -> Any:
        if name in self.builtins:
            return self.builtins[name]
        value = _PLAIN_BUILTINS.get(name)
        if value is None and name not in _PLAIN_BUILTINS:
            value = self._make_builtin(name)
        self.builtins[name] = value
        return value

    def _make_builtin(self, name: str) -> Callable:
        if name == "range":

            def bounded_range(*args: int) -> range:
                result = range(*args)
                try:
                    length = len(result)
                except OverflowError:
                    length = MAX_SIZE + 1
                if length > MAX_SIZE:
                    raise SafeEvalError(f"range() too large (limit {MAX_SIZE} items)")
                return result

            return bounded_range
        if name == "int":

            def bounded_int(*args: Any, **kwargs: Any) -> int:
                # Parsing digits is quadratic in their number on Pythons without a digit limit.
                if args and isinstance(args[0], (str, bytes)) and len(args[0]) > MAX_INT_BITS:
                    raise SafeEvalError(f"int() of a string too long (limit {MAX_INT_BITS})")
                return self.created(int(*args, **kwargs))

            return bounded_int
        if name == "round":

            def bounded_round(number: Any, ndigits: int | None = None) -> Any:
                if ndigits is not None and _is_int(ndigits) and abs(ndigits) > MAX_FORMAT_WIDTH:
                    raise SafeEvalError(f"round() digits too large (limit {MAX_FORMAT_WIDTH})")
                return round(number) if ndigits is None else round(number, ndigits)

            return bounded_round
        function = _CONSUMING_BUILTINS[name]

        def consuming(*args: Any, **kwargs: Any) -> Any:
            args = tuple(self.consume(arg) for arg in args)
            if name == "sum":
                self._check_sum(*args, **kwargs)
            return self.created(function(*args, **kwargs))

        consuming.__name__ = consuming.__qualname__ = name
        return consuming

    def _check_sum(self, iterable: Any = (), start: Any = 0) -> None:
        if isinstance(iterable, _SIZED):
            self.step(len(iterable))
        if isinstance(start, _SEQUENCES) or any(isinstance(item, _SEQUENCES) for item in iterable):
            size = self.measure(start) + sum(self.measure(item) for item in iterable)
            if size > MAX_SIZE:
                raise SafeEvalError(f"sum() too large: {size} items (limit {MAX_SIZE})")


def _is_int(value: Any) -> bool:
    return isinstance(value, int)  # bool included, as Python does


_PLAIN_BUILTINS: dict[str, Any] = {
    "True": True,
    "False": False,
    "None": None,
    "float": float,
    "bool": bool,
    "len": len,
    "abs": abs,
    "enumerate": enumerate,
    "zip": zip,
}
_CONSUMING_BUILTINS: dict[str, Callable] = {
    "str": str,
    "list": list,
    "tuple": tuple,
    "dict": dict,
    "set": set,
    "sorted": sorted,
    "min": min,
    "max": max,
    "sum": sum,
    "any": any,
    "all": all,
}


def _str_join(evaluator: _Evaluator, separator: str, iterable: Any) -> str:
    items = list(evaluator.consume(iterable))
    evaluator.step(len(items))
    size = sum(len(item) for item in items if isinstance(item, str))
    size += len(separator) * max(len(items) - 1, 0)
    if size > MAX_SIZE:
        raise SafeEvalError(f"str.join() result too large: {size} characters (limit {MAX_SIZE})")
    return separator.join(items)


def _str_replace(evaluator: _Evaluator, text: str, old: Any, new: Any, count: int = -1) -> str:
    if isinstance(old, str) and isinstance(new, str) and _is_int(count):
        occurrences = text.count(old) if old else len(text) + 1
        if count >= 0:
            occurrences = min(occurrences, count)
        size = len(text) + occurrences * (len(new) - len(old))
        if size > MAX_SIZE:
            raise SafeEvalError(
                f"str.replace() result too large: {size} characters (limit {MAX_SIZE})"
            )
    return text.replace(old, new, count)


def _str_format(evaluator: _Evaluator, text: str, *args: Any, **kwargs: Any) -> str:
    # string.Formatter walks the fields in Python: a few steps' worth of time for each.
    evaluator.step(5 * text.count("{"))
    return _BoundedFormatter().vformat(text, args, kwargs)


def _strftime(evaluator: _Evaluator, value: Any, fmt: str) -> str:
    _check_strftime(fmt)
    return value.strftime(fmt)


_GUARDED_METHODS: dict[tuple[type, str], Callable] = {
    (str, "join"): _str_join,
    (str, "replace"): _str_replace,
    (str, "format"): _str_format,
    (_dt.datetime, "strftime"): _strftime,
    (_dt.date, "strftime"): _strftime,
    (_dt.time, "strftime"): _strftime,
}

_HANDLERS: dict[type, Callable[[_Evaluator, Any], Any]] = {
    ast.Constant: _Evaluator._constant,
    ast.Name: _Evaluator._name,
    ast.Tuple: _Evaluator._tuple,
    ast.List: _Evaluator._list,
    ast.Set: _Evaluator._set,
    ast.Dict: _Evaluator._dict,
    ast.UnaryOp: _Evaluator._unary,
    ast.BoolOp: _Evaluator._boolean,
    ast.IfExp: _Evaluator._if,
    ast.BinOp: _Evaluator._binary,
    ast.Compare: _Evaluator._compare,
    ast.Subscript: _Evaluator._subscript,
    ast.Slice: _Evaluator._slice,
    ast.Attribute: _Evaluator._attribute,
    ast.Call: _Evaluator._call,
    ast.ListComp: _Evaluator._list_comprehension,
    ast.SetComp: _Evaluator._set_comprehension,
    ast.DictComp: _Evaluator._dict_comprehension,
    ast.GeneratorExp: _Evaluator._generator,
}
