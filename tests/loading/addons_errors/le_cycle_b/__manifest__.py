{"name": "Cycle B", "depends": ["le_cycle_a"]}
