from . import sa_customer_reassign, sa_membership_revoke  # noqa: F401
