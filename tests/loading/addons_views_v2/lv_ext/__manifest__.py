{
    "name": "Views upgrade (loader tests): extension, version 2",
    "version": "2.0",
    "depends": ["lv_base"],
    "data": ["views/partner_views.xml"],
    "license": "LGPL-3",
}
