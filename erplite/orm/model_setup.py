"""Assembling registry classes from definition classes, and setting up their fields.

For each model, the registry holds one class whose bases are the definition classes of every
installed module that declares or extends it (``_inherit``), most recent first, so that Python's
MRO gives Odoo's override order and ``super()`` chains through the modules. Prototype
inheritance (a new ``_name`` with ``_inherit``) puts the parent's registry class among the
bases. Fields are then merged over the MRO (a redefinition's arguments override the earlier
ones), ``_inherits`` parents' fields are added as related fields, computed and related fields
get their dependencies resolved, and the registry builds the trigger tree from them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, cast

from erplite.orm import fields as scalar
from erplite.orm.fields import Field
from erplite.orm.fields_relational import Many2many, Many2one
from erplite.orm.model_create import CREATE_STEPS, CreateMixin

if TYPE_CHECKING:
    from typing import TypeAlias

    from erplite.orm.models import BaseModel
    from erplite.orm.registry import Registry

    #: per field name, the field type and its arguments (merged over the MRO)
    _Definitions: TypeAlias = "dict[str, tuple[type[Field], dict[str, Any]]]"

MAGIC_FIELDS = ("create_uid", "create_date", "write_uid", "write_date")


def model_name_of(cls: type[BaseModel]) -> str:
    if cls._name:
        return cls._name
    inherit = cls._inherit
    return inherit if isinstance(inherit, str) else inherit[0]


def parents_of(cls: type[BaseModel]) -> list[str]:
    inherit = cls.__dict__.get("_inherit", ())
    if isinstance(inherit, str):
        return [inherit]
    return list(inherit or ())


def build_model(cls: type[BaseModel], registry: Registry) -> type[BaseModel]:
    """Add definition class ``cls`` to ``registry``; return the model's registry class."""
    name = model_name_of(cls)
    parents = parents_of(cls)
    models = registry.models
    if name in models and (
        not cls.__dict__.get("_name")
        or name in parents
        or cls.__dict__.get("_name") == name
        and parents == [name]
    ):
        model_class = models[name]
    elif name in models and cls.__dict__.get("_name") == name and name not in parents:
        raise TypeError(f"Model {name!r} is defined twice (module {cls._module})")
    else:
        model_class = type(
            name,
            (cls,),
            {
                "_name": name,
                "_register": False,
                "_is_registry_class": True,
                "_original_module": cls._module,
                "_inherit_children": set(),
                "_definition_bases": (),
                "pool": registry,
                "__module__": cls.__module__,
            },
        )
    bases: list[type] = [cls]
    for parent in parents:
        if parent not in models:
            raise TypeError(
                f"Model {name!r} (module {cls._module}) inherits from non-existing model {parent!r}"
            )
        parent_class = models[parent]
        if parent == name:
            for base in parent_class._definition_bases:
                if base not in bases:
                    bases.append(base)
        else:
            if parent_class not in bases:
                bases.append(parent_class)
            parent_class._inherit_children.add(name)
    model_class.__bases__ = tuple(bases)
    model_class._definition_bases = tuple(bases)
    models[name] = model_class
    return model_class


def _definition_classes(model_class: type[BaseModel]) -> list[type[BaseModel]]:
    """The definition classes of the MRO, most basic first."""
    classes = [
        klass
        for klass in reversed(model_class.__mro__)
        if isinstance(klass, type)
        and not klass.__dict__.get("_is_registry_class")
        and hasattr(klass, "_fields")
    ]
    return cast("list[type[BaseModel]]", classes)  # the classes having _fields are models


