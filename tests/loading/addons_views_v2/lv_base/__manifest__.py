{
    "name": "Views upgrade (loader tests): base, version 2",
    "version": "2.0",
    "depends": ["base"],
    "data": ["views/partner_views.xml"],
    "license": "LGPL-3",
}
