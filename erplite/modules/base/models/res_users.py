"""``res.users``: users, delegating their name and contact data to a partner (``_inherits``).

Credentials, as Odoo 17:

- The password is write-only: assigning ``user.password`` stores an scrypt hash in a column
  the ORM never reads; reading ``password`` always gives an empty string. A hash made with
  older parameters (or imported from Odoo) is replaced at the next successful login.
- ``authenticate(db, login, password, user_agent_env)`` returns the user's id or raises
  ``AccessDenied`` with one message, whatever was wrong. Failed logins are counted per login
  and per client address (``user_agent_env["REMOTE_ADDR"]``) in their own committed
  transaction (:mod:`erplite.security.throttle`); past five, both are refused for a growing
  while, whatever the password.
- ``user_agent_env["interactive"]`` (true unless given) tells a person at a login form from an
  RPC client: an RPC client (``interactive=False``) may give an API key instead of the
  password (:mod:`res_users_apikeys`), and must give one when the user has two-factor
  authentication.
- Two-factor authentication (TOTP, as ``auth_totp``): a user enables it with
  ``_totp_try_setting(secret, code)``. An interactive login with the right password then raises
  :class:`erplite.security.SecondFactorRequired` carrying the user's id; the caller keeps that
  id as a pending login and completes it with ``browse(uid)._totp_check(code)``.
- Changing the login, the password, the active flag or the TOTP secret changes the session
  token, which ends the user's sessions.

No escalation: only ``base.group_system`` (or a superuser environment) creates users and
changes anyone's groups, login, active flag, companies or password; users change their own
password with ``change_password(old, new)``, and write their own harmless preferences
(``SELF_WRITEABLE_FIELDS``) without write access to users.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from typing import Any

from erplite import SUPERUSER_ID, api, fields, models, security
from erplite.exceptions import AccessDenied, AccessError, UserError
from erplite.security import passwords, throttle, totp
from erplite.sql import SQL

_logger = logging.getLogger(__name__)

#: the columns of ``_session_token_query``
_TOKEN_COLUMNS = 5

#: fields whose change refused to users outside base.group_system
PROTECTED_FIELDS = ("groups_id", "login", "password", "company_ids", "active", "share")
#: fields whose change ends the user's sessions and is worth telling the rules cache about
_ACCESS_FIELDS = ("groups_id", "company_id", "company_ids", "active", "partner_id", "login")


def _rotate_request_session(uid: int, dbname: str) -> None:
    """Ask the current HTTP request (if any) to rotate its session when it is the session
    of user ``uid`` on ``dbname``: saved after the commit with a new sid and a session token
    computed from the new credentials."""
    from erplite.http import request

    session = getattr(request, "session", None) if request else None
    if session is not None and session.uid == uid and session.db == dbname:
        session.should_rotate = True


class ResUsers(models.Model):
    _name = "res.users"
    _description = "User"
    _inherits = {"res.partner": "partner_id"}
    _order = "name, login"

    SELF_READABLE_FIELDS = [
        "signature",
        "company_id",
        "login",
        "email",
        "name",
        "lang",
        "tz",
        "groups_id",
        "partner_id",
        "write_date",
        "share",
        "company_ids",
        "display_name",
        "totp_enabled",
        "api_key_ids",
        "active",
        "login_date",
    ]
    SELF_WRITEABLE_FIELDS = ["signature", "company_id", "email", "name", "lang", "tz"]

    partner_id = fields.Many2one(
        "res.partner", required=True, ondelete="restrict", index=True, string="Related Partner"
    )
    login = fields.Char(required=True)
    password = fields.Char(
        compute="_compute_password",
        inverse="_set_password",
        copy=False,
        store=False,
        string="Password",
    )
    active = fields.Boolean(default=True)
    groups_id = fields.Many2many(
        "res.groups",
        "res_groups_users_rel",
        "uid",
        "gid",
        string="Groups",
        default=lambda self: self._default_groups(),
    )
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        required=True,
        default=lambda self: self.env.company.id,
        index=True,
    )
    company_ids = fields.Many2many(
        "res.company",
        "res_company_users_rel",
        "user_id",
        "cid",
        string="Companies",
        default=lambda self: self.env.company.ids,
    )
    share = fields.Boolean(compute="_compute_share", store=True, string="Share User")
    signature = fields.Html()
    login_date = fields.Datetime("Latest Connection", readonly=True)
    totp_enabled = fields.Boolean("Two-factor authentication", compute="_compute_totp_enabled")
    api_key_ids = fields.One2many("res.users.apikeys", "user_id", string="API Keys")

    _sql_constraints = [
        ("login_key", "UNIQUE (login)", "You can not have two users with the same login!")
    ]

    def init(self):
        """Columns unknown to the ORM on purpose (the password hash and the TOTP secret), the
        table of failed logins and the sequence signalling security changes."""
        cr = self.env.cr
        # look first: an upgrade of an unchanged schema sends no DDL (no table lock)
        cr.execute(
            SQL(
                "SELECT ARRAY(SELECT column_name::text FROM information_schema.columns "
                "             WHERE table_schema = current_schema() AND table_name = 'res_users'), "
                "       to_regclass(%s) IS NOT NULL, to_regclass(%s) IS NOT NULL",
                throttle.TABLE_NAME,
                security.SIGNAL_SEQUENCE,
            )
        )
        columns, has_throttle, has_signal = cr.fetchone()
        for column, column_type in (
            ("password", "varchar"),
            ("totp_secret", "varchar"),
            ("totp_last_step", "bigint"),  # the TOTP step of the last login: no replay
        ):
            if column not in columns:
                cr.execute(
                    SQL(
                        f"ALTER TABLE res_users ADD COLUMN IF NOT EXISTS %s {column_type}",
                        SQL.identifier(column),
                    )
                )
        if not has_throttle:
            throttle.ensure_table(cr)
        if not has_signal:
            security.ensure_signal_sequence(cr)

    def _default_groups(self):
        group = self.env.ref("base.group_user", raise_if_not_found=False)
        return [(6, 0, group.ids)] if group else []

    # -- password ----------------------------------------------------------------------------
    def _compute_password(self):
        for user in self:
            user.password = ""

    def _set_password(self):
        for user in self:
            plain = user.env.transaction.cache.get_value(
                user.id, self._fields["password"], user.env, default=None
            )
            if not plain:
                continue
            self._set_encrypted_password(user.id, passwords.hash_password(plain))
        # the clear text must not stay in the cache: reading the field gives "" again
        self.invalidate_recordset(["password"], flush=False)

    def _set_encrypted_password(self, uid: int, encrypted: str) -> None:
        self.env.cr.execute(SQL("UPDATE res_users SET password = %s WHERE id = %s", encrypted, uid))

    @api.depends("groups_id")
    def _compute_share(self):
        user_group = security.group_id(self.env, "base.group_user")
        for user in self:
            user.share = not user_group or user_group not in user.groups_id.ids

    def _compute_totp_enabled(self):
        self.env.cr.execute(
            SQL(
                "SELECT id FROM res_users WHERE id = ANY(%s) AND totp_secret IS NOT NULL",
                [i for i in self._ids if isinstance(i, int)],  # a form's new record: none
            )
        )
        enabled = {row[0] for row in self.env.cr.fetchall()}
        for user in self:
            user.totp_enabled = user.id in enabled

    # -- groups ------------------------------------------------------------------------------
    def _group_ids(self) -> frozenset[int]:
        """Ids of the user's groups, implied ones included (cached)."""
        self.ensure_one()
        return security.user_group_ids(self.env, self.id)

    @api.model
    def has_group(self, group_ext_id: str) -> bool:
        """Whether the current user (or ``self`` if a record) is in ``module.group``, directly
        or through implied groups."""
        uid = self.id if self._ids else self.env.uid
        return security.has_group(self.env, uid, group_ext_id)

    def _has_groups(self, groups: str) -> bool:
        """Odoo's ``user_has_groups`` for this user: ``"mod.g1,!mod.g2"``."""
        uid = self.id if self._ids else self.env.uid
        return security.has_groups(self.env, uid, groups)

    def _is_system(self) -> bool:
        self.ensure_one()
        return self.id == SUPERUSER_ID or self.has_group("base.group_system")

    def _is_admin(self) -> bool:
        self.ensure_one()
        return self.id == SUPERUSER_ID or self.has_group("base.group_erp_manager")

    def _is_public(self) -> bool:
        self.ensure_one()
        return self.has_group("base.group_public")

    def _is_portal(self) -> bool:
        self.ensure_one()
        return self.has_group("base.group_portal")

    def _is_internal(self) -> bool:
        self.ensure_one()
        return self.has_group("base.group_user")

    def _apply_implied_groups(self) -> None:
        """Give each user the groups implied by theirs, as Odoo does (``user.groups_id`` then
        lists them; access checks follow implications anyway)."""
        for user in self.sudo():
            groups = user.groups_id
            implied = groups.mapped("trans_implied_ids") - groups
            if implied:
                user.write({"groups_id": [(4, gid) for gid in implied.ids]})

    # -- authentication ----------------------------------------------------------------------
    def _rpc_api_keys_only(self) -> bool:
        """Whether RPC clients must use an API key instead of the password (two-factor
        authentication enabled)."""
        self.ensure_one()
        return self.totp_enabled

    def _check_credentials(self, password: str, user_agent_env: dict | None = None) -> None:
        """Raise ``AccessDenied`` unless ``password`` is the user's password or, for a
        non-interactive client (``user_agent_env["interactive"]`` false), one of its API keys
        of scope ``rpc``. The password is refused to RPC clients of users with two-factor
        authentication."""
        self.ensure_one()
        if not password or not isinstance(password, str):
            raise AccessDenied()
        env = user_agent_env or {}
        interactive = env.get("interactive", True)
        if interactive or not self._rpc_api_keys_only():
            if self._check_password(password):
                return
            if interactive:
                raise AccessDenied()
        if "res.users.apikeys" in self.env:
            uid = self.env["res.users.apikeys"].sudo()._check_credentials(scope="rpc", key=password)
            if uid == self.id:
                return
        raise AccessDenied()

    def _check_password(self, password: str) -> bool:
        """Whether ``password`` is the user's; re-hash it when the scheme changed."""
        self.env.cr.execute(SQL("SELECT password FROM res_users WHERE id = %s AND active", self.id))
        row = self.env.cr.fetchone()
        stored = row[0] if row else None
        if not stored:
            passwords.dummy_verify(password)
            return False
        if not passwords.verify_password(password, stored):
            return False
        if passwords.needs_rehash(stored):
            self._set_encrypted_password(self.id, passwords.hash_password(password))
        return True

    @api.model
    def _login_throttle(self) -> throttle.LoginThrottle:
        """The throttling policy of failed logins (override to tune it)."""
        return throttle.LoginThrottle()

    # The throttle's counters are read and written in short transactions of their own: a
    # failure must survive the rollback of the failed login's transaction, and every check
    # must see the failures committed since that transaction began.
    def _check_login_throttle(self, login: str | None, address: str | None) -> int:
        """Raise ``AccessDenied`` while ``login`` or ``address`` is blocked; else return how
        many failure counters they have."""
        policy = self._login_throttle()
        with self.env.registry.cursor() as cr:
            return policy.check(cr, login, address)

    def _record_login_failure(self, login: str | None, address: str | None) -> None:
        """Count a failed login (committed at once, whatever happens to the caller's
        transaction)."""
        policy = self._login_throttle()
        with self.env.registry.cursor() as cr:
            policy.record_failure(cr, login, address)

    def _clear_login_failures(self, login: str | None, address: str | None) -> None:
        """Forget the failures of ``login`` and ``address`` after a successful login."""
        policy = self._login_throttle()
        with self.env.registry.cursor() as cr:
            policy.record_success(cr, login, address)

    @api.model
    def _login(self, db: str, login: str, password: str, user_agent_env: dict | None = None) -> int:
        """Check ``login`` and ``password``; see :meth:`authenticate`."""
        env = dict(user_agent_env or {})
        address = env.get("REMOTE_ADDR") if isinstance(env.get("REMOTE_ADDR"), str) else None
        login = login if isinstance(login, str) else None
        counters = self._check_login_throttle(login or None, address)  # AccessDenied while blocked
        user = self.browse()
        if login and password:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM res_users WHERE login = %s AND active AND id != %s",
                    login,
                    SUPERUSER_ID,
                )
            )
            row = self.env.cr.fetchone()
            user = self.browse(row[0]) if row else user
        try:
            if not user:
                passwords.dummy_verify(password if isinstance(password, str) else "")
                raise AccessDenied()
            user._check_credentials(password, env)
        except AccessDenied:
            _logger.info("Login failed for db:%s login:%s from %s", db, login, address or "n/a")
            self._record_login_failure(login or None, address)
            raise AccessDenied() from None
        if env.get("interactive", True) and user.totp_enabled:
            # the password was right: the second factor completes the login (_totp_check)
            raise security.SecondFactorRequired(user.id)
        if counters:
            self._clear_login_failures(login, address)
        user._update_last_login()
        _logger.info("Login successful for db:%s login:%s from %s", db, login, address or "n/a")
        return user.id

    def _update_last_login(self) -> None:
        self.sudo().write({"login_date": fields.Datetime.now()})

    @api.private
    @api.model
    def authenticate(
        self, db: str, login: str, password: str, user_agent_env: dict | None = None
    ) -> int:
        """The id of the user ``login`` if ``password`` (or, for RPC, an API key) is right.

        For the server only (``@api.private``, a classmethod in Odoo 17): it trusts the
        client address of ``user_agent_env``, which the login routes and the RPC services
        take from the connection; no RPC call can reach it.

        Raises ``AccessDenied`` with one message whatever was wrong (unknown login, wrong
        password, inactive user), another while the login or the client address is throttled,
        and :class:`erplite.security.SecondFactorRequired` (an ``AccessDenied`` holding
        ``uid``) when the password was right and the user has two-factor authentication.
        """
        return self.sudo()._login(db, login, password, user_agent_env)

    def _compute_session_token(self, sid: str) -> str:
        """A token derived from the user's credentials: it changes with the password, the
        login, the active flag or the TOTP secret, which ends every session of the user."""
        self.ensure_one()
        self.env.cr.execute(self._session_token_query())
        return self._session_token_of(sid, self.env.cr.fetchone())

    def _session_token_query(self) -> SQL:
        """The query of the one row (or none) the session token is derived from."""
        self.ensure_one()
        return SQL(
            "SELECT id, login, password, active, totp_secret FROM res_users WHERE id = %s",
            self.id,
        )

    def _session_check(self, sid: str) -> tuple[SQL, Callable[[Any], str]]:
        """The session check of the HTTP layer in one statement, run with the request's first
        one (``Request.read_signals``): the query of the token's row followed by the user's
        row as the ORM fetches it (with its partner's: a page shows the user's name), and
        the function giving the token of ``sid`` from its answer (``None``: no such user),
        which loads the user's row into the cache (no query when the page reads it)."""
        fetch, load = self.sudo()._prefetch_statement("login")
        query = SQL(
            "SELECT t.*, f.* FROM (%s) AS t LEFT JOIN LATERAL (%s) AS f ON true",
            self._session_token_query(),
            fetch,
        )

        def token(row: Any) -> str:
            if row is None:
                return ""
            if row[_TOKEN_COLUMNS] is not None:
                load([row[_TOKEN_COLUMNS:]])
            return self._session_token_of(sid, row[:_TOKEN_COLUMNS])

        return query, token

    def _session_token_of(self, sid: str, row: Any) -> str:
        """The session token of ``sid`` from ``row``, the answer of ``_session_token_query``
        (``None``: no such user, an empty token)."""
        if row is None:
            return ""
        secret = (
            self.env["ir.config_parameter"].sudo()._get_secret()
            if "ir.config_parameter" in self.env
            else "erplite"
        )
        data = "|".join(str(value) for value in row)
        return hmac.new(secret.encode(), f"{sid}|{data}".encode(), hashlib.sha256).hexdigest()

    @api.model
    def context_get(self) -> dict:
        user = self.env.user
        return {"lang": user.lang or "en_US", "tz": user.tz or False, "uid": user.id}

    # -- two-factor authentication (auth_totp) -----------------------------------------------
    def _totp_secret(self) -> str | None:
        self.env.cr.execute(SQL("SELECT totp_secret FROM res_users WHERE id = %s", self.id))
        row = self.env.cr.fetchone()
        return row[0] if row else None

    def _totp_use_step(self, step: int) -> bool:
        """Record ``step`` as the user's last TOTP login step; False if that step or a later
        one was used already (a replayed code). Concurrent logins with one code serialise on
        the user's row: one of them wins."""
        self.env.cr.execute(
            SQL(
                "UPDATE res_users SET totp_last_step = %s WHERE id = %s "
                "AND (totp_last_step IS NULL OR totp_last_step < %s) RETURNING id",
                step,
                self.id,
                step,
            )
        )
        return self.env.cr.fetchone() is not None

    def _set_totp_secret(self, secret: str | None) -> None:
        self.env.cr.execute(
            SQL(
                "UPDATE res_users SET totp_secret = %s, totp_last_step = NULL WHERE id = %s",
                secret,
                self.id,
            )
        )
        self.invalidate_recordset(["totp_enabled"], flush=False)

    def _totp_try_setting(self, secret: str, code: str) -> bool:
        """Enable two-factor authentication with ``secret`` if ``code`` is the current code of
        that secret (the user proves their app has it). Only for oneself; False otherwise."""
        self.ensure_one()
        if self.id != self.env.uid or self.totp_enabled:
            return False
        secret = "".join((secret or "").split()).upper()
        if not secret or not totp.verify_code(secret, code):
            return False
        self._set_totp_secret(secret)
        _logger.info("2FA enable: SUCCESS for %s %r", self, self.sudo().login)
        return True

    def action_totp_disable(self, password: str | None = None) -> bool:
        """Disable two-factor authentication (oneself, or any user for an administrator).

        The caller proves it is still the user by giving its current ``password`` again (what
        Odoo's ``@check_identity`` asks): a stolen session or API key is not enough to remove
        the second factor. A wrong one is ``AccessDenied``, counted as a failed login.
        """
        if not (self.env.su or self.ids == [self.env.uid] or self.env.user._is_admin()):
            raise UserError(
                "You do not have permission to disable two-factor authentication of other users."
            )
        if not self.env.su:
            self._check_identity(password, "Disabling two-factor authentication")
        for user in self:
            user._set_totp_secret(None)
        return True

    def _totp_check(self, code: str, user_agent_env: dict | None = None) -> None:
        """Complete a login left pending by :class:`SecondFactorRequired`: raise
        ``AccessDenied`` unless ``code`` is the user's current TOTP code. Wrong codes count as
        failed logins (throttled); a right one clears the counters and records the login."""
        self.ensure_one()
        user = self.sudo()
        address = (user_agent_env or {}).get("REMOTE_ADDR")
        login = user.login
        counters = self._check_login_throttle(login, address)
        secret = user._totp_secret()
        step = totp.matching_step(secret, code) if secret else None
        if step is None or not user._totp_use_step(step):
            _logger.info("2FA check: FAIL for %s %r", self, login)
            self._record_login_failure(login, address)
            raise AccessDenied("Verification failed, please double-check the 6-digit code")
        _logger.info("2FA check: SUCCESS for %s %r", self, login)
        if counters:
            self._clear_login_failures(login, address)
        user._update_last_login()

    # -- no escalation -----------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self.check_access_rights("create")
            if not self.env.user._is_system():
                raise AccessError("Only administrators (Settings group) can create users.")
        users = super().create(vals_list)
        users._apply_implied_groups()
        security.invalidate_access_cache(self.env)
        return users

    def read(self, fields=None, load="_classic_read"):
        if (
            fields
            and self._ids == (self.env.uid,)
            and not self.env.su
            and all(
                name in self.SELF_READABLE_FIELDS or name.startswith("context_") for name in fields
            )
        ):
            # one's own user, harmless fields: no read access to users needed
            self = self.sudo()  # noqa: PLW0642 - as Odoo
        return super().read(fields, load=load)

    def write(self, vals):
        if not self.env.su and self._ids:
            own = self._ids == (self.env.uid,)
            if (
                own
                and vals
                and all(
                    name in self.SELF_WRITEABLE_FIELDS or name.startswith("context_")
                    for name in vals
                )
            ):
                vals = dict(vals)
                if "company_id" in vals and vals["company_id"] not in self.env.user.company_ids.ids:
                    del vals["company_id"]
                self = self.sudo()  # noqa: PLW0642 - one's own preferences, as Odoo
            else:
                if own and "password" in vals:
                    raise AccessError("Change your own password with change_password(old, new).")
                self.check_access_rights("write")
                sensitive = sorted(name for name in vals if name in PROTECTED_FIELDS)
                if sensitive and not self.env.user._is_system():
                    raise AccessError(
                        f"You cannot change {', '.join(sensitive)} of users: only "
                        "administrators (Settings group) can."
                    )
        if "active" in vals:
            if vals["active"] and SUPERUSER_ID in self._ids:
                raise UserError("You cannot activate the superuser.")
            if not vals["active"] and self.env.uid in self._ids and self.env.uid != SUPERUSER_ID:
                raise UserError("You cannot deactivate the user you're currently logged in as.")
        result = super().write(vals)
        if "groups_id" in vals:
            self._apply_implied_groups()
        if any(name in vals for name in _ACCESS_FIELDS):
            security.invalidate_access_cache(self.env)
        return result

    @api.ondelete(at_uninstall=True)
    def _unlink_except_superuser_and_self(self):
        if SUPERUSER_ID in self.ids:
            raise UserError("You can not remove the superuser, it is used by the system.")
        if not self.env.su and self.env.uid in self.ids:
            raise UserError("You cannot delete the user you're currently logged in as.")

    def unlink(self):
        result = super().unlink()
        security.invalidate_access_cache(self.env)
        return result

    @api.model
    def change_password(self, old_passwd: str, new_passwd: str) -> bool:
        """Change the current user's password; the old one is required (``AccessDenied``
        otherwise; a wrong one counts as a failed login).

        The new password ends every session of the user (their token depends on it) but the
        caller's: called in a request whose session is the user's, that session gets a new
        id and token when it is saved, so the caller is sent a new, valid cookie (as Odoo
        rotates the session).
        """
        if not new_passwd:
            raise UserError("Setting empty passwords is not allowed for security reasons!")
        user = self.env.user
        self._check_identity(old_passwd)
        user.sudo().write({"password": new_passwd})
        _rotate_request_session(user.id, self.env.cr.dbname)
        return True

    @api.private
    def _check_identity(self, password: str | None, purpose: str = "This change") -> None:
        """Raise ``AccessDenied`` unless ``password`` is the current user's password (what
        a sensitive change asks again): a missing one says so (``purpose`` names the
        change), a wrong one is throttled and counted like a failed login."""
        user = self.env.user
        login = user.login
        if not password or not isinstance(password, str):
            raise AccessDenied(f"{purpose} needs your current password again.")
        self._check_login_throttle(login, None)
        if not user.sudo()._check_password(password):
            self._record_login_failure(login, None)
            raise AccessDenied()
