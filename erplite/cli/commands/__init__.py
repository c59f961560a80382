"""One module per command group; :mod:`erplite.cli.main` imports only the one it runs.

``common`` (the database server, the registry calls, ``CliError``), ``init`` (``-i``/``-u``,
``--stop-after-init`` and the preparation every command shares), ``server`` (``serve``), ``db``,
``shell``, ``module``. Each exposes ``run...(config, args) -> int``.
"""
