from . import crm_quotation_partner  # noqa: F401
