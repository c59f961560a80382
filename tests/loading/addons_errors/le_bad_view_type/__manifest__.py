{
    "name": "Broken view: le_bad_view_type",
    "depends": ["base"],
    "data": ["views/partner_views.xml"],
}
