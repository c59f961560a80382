from . import performance  # noqa: F401
from . import bench_orders  # noqa: F401
