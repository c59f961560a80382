{
    "name": "Broken view: le_bad_view_field",
    "depends": ["base"],
    "data": ["views/partner_views.xml"],
}
