from . import performance  # noqa: F401
from . import field_types, inheritance, computed, constraints  # noqa: F401
from . import bench_orders  # noqa: F401
