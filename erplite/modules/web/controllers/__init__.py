from . import (  # noqa: F401
    autocomplete,
    backoffice,
    database,
    dataset,
    form_page,
    json2,
    kanban_page,
    list_page,
    preferences,
    rpc,
    session,
)
