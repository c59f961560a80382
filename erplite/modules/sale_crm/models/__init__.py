from . import crm_lead, res_company, sale_order  # noqa: F401
