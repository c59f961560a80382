"""The activity view's building blocks, without HTTP (``activity_grid``)."""
