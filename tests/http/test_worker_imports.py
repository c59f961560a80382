"""What a worker process imports to answer JSON-RPC calls (issue 17, S7: a worker's memory).

Libraries that only pages, views, spreadsheets or QR codes use are imported when first used:
a worker answering ``execute_kw`` calls never loads them (lxml about 4 MiB, openpyxl about
10 MiB, Jinja2 about 2 MiB, segno about 1 MiB, xml.etree with expat about 0.5 MiB)."""

from __future__ import annotations

import json
import subprocess
import sys

WORKER = """
import json, sys
from werkzeug.test import Client
from erplite.http import Application

dsn, addons = sys.argv[1], json.loads(sys.argv[2])
client = Client(Application(dsn, addons))

def call(service, method, *args):
    body = {"jsonrpc": "2.0", "method": "call", "id": 1,
            "params": {"service": service, "method": method, "args": list(args)}}
    reply = client.post("/jsonrpc", json=body).get_json()
    assert "error" not in reply, reply
    return reply["result"]

db = call("common", "version") and sys.argv[3]
uid = call("common", "login", db, "admin", "admin")
rows = call("object", "execute_kw", db, uid, "admin", "res.partner", "search_read",
            [[]], {"fields": ["name", "parent_id"], "limit": 5})
assert rows, rows
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
if sys.argv[4:]:
    import traceback

"""


def test_a_worker_answering_rpc_calls_loads_no_page_library(web_db):
    result = subprocess.run(
        [sys.executable, "-c", WORKER, web_db.dsn, json.dumps(web_db.addons_paths), web_db.name],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    imported = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert "erplite" in imported and "psycopg" in imported
    assert sorted(imported & {"lxml", "openpyxl", "jinja2", "segno", "xml", "pyexpat"}) == []
