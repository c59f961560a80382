{
    "name": "Security test models",
    "version": "17.0.1.0",
    "summary": "Models, groups and access rights exercising the security layer, for erplite's own tests",
    "depends": ["base"],
    "data": [
        "security/test_security_groups.xml",
        "security/ir.model.access.csv",
    ],
    "license": "LGPL-3",
}
