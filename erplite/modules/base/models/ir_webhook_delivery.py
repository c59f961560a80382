"""``ir.webhook.delivery``: outgoing webhooks, queued in the transaction, sent after commit.

A ``webhook`` server action (``ir.actions.server``) does not talk to the network: it calls
:meth:`IrWebhookDelivery._enqueue`, which stores the signed-to-be JSON body as a ``pending``
delivery and triggers the job ``base.webhook_delivery_job``. Both are part of the transaction:
a rollback leaves no delivery and wakes no runner; a commit NOTIFYs the cron runners, and one
of them runs :meth:`IrWebhookDelivery.send_due` at once. So a slow or failing endpoint never
delays a user's request.

Sending a delivery (one at a time, each in a transaction of its own):

1. claim it: ``SELECT ... FOR UPDATE SKIP LOCKED`` of a ``pending`` delivery whose
   ``next_attempt`` has come (nobody else sends it meanwhile);
2. POST the stored body to ``url`` with ``Content-Type: application/json``,
   ``X-Erplite-Delivery: <delivery_id>`` and ``X-Erplite-Signature: sha256=<hex HMAC-SHA256 of
   the body keyed by the action's webhook_secret>``, within ``webhook.timeout`` seconds
   (``ir.config_parameter``, 10), following no redirect;
3. record the attempt (status code, duration, error) and commit: a 2xx answer makes it
   ``sent``; anything else is retried after an exponential backoff with jitter
   (:func:`retry_delay`: ``webhook.retry_base_seconds`` (10) doubled at each attempt, at
   most an hour, half of it random) until ``webhook.max_attempts`` (6) attempts, then
   ``failed``. Retries are ``ir.cron.trigger`` records at the moment they are due.

A delivery is committed as sent right after the endpoint answered: it is never sent again
(unless the process dies between the answer and that commit: receivers deduplicate on
``X-Erplite-Delivery``, the same for every attempt of a delivery). The log (status code,
duration, attempts, error) is readable by administrators only, and so is the secret.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import http.client
import json
import logging
import random
import time
import urllib.parse
import uuid
from typing import Any

from erplite import api, fields, models
from erplite.sql import SQL

_logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRY_BASE = 10.0
DEFAULT_MAX_ATTEMPTS = 6
MAX_RETRY_DELAY = 3600.0
#: how many deliveries one run of the job sends before handing over to the next run
BATCH_SIZE = 100


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def retry_delay(attempt: int, base: float, rng: random.Random | None = None) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1, 2, ...): ``base`` doubled
    at each attempt, at most :data:`MAX_RETRY_DELAY`, of which a random half ("equal jitter",
    so that endpoints coming back are not hit by every sender at once)."""
    delay = min(MAX_RETRY_DELAY, base * 2 ** max(0, attempt - 1))
    return delay / 2 + (rng or random).uniform(0, delay / 2)


def sign(secret: str, body: bytes) -> str:
    """The ``X-Erplite-Signature`` value of ``body``: ``sha256=<hex HMAC-SHA256>``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST ``body`` to ``url``; the status code (redirects are not followed). Raises
    ``OSError`` (``TimeoutError`` included) or ``http.client.HTTPException``."""
    parts = urllib.parse.urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname or "", parts.port, timeout=timeout)
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


