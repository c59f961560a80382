{"name": "Missing dependency", "depends": ["base", "le_nowhere"]}
