from . import autocomplete, backoffice, database, dataset, form_page, json2, list_page, rpc, session  # noqa: F401