def setup_fields(model_class: type[BaseModel], registry: Registry) -> None:
    """Merge the field definitions of the MRO into fresh fields on ``model_class``."""
    definitions, order = _field_definitions(model_class)
    # class attributes and defaults of the model
    model_class._table = model_class.__dict__.get("_table") or _own_table(model_class)
    # ``_log_access`` as declared by a definition class of this model, else the model's own
    # ``_auto``: a mixin's registry class (abstract, so without magic fields) in the MRO must
    # not decide for the concrete model built from it (Odoo's ``_build_model_attributes``)
    log_access = None
    for klass in _definition_classes(model_class):
        declared = klass.__dict__.get("_log_access")
        if declared is not None and model_name_of(klass) == model_class._name:
            log_access = declared
    model_class._log_access = model_class._auto if log_access is None else log_access
    _add_inherits_links(model_class, definitions, order)
    _add_magic_fields(model_class, definitions, order)

    new_fields: dict[str, Field] = {}
    for name in ["id", *[n for n in order if n != "id"]]:
        if name not in definitions:
            continue
        field_type, args = definitions[name]
        field = field_type(**args)
        field.setup_attrs(model_class, name)
        new_fields[name] = field
        setattr(model_class, name, field)
    model_class._fields = new_fields
    rec_name = None
    for klass in _definition_classes(model_class):
        rec_name = klass.__dict__.get("_rec_name", rec_name)
    model_class._rec_name = rec_name or ("name" if "name" in new_fields else None)
    active = None
    for klass in _definition_classes(model_class):
        active = klass.__dict__.get("_active_name", active)
    model_class._active_name = active or ("active" if "active" in new_fields else None)


def _field_definitions(model_class: type[BaseModel]) -> tuple[_Definitions, list[str]]:
    """The fields declared over the MRO, most basic first: per name, the field type and the
    arguments (an override's arguments update the earlier ones), and the names in order."""
    definitions: _Definitions = {}
    order: list[str] = []
    for klass in _definition_classes(model_class):
        for name, value in klass.__dict__.items():
            if not isinstance(value, Field):
                continue
            if name in definitions:
                field_type, args = definitions[name]
                if issubclass(type(value), field_type) or issubclass(field_type, type(value)):
                    # an override: its arguments update the earlier ones
                    merged = field_type(**args).merge_args(value.args)
                    newest = type(value) if issubclass(type(value), field_type) else field_type
                    definitions[name] = (newest, merged)
                else:
                    definitions[name] = (type(value), dict(value.args))
            else:
                definitions[name] = (type(value), dict(value.args))
                order.append(name)
    return definitions, order


def _add_inherits_links(
    model_class: type[BaseModel], definitions: _Definitions, order: list[str]
) -> None:
    """Set ``_inherits`` (declared, or given by ``delegate=True`` many2one fields) and the
    many2one of each parent (required, ``ondelete='cascade'``), added when not declared."""
    inherits: dict[str, str] = {}
    for klass in _definition_classes(model_class):
        inherits.update(klass.__dict__.get("_inherits", {}))
    for name, (field_type, args) in definitions.items():
        if issubclass(field_type, Many2one) and args.get("delegate"):
            inherits[cast(str, args.get("comodel_name"))] = name
    model_class._inherits = inherits
    for parent_model, fk in inherits.items():
        if fk not in definitions:
            definitions[fk] = (
                Many2one,
                {
                    "comodel_name": parent_model,
                    "required": True,
                    "ondelete": "cascade",
                    "delegate": True,
                    "index": True,
                },
            )
            order.append(fk)
        else:
            definitions[fk][1].setdefault("delegate", True)
            definitions[fk][1].setdefault("ondelete", "cascade")


def _add_magic_fields(
    model_class: type[BaseModel], definitions: _Definitions, order: list[str]
) -> None:
    """Add the magic fields of a model with ``_log_access`` (``create_uid``...) and the
    ``parent_path`` of a ``_parent_store``, unless declared."""
    if model_class._log_access:
        for name in MAGIC_FIELDS:
            if name in definitions:
                continue
            if name.endswith("_uid"):
                definitions[name] = (
                    Many2one,
                    {
                        "comodel_name": "res.users",
                        "readonly": True,
                        "string": "Created by" if name == "create_uid" else "Last Updated by",
                        "ondelete": "set null",
                    },
                )
            else:
                definitions[name] = (
                    scalar.Datetime,
                    {
                        "readonly": True,
                        "string": "Created on" if name == "create_date" else "Last Updated on",
                    },
                )
            order.append(name)
    if model_class._parent_store and "parent_path" not in definitions:
        definitions["parent_path"] = (scalar.Char, {"index": True, "copy": False})
        order.append("parent_path")


