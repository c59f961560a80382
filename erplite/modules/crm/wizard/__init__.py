# crm_partner_binding first: the wizards inherit from it
from . import crm_partner_binding  # noqa: F401, I001
from . import crm_lead_lost, crm_lead_to_opportunity  # noqa: F401