class IrWebhookDelivery(models.Model):
    _name = "ir.webhook.delivery"
    _description = "Webhook Delivery"
    _order = "id desc"
    _rec_name = "delivery_id"

    delivery_id = fields.Char(
        "Delivery",
        required=True,
        readonly=True,
        index=True,
        copy=False,
        help="Sent as X-Erplite-Delivery, the same for every attempt",
    )
    action_id = fields.Many2one(
        "ir.actions.server", string="Server Action", ondelete="set null", readonly=True
    )
    url = fields.Char("URL", required=True, readonly=True)
    event = fields.Char(readonly=True)
    res_model = fields.Char("Model", readonly=True)
    body = fields.Text("Payload", readonly=True, help="The JSON document sent, byte for byte")
    state = fields.Selection(
        [("pending", "Pending"), ("sent", "Sent"), ("failed", "Failed")],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    attempt = fields.Integer("Attempts", readonly=True, default=0)
    next_attempt = fields.Datetime(readonly=True, index=True)
    status_code = fields.Integer("Status Code", readonly=True)
    duration = fields.Float("Duration (ms)", readonly=True, digits=(16, 1))
    error = fields.Text(readonly=True)
    sent_date = fields.Datetime("Delivered on", readonly=True)

    _sql_constraints = [
        ("delivery_id_unique", "UNIQUE (delivery_id)", "A delivery id is used once."),
    ]

    # -- queueing (in the caller's transaction) ----------------------------------------------
    @api.model
    def _enqueue(self, action: Any, url: str, payload: dict) -> Any:
        """Queue ``payload`` (given a ``delivery_id`` here) for ``url``; sent after commit."""
        delivery_id = str(uuid.uuid4())
        payload = {**payload, "delivery_id": delivery_id}
        body = json.dumps(payload, sort_keys=True, default=str)
        delivery = self.sudo().create(
            {
                "delivery_id": delivery_id,
                "action_id": action.id,
                "url": url,
                "event": payload.get("event"),
                "res_model": payload.get("model"),
                "body": body,
                "next_attempt": _utcnow(),
            }
        )
        self._wake_sender()
        return delivery

    def _wake_sender(self, at: datetime.datetime | None = None) -> None:
        job = self.env.ref("base.webhook_delivery_job", raise_if_not_found=False)
        if job:
            job.sudo()._trigger(at)

    def action_retry(self) -> bool:
        """Send these deliveries again as soon as possible (a button of the log)."""
        self.check_access("write")
        self.sudo().write(
            {"state": "pending", "next_attempt": _utcnow(), "attempt": 0, "error": False}
        )
        self._wake_sender()
        return True

    # -- sending (the job) --------------------------------------------------------------------
    @api.private
    def send_due(self) -> int:
        """Send the due pending deliveries, each claimed and committed on its own; return how
        many were attempted. Called by the job ``base.webhook_delivery_job``."""
        params = self.env["ir.config_parameter"].sudo()
        timeout = float(params.get_param("webhook.timeout", DEFAULT_TIMEOUT))
        base = float(params.get_param("webhook.retry_base_seconds", DEFAULT_RETRY_BASE))
        max_attempts = int(params.get_param("webhook.max_attempts", DEFAULT_MAX_ATTEMPTS))
        cr = self.env.cr
        attempted = 0
        while attempted < BATCH_SIZE:
            cr.execute(
                SQL(
                    "SELECT id FROM ir_webhook_delivery WHERE state = 'pending'"
                    " AND next_attempt <= %s ORDER BY next_attempt, id LIMIT 1"
                    " FOR UPDATE SKIP LOCKED",
                    _utcnow(),
                )
            )
            row = cr.fetchone()
            if row is None:
                break
            delivery: Any = self.sudo().browse(row[0])
            delivery._attempt(timeout, base, max_attempts)
            cr.commit()  # the outcome of this delivery is recorded before the next one
            attempted += 1
        if attempted == BATCH_SIZE:
            self._wake_sender()  # more are waiting: another run takes them
        return attempted

    def _attempt(self, timeout: float, base: float, max_attempts: int) -> None:
        """POST this (claimed) delivery once and record the outcome."""
        self.ensure_one()
        body = (self.body or "").encode("utf-8")
        secret = self.action_id.webhook_secret if self.action_id else ""
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "erplite-webhook",
            "X-Erplite-Delivery": self.delivery_id,
            "X-Erplite-Signature": sign(secret or "", body),
        }
        attempt = self.attempt + 1
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            status = post(self.url, body, headers, timeout)
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        duration = (time.perf_counter() - started) * 1000
        values: dict[str, Any] = {
            "attempt": attempt,
            "status_code": status or 0,
            "duration": duration,
        }
        if status is not None and 200 <= status < 300:
            values.update(state="sent", sent_date=_utcnow(), error=False, next_attempt=False)
        else:
            error = error or f"the endpoint answered {status}"
            values["error"] = error
            if attempt >= max_attempts:
                values.update(state="failed", next_attempt=False)
                _logger.warning(
                    "webhook delivery %s to %s given up after %s attempts: %s",
                    self.delivery_id,
                    self.url,
                    attempt,
                    error,
                )
            else:
                moment = _utcnow() + datetime.timedelta(seconds=retry_delay(attempt, base))
                values["next_attempt"] = moment
                self._wake_sender(moment)
                _logger.info(
                    "webhook delivery %s to %s failed (attempt %s): %s; retried at %s",
                    self.delivery_id,
                    self.url,
                    attempt,
                    error,
                    moment,
                )
        self.write(values)
