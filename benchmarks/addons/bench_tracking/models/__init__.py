from . import bench_order  # noqa: F401