def _own_table(model_class: type[BaseModel]) -> str:
    for klass in reversed(_definition_classes(model_class)):
        table: str | None = klass.__dict__.get("_table")
        if table and klass.__dict__.get("_name") == model_class._name:
            return table
    return model_class._name.replace(".", "_")


_NOT_INHERITED_ARGS = frozenset(
    {
        "compute",
        "inverse",
        "search",
        "store",
        "default",
        "index",
        "required",
        "related",
        "depends",
        "precompute",
        "compute_sudo",
        "copy",
        "readonly",
        "groups",
    }
)


def add_inherited_fields(model_class: type[BaseModel], registry: Registry) -> None:
    """Add the fields of the ``_inherits`` parents as related fields through the link."""
    for parent_model, fk in model_class._inherits.items():
        parent = registry.models[parent_model]
        for name, parent_field in parent._fields.items():
            if name in model_class._fields or name in ("id", "display_name", *MAGIC_FIELDS):
                continue
            args = {k: v for k, v in parent_field.args.items() if k not in _NOT_INHERITED_ARGS}
            args.update(
                related=f"{fk}.{name}",
                store=False,
                copy=False,
                readonly=parent_field.readonly,
                groups=parent_field.groups,
            )
            field = type(parent_field)(**args)
            field.setup_attrs(model_class, name)
            field.inherited = True
            field.inherited_field = parent_field
            model_class._fields[name] = field
            setattr(model_class, name, field)
    if model_class._inherits and model_class._rec_name is None and "name" in model_class._fields:
        # Odoo's default _rec_name is "name" when the model has one, an inherited one included
        # (res.users shows its partner's name)
        model_class._rec_name = "name"


def setup_computed(model_class: type[BaseModel], registry: Registry) -> None:
    """Turn ``related`` into compute/inverse/search, and read ``@api.depends`` of computes."""
    for field in model_class._fields.values():
        if field.related:
            field.compute = "_compute_related"
            if not field.readonly or field.inherited:
                field.inverse = "_inverse_related"
            field.depends = (field.related,)
            _check_related(model_class, field, registry)
        elif field.compute:
            method = (
                field.compute
                if callable(field.compute)
                else getattr(model_class, field.compute, None)
            )
            if method is None:
                raise TypeError(
                    f"Field {field.model_name}.{field.name}: compute method "
                    f"{field.compute!r} not found"
                )
            depends = getattr(method, "_depends", ())
            if callable(depends):
                depends = depends(model_class)
            if field.args.get("depends") is None:
                field.depends = tuple(depends)
            field.depends_context = tuple(getattr(method, "_depends_context", ())) + tuple(
                field.args.get("depends_context", ())
            )
        if isinstance(field, Many2many) and field.store:  # computed ones included
            field.setup_relation(_ModelProxy(model_class, registry))


def _check_related(model_class: type[BaseModel], field: Field, registry: Registry) -> None:
    model = model_class
    assert field.related  # as setup_computed() chose
    names = field.related.split(".")
    target = None
    for index, name in enumerate(names):
        target = model._fields.get(name)
        if target is None:
            raise TypeError(
                f"Field {field.model_name}.{field.name}: related path "
                f"{field.related!r} has no field {name!r} on {model._name}"
            )
        if index < len(names) - 1:
            if not target.relational:
                raise TypeError(
                    f"Field {field.model_name}.{field.name}: {model._name}.{name} "
                    f"is not relational in {field.related!r}"
                )
            model = registry.models[target.comodel_name]
    if target is not None and type(target) is not type(field) and not field.inherited:
        raise TypeError(
            f"Field {field.model_name}.{field.name}: type {field.type} does not match "
            f"related {target.model_name}.{target.name} ({target.type})"
        )
    for attr in ("selection", "comodel_name", "digits", "currency_field", "size"):
        if (
            hasattr(target, attr)
            and field.args.get(attr) is None
            and getattr(target, attr, None) is not None
        ):
            setattr(field, attr, getattr(target, attr))


