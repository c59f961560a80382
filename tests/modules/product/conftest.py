"""Fixtures of the product tests: a second company, and users made with given groups."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def company_b(env: Any) -> Any:
    return env["res.company"].create({"name": "Company B"})
