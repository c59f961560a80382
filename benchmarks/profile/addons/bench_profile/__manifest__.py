# ruff: noqa: B018
{
    "name": "Benchmark schema (profiling)",
    "version": "17.0.1.0",
    "summary": "The schema of shared/bench/peers/SPEC.md section 2, for benchmarks/profile",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv"],
    "license": "LGPL-3",
}
