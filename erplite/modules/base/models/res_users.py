"""``res.users``: users, delegating their name and contact data to a partner (``_inherits``).

The password is write-only: assigning ``user.password`` stores an scrypt hash in a column the
ORM never reads; reading ``password`` always gives an empty string. Changing the login, the
password or the active flag changes the session token, which ends the user's sessions.
"""

from __future__ import annotations

import hashlib
import hmac

from erplite import SUPERUSER_ID, api, fields, models
from erplite.exceptions import AccessDenied, AccessError, UserError
from erplite.security import passwords
from erplite.sql import SQL


class ResUsers(models.Model):
    _name = "res.users"
    _description = "User"
    _inherits = {"res.partner": "partner_id"}
    _order = "name, login"

    partner_id = fields.Many2one("res.partner", required=True, ondelete="restrict", index=True,
                                 string="Related Partner")
    login = fields.Char(required=True)
    password = fields.Char(compute="_compute_password", inverse="_set_password", copy=False,
                           store=False, string="Password")
    active = fields.Boolean(default=True)
    groups_id = fields.Many2many("res.groups", "res_groups_users_rel", "uid", "gid", string="Groups",
                                 default=lambda self: self._default_groups())
    company_id = fields.Many2one("res.company", string="Company", required=True,
                                 default=lambda self: self.env.company.id, index=True)
    company_ids = fields.Many2many("res.company", "res_company_users_rel", "user_id", "cid",
                                   string="Companies", default=lambda self: self.env.company.ids)
    share = fields.Boolean(compute="_compute_share", store=True, string="Share User")
    signature = fields.Html()
    login_date = fields.Datetime("Latest Connection", readonly=True)
    totp_enabled = fields.Boolean(compute="_compute_totp_enabled")

    _sql_constraints = [("login_key", "UNIQUE (login)", "You can not have two users with the same login!")]

    def init(self):
        """Add the column holding the password hash, unknown to the ORM on purpose."""
        self.env.cr.execute(SQL("ALTER TABLE res_users ADD COLUMN IF NOT EXISTS password varchar"))
        self.env.cr.execute(SQL("ALTER TABLE res_users ADD COLUMN IF NOT EXISTS totp_secret varchar"))

    def _default_groups(self):
        group = self.env.ref("base.group_user", raise_if_not_found=False)
        return [(6, 0, group.ids)] if group else []

    def _compute_password(self):
        for user in self:
            user.password = ""

    def _set_password(self):
        for user in self:
            plain = user.env.transaction.cache.get_value(user.id, self._fields["password"], user.env, default=None)
            if not plain:
                continue
            self._set_encrypted_password(user.id, passwords.hash_password(plain))

    def _set_encrypted_password(self, uid: int, encrypted: str) -> None:
        self.env.cr.execute(SQL("UPDATE res_users SET password = %s WHERE id = %s", encrypted, uid))

    @api.depends("groups_id")
    def _compute_share(self):
        user_group = self.env.ref("base.group_user", raise_if_not_found=False)
        for user in self:
            user.share = not user_group or user_group.id not in user.groups_id.ids

    def _compute_totp_enabled(self):
        self.env.cr.execute(SQL("SELECT id FROM res_users WHERE id = ANY(%s) AND totp_secret IS NOT NULL",
                                list(self._ids)))
        enabled = {row[0] for row in self.env.cr.fetchall()}
        for user in self:
            user.totp_enabled = user.id in enabled

    # -- groups ------------------------------------------------------------------------------
    def _group_ids(self) -> frozenset[int]:
        """Ids of the user's groups, implied ones included (cached per transaction)."""
        self.ensure_one()
        from erplite.security import user_group_ids

        return user_group_ids(self.env, self.id)

    @api.model
    def has_group(self, group_ext_id: str) -> bool:
        """Whether the current user (or ``self`` if a record) is in ``module.group``."""
        user = self if self._ids else self.env.user
        group = self.env.ref(group_ext_id, raise_if_not_found=False)
        return bool(group) and group.id in user.sudo()._group_ids()

    def _is_system(self) -> bool:
        return self.id == SUPERUSER_ID or self.has_group("base.group_system")

    def _is_public(self) -> bool:
        return self.has_group("base.group_public")

    # -- authentication ----------------------------------------------------------------------
    def _check_credentials(self, password: str, user_agent_env: dict | None = None) -> None:
        """Raise ``AccessDenied`` unless ``password`` is the user's (or one of its API keys)."""
        self.ensure_one()
        self.env.cr.execute(SQL("SELECT password FROM res_users WHERE id = %s AND active", self.id))
        row = self.env.cr.fetchone()
        stored = row[0] if row else None
        if stored and passwords.verify_password(password, stored):
            if passwords.needs_rehash(stored):
                self._set_encrypted_password(self.id, passwords.hash_password(password))
            return
        if "res.users.apikeys" in self.env:
            uid = self.env["res.users.apikeys"]._check_credentials(scope="rpc", key=password)
            if uid == self.id:
                return
        raise AccessDenied()

    @api.model
    def _login(self, db: str, login: str, password: str, user_agent_env: dict | None = None) -> int:
        if not login or not password:
            raise AccessDenied()
        self.env.cr.execute(SQL("SELECT id FROM res_users WHERE lower(login) = lower(%s) AND active "
                                "AND id != %s", login, SUPERUSER_ID))
        row = self.env.cr.fetchone()
        if row is None:
            passwords.dummy_verify(password)
            raise AccessDenied()
        user = self.browse(row[0]).sudo()
        user._check_credentials(password, user_agent_env)
        user.write({"login_date": fields.Datetime.now()})
        return user.id

    @api.model
    def authenticate(self, db: str, login: str, password: str, user_agent_env: dict | None = None) -> int:
        """The id of the user ``login`` if ``password`` (or an API key) is right, else
        ``AccessDenied`` with one message whatever was wrong."""
        return self.sudo()._login(db, login, password, user_agent_env)

    def _compute_session_token(self, sid: str) -> str:
        """A token derived from the user's credentials: it changes with the password, the
        login or the active flag, which ends every session of the user."""
        self.ensure_one()
        self.env.cr.execute(SQL("SELECT id, login, password, active, totp_secret FROM res_users WHERE id = %s",
                                self.id))
        row = self.env.cr.fetchone()
        if row is None:
            return ""
        secret = self.env["ir.config_parameter"].sudo()._get_secret() if "ir.config_parameter" in self.env else "erplite"
        data = "|".join(str(value) for value in row)
        return hmac.new(secret.encode(), f"{sid}|{data}".encode(), hashlib.sha256).hexdigest()

    @api.model
    def context_get(self) -> dict:
        user = self.env.user
        return {"lang": user.lang or "en_US", "tz": user.tz or False, "uid": user.id}

    # -- no escalation -----------------------------------------------------------------------
    _PROTECTED = ("groups_id", "login", "password", "company_ids", "active", "share")

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and not self.env.user._is_system():
            raise AccessError("Only administrators (Settings group) can create users.")
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            sensitive = [name for name in vals if name in self._PROTECTED]
            if sensitive and not self.env.user._is_system():
                own = self.ids == [self.env.uid]
                if not own or any(name != "password" for name in sensitive):
                    raise AccessError(
                        f"You cannot change {', '.join(sorted(sensitive))} of users: only "
                        "administrators (Settings group) can."
                    )
                raise AccessError("Change your own password with change_password(old, new).")
        result = super().write(vals)
        if "groups_id" in vals:
            self.env.registry.clear_access_cache()
        return result

    def unlink(self):
        if SUPERUSER_ID in self.ids:
            raise UserError("You can not remove the superuser, it is used by the system.")
        return super().unlink()

    @api.model
    def change_password(self, old_passwd: str, new_passwd: str) -> bool:
        """Change the current user's password; the old one is required."""
        if not new_passwd:
            raise UserError("Setting empty passwords is not allowed for security reasons!")
        user = self.env.user
        user.sudo()._check_credentials(old_passwd)
        user.sudo().write({"password": new_passwd})
        return True

    def _is_admin(self) -> bool:
        return self._is_system()
