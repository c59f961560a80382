{
    "name": "Views upgrade (loader tests): extension, version 1",
    "version": "1.0",
    "depends": ["lv_base"],
    "data": ["views/partner_views.xml"],
    "license": "LGPL-3",
}
