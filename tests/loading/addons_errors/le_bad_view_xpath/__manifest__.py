{
    "name": "Broken view: le_bad_view_xpath",
    "depends": ["base"],
    "data": ["views/partner_views.xml"],
}
