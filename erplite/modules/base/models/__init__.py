from . import (  # noqa: F401
    ir_module,
    ir_model,
    ir_model_data,
    res_currency,
    res_partner,
    res_company,
    res_groups,
    res_users,
    ir_ui,
    ir_sequence,
    ir_config_parameter,
    ir_cron,
)
