from . import database, json2, rpc, session  # noqa: F401
