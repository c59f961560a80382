{
    "name": "ORM benchmark with tracking",
    "version": "17.0.1.0",
    "summary": "bench.order as a mail.thread whose amount_total is tracked (issue 14's S4 check)",
    "description": """
Installed beside ``bench`` by ``benchmarks/run.py --tracking``: every change of an order's
stored total (S4 recomputes 2,000 of them) writes a tracking message with the old and new value.
""",
    "license": "LGPL-3",
    "depends": ["bench", "mail"],
    "data": [],
    "installable": True,
}
