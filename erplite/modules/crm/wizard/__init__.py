from . import crm_partner_binding  # noqa: F401
