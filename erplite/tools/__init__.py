"""Framework utilities that are not tied to one layer: the restricted evaluator, the HTML
sanitiser."""
