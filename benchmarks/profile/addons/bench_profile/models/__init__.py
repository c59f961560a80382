from . import bench  # noqa: F401
