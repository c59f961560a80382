"""The pytest plugin as a module author uses it: a project of its own (``author_project``:
a module, its tests, its ini options) run by pytest in a subprocess, the plugin found through
the ``pytest11`` entry point of the installed package."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.loading.conftest import HERE


def test_a_module_project_runs_its_tests_with_the_plugin(erplite_server):
    project = HERE / "author_project"
    environ = {**os.environ, "ERPLITE_TEST_DSN": erplite_server}  # the running server: no new one
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-W",
            "ignore",
            str(project / "tests"),
        ],
        cwd=project,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "5 passed" in result.stdout