class _ModelProxy:
    """Just enough of a model for ``Many2many.setup_relation`` before environments exist."""

    def __init__(self, model_class: type[BaseModel], registry: Registry) -> None:
        self._table = model_class._table
        # the registry classes, which have the _table setup_relation reads
        self.env: dict[str, Any] = {name: cls for name, cls in registry.models.items()}


def resolve_depends(
    model_class: type[BaseModel], field: Field, registry: Registry
) -> list[list[Field]]:
    """The field paths ``field`` depends on, each a list of fields starting on its model."""
    result = []
    for path in field.depends or ():
        model = model_class
        chain: list[Field] = []
        for name in path.split("."):
            target = model._fields.get(name)
            if target is None:
                raise TypeError(
                    f"Field {field.model_name}.{field.name} depends on "
                    f"{path!r}: no field {name!r} on {model._name}"
                )
            chain.append(target)
            if target.relational:
                model = registry.models[target.comodel_name]
        result.append(chain)
    return result


def setup_protected_fields(model_class: type[BaseModel]) -> None:
    """Merge ``_protected_fields`` over the model's definition classes (an ``_inherit``
    extension adds to the fields its parents protect, it cannot release one) into the frozen
    set ``_protected_names``, which create and write test, once per model."""
    names: dict[str, None] = {}
    for klass in _definition_classes(model_class):
        declared = klass.__dict__.get("_protected_fields", ())
        if isinstance(declared, str):
            raise TypeError(
                f"{model_class._name}._protected_fields must be a list of field names, "
                f"not the string {declared!r} (module {klass._module})"
            )
        for name in declared:
            if name not in model_class._fields:
                raise TypeError(
                    f"{model_class._name}._protected_fields names {name!r}, which is not a "
                    f"field of the model (module {klass._module})"
                )
            if name in ("id", *MAGIC_FIELDS):
                raise TypeError(
                    f"{model_class._name}._protected_fields cannot name {name!r}: the ORM "
                    "sets it itself"
                )
            names[name] = None
    model_class._protected_names = frozenset(names)


def setup_create_steps(model_class: type[BaseModel]) -> None:
    """Note whether the model keeps the ORM's own ``create`` and steps of it
    (``model_create.CREATE_STEPS``): then its lines may be inserted by their parent's
    statement (``_creates_plainly``)."""
    model_class._create_steps_plain = all(
        getattr(model_class, name) is getattr(CreateMixin, name) for name in CREATE_STEPS
    )
    model_class._crud_plan_cache = None


def collect_methods(model_class: type[BaseModel]) -> None:
    """Find the constraint, onchange and ondelete methods of the model."""
    constraints: dict[str, list[str]] = defaultdict(list)
    onchanges: dict[str, list[str]] = defaultdict(list)
    ondeletes: list[str] = []
    seen = set()
    for klass in model_class.__mro__:
        for name, value in klass.__dict__.items():
            if name in seen or not callable(value):
                continue
            if (
                hasattr(value, "_constrains")
                or hasattr(value, "_onchange")
                or hasattr(value, "_ondelete")
            ):
                seen.add(name)
                method = getattr(model_class, name)
                for fname in getattr(method, "_constrains", ()):
                    constraints[fname].append(name)
                for fname in getattr(method, "_onchange", ()):
                    onchanges[fname].append(name)
                if hasattr(method, "_ondelete"):
                    ondeletes.append(name)
    model_class._constraint_methods = dict(constraints)
    model_class._onchange_methods = dict(onchanges)
    model_class._ondelete_methods = ondeletes
    sql_constraints: dict[str, tuple[str, str, str]] = {}
    for klass in _definition_classes(model_class):
        for name, definition, message in klass.__dict__.get("_sql_constraints", []):
            sql_constraints[name] = (name, definition, message)
    model_class._sql_constraints = list(sql_constraints.values())
