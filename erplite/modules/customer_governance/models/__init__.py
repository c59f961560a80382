from . import (  # noqa: F401
    crm_lead,
    res_partner,
    sa_account,
    sa_customer_assignment,
    sa_customer_assignment_activities,
    sa_customer_assignment_backfill,
    sa_membership,
    sa_stamped_mixin,
    sale_order,
)
