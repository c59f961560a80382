from . import database, dataset, json2, rpc, session  # noqa: F401
