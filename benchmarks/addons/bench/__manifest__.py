{
    "name": "ORM benchmark",
    "version": "17.0.1.0",
    "summary": "The schema of the shared ORM benchmark (partners, products, orders, lines)",
    "description": """
The logical schema of ``../shared/bench/peers/SPEC.md`` section 2 as an erplite module: four
models whose fields carry the specification's names, two stored computed totals, the indexes
the specification asks for (a trigram index on the partner's name when the server has pg_trgm).
""",
    "license": "LGPL-3",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv", "views/bench_views.xml"],
    "installable": True,
}
