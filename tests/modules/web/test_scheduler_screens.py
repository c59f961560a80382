"""The backoffice shows the scheduler's screens to administrators: Scheduled Actions and
Webhook Deliveries (list and form, the log's status code, attempts and error)."""

from __future__ import annotations

from typing import Any

from erplite import SUPERUSER_ID, api


def _setup(served: Any) -> dict[str, int]:
    with served.env().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env.ref("base.user_admin").password = "admin"
        action = env["ir.actions.server"].create(
            {
                "name": "Notify the shop",
                "model_id": env["ir.model"]._get_id("res.partner"),
                "state": "webhook",
                "webhook_url": "http://127.0.0.1:9/shop-hook",
            }
        )
        delivery = env["ir.webhook.delivery"]._enqueue(action, action.webhook_url, {"event": "x"})
        delivery.write({"attempt": 2, "status_code": 503, "error": "the endpoint answered 503"})
        return {
            "deliveries": env.ref("base.ir_webhook_delivery_act").id,
            "crons": env.ref("base.ir_cron_act").id,
            "delivery": delivery.id,
        }


def test_administrators_see_deliveries_and_scheduled_actions(served: Any) -> None:
    ids = _setup(served)
    admin = served.client("admin")
    listing = admin.get(f"/web/action/{ids['deliveries']}/list")
    assert listing.status_code == 200
    assert "http://127.0.0.1:9/shop-hook" in listing.get_data(as_text=True)
    form = admin.get(f"/web/action/{ids['deliveries']}/form/{ids['delivery']}")
    page = form.get_data(as_text=True)
    assert form.status_code == 200 and "the endpoint answered 503" in page and "503" in page
    crons = admin.get(f"/web/action/{ids['crons']}/list").get_data(as_text=True)
    assert "Base: Send webhook deliveries" in crons and "Base: Auto-vacuum internal data" in crons


def test_others_do_not_see_the_delivery_log(served: Any) -> None:
    ids = _setup(served)
    response = served.client("sid").get(f"/web/action/{ids['deliveries']}/list")
    assert response.status_code in (403, 404)
