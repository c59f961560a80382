from . import (  # noqa: F401
    bench_orders,  # noqa: F401
    computed,
    constraints,
    early_totals,
    field_types,
    html_fields,
    inheritance,
    nested_create,
    onchange,
    performance,  # noqa: F401
    protected,
)
