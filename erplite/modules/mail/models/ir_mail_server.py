"""``ir.mail_server``: the SMTP servers outgoing mail goes through (Odoo 17's model).

The server of a mail is its ``mail_server_id``, else the active server of lowest
``sequence``, else the one the process's environment names (``ERPLITE_SMTP_SERVER``,
``ERPLITE_SMTP_PORT``, ``ERPLITE_SMTP_USER``, ``ERPLITE_SMTP_PASSWORD``,
``ERPLITE_SMTP_ENCRYPTION`` = ``none``/``starttls``/``ssl``, and ``ERPLITE_EMAIL_FROM``, the
default sender; the same keys in the INI file's ``[options]`` section are exported as these
variables by the ``erplite`` command), else none: sending fails with a clear reason and the mail
stays queued.

The password is readable by the settings group only and never logged.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from typing import Any

from erplite import api, fields, models
from erplite.exceptions import UserError

#: seconds an SMTP connection or answer may take
SMTP_TIMEOUT = 30

ENCRYPTIONS = [
    ("none", "None"),
    ("starttls", "TLS (STARTTLS)"),
    ("ssl", "SSL/TLS"),
]


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to connect: from an ``ir.mail_server`` or from the environment."""

    host: str
    port: int
    encryption: str = "none"
    user: str = ""
    password: str = ""
    name: str = ""

    def connect(self) -> smtplib.SMTP:
        """An open, authenticated SMTP session (``smtplib`` errors as they come)."""
        context = ssl.create_default_context()
        if self.encryption == "ssl":
            session: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=SMTP_TIMEOUT, context=context
            )
        else:
            session = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT)
        try:
            session.ehlo_or_helo_if_needed()
            if self.encryption == "starttls":
                session.starttls(context=context)
                session.ehlo()
            if self.user:
                session.login(self.user, self.password)
        except BaseException:
            session.close()
            raise
        return session


def settings_from_environment(environ: Any = None) -> SmtpSettings | None:
    """The SMTP server the ``ERPLITE_SMTP_*`` variables name, or ``None``."""
    environ = os.environ if environ is None else environ
    host = environ.get("ERPLITE_SMTP_SERVER")
    if not host:
        return None
    encryption = environ.get("ERPLITE_SMTP_ENCRYPTION", "none").lower()
    if encryption not in dict(ENCRYPTIONS):
        raise UserError(f"ERPLITE_SMTP_ENCRYPTION={encryption!r}: expected none, starttls or ssl")
    port_text = environ.get("ERPLITE_SMTP_PORT") or ("465" if encryption == "ssl" else "25")
    try:
        port = int(port_text)
    except ValueError:
        raise UserError(f"ERPLITE_SMTP_PORT={port_text!r}: expected a port number") from None
    return SmtpSettings(
        host=host,
        port=port,
        encryption=encryption,
        user=environ.get("ERPLITE_SMTP_USER", ""),
        password=environ.get("ERPLITE_SMTP_PASSWORD", ""),
        name="environment",
    )


class IrMailServer(models.Model):
    _name = "ir.mail_server"
    _description = "Mail Server"
    _order = "sequence, id"

    name = fields.Char("Name", required=True)
    from_filter = fields.Char(
        "FROM Filtering", help="The sender addresses or domains this server sends for"
    )
    smtp_host = fields.Char("SMTP Server", required=True)
    smtp_port = fields.Integer("SMTP Port", required=True, default=25)
    smtp_authentication = fields.Selection(
        [("login", "Username")], string="Authenticate with", required=True, default="login"
    )
    smtp_user = fields.Char("Username")
    smtp_pass = fields.Char("Password", groups="base.group_system")
    smtp_encryption = fields.Selection(
        ENCRYPTIONS, string="Connection Encryption", required=True, default="none"
    )
    smtp_debug = fields.Boolean("Debugging")
    sequence = fields.Integer("Priority", default=10)
    active = fields.Boolean(default=True)

    def _smtp_settings(self) -> SmtpSettings:
        self.ensure_one()
        server = self.sudo()
        return SmtpSettings(
            host=server.smtp_host,
            port=server.smtp_port,
            encryption=server.smtp_encryption,
            user=server.smtp_user or "",
            password=server.smtp_pass or "",
            name=server.name,
        )

    @api.model
    def _settings_for(self, server: Any = None) -> SmtpSettings | None:
        """The settings of ``server``, else of the first active server, else of the
        environment; ``None`` when nothing is configured."""
        if server:
            return server._smtp_settings()
        first = self.sudo().search([], limit=1)
        if first:
            return first._smtp_settings()
        return settings_from_environment()

    def test_smtp_connection(self) -> bool:
        """Connect and log in (Odoo 17's button); ``UserError`` with the reason if it fails."""
        for server in self:
            try:
                session = server._smtp_settings().connect()
                session.quit()
            except (OSError, smtplib.SMTPException) as error:
                raise UserError(
                    f"Connection to {server.smtp_host}:{server.smtp_port} failed: {error}"
                ) from None
        return True
