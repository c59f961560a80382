{
    "name": "Views upgrade (loader tests): base, version 1",
    "version": "1.0",
    "depends": ["base"],
    "data": ["views/partner_views.xml"],
    "license": "LGPL-3",
}
