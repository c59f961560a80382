from . import crm_lead, crm_lead_pipeline, crm_lost_reason, crm_stage, crm_tag  # noqa: F401
