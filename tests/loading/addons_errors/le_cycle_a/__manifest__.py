{"name": "Cycle A", "depends": ["le_cycle_b"]}
