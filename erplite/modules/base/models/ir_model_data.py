"""``ir.model.data``: external identifiers (``module.name``) of records."""

from __future__ import annotations

from erplite import api, fields, models
from erplite.sql import SQL


class IrModelData(models.Model):
    _name = "ir.model.data"
    _description = "Model Data"
    _order = "module, model, name"
    _rec_name = "name"

    name = fields.Char("External Identifier", required=True)
    complete_name = fields.Char(compute="_compute_complete_name")
    model = fields.Char("Model Name", required=True)
    module = fields.Char(default="", required=True)
    res_id = fields.Integer("Record ID")
    noupdate = fields.Boolean("Non Updatable", default=False)

    _sql_constraints = [
        ("name_nospaces", "CHECK(name NOT LIKE '%% %%')", "External IDs cannot contain spaces"),
        ("module_name_uniq", "UNIQUE (module, name)", "External ID must be unique per module"),
    ]

    @api.depends("module", "name")
    def _compute_complete_name(self):
        for record in self:
            record.complete_name = (
                f"{record.module}.{record.name}" if record.module else record.name
            )

    @api.model
    def _xmlid_lookup(self, xmlid: str) -> tuple[int, str, int, bool]:
        """``(data id, model, res_id, noupdate)`` of ``module.name``; ``ValueError`` if unknown."""
        if "." not in xmlid:
            raise ValueError(f"External ID not found in the system: {xmlid} (expected module.name)")
        module, name = xmlid.split(".", 1)
        cache = self.env.transaction.xmlid_cache
        if xmlid in cache:
            return cache[xmlid]
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT id, model, res_id, noupdate FROM ir_model_data "
                "WHERE module = %s AND name = %s",
                module,
                name,
            )
        )
        row = cr.fetchone()
        if row is None:
            raise ValueError(f"External ID not found in the system: {xmlid}")
        cache[xmlid] = tuple(row)
        return tuple(row)

    @api.model
    def _xmlid_to_res_model_res_id(self, xmlid: str, raise_if_not_found: bool = False):
        try:
            _id, model, res_id, _noupdate = self._xmlid_lookup(xmlid)
            return model, res_id
        except ValueError:
            if raise_if_not_found:
                raise
            return False, False

    @api.model
    def _xmlid_to_res_id(self, xmlid: str, raise_if_not_found: bool = False):
        return self._xmlid_to_res_model_res_id(xmlid, raise_if_not_found)[1]

    @api.model
    def _update_xmlids(self, data_list: list[dict], update: bool = False) -> None:
        """Create or update external ids: ``{'xml_id', 'record', 'noupdate'}`` per entry."""
        cache = self.env.transaction.xmlid_cache
        for data in data_list:
            module, name = data["xml_id"].split(".", 1)
            record = data["record"]
            cr = self.env.cr
            cr.execute(
                SQL(
                    "INSERT INTO ir_model_data (module, name, model, res_id, noupdate, create_uid, "
                    "write_uid, create_date, write_date) VALUES (%s, %s, %s, %s, %s, %s, %s, "
                    "now() at time zone 'UTC', now() at time zone 'UTC') "
                    "ON CONFLICT (module, name) DO UPDATE SET model = EXCLUDED.model, "
                    "res_id = EXCLUDED.res_id, write_date = EXCLUDED.write_date"
                    + (", noupdate = EXCLUDED.noupdate" if update else ""),
                    module,
                    name,
                    record._name,
                    record.id,
                    bool(data.get("noupdate")),
                    self.env.uid,
                    self.env.uid,
                )
            )
            cache.pop(data["xml_id"], None)
        self.invalidate_model()

    @api.model
    def _update_xmlids_bulk(self, data_list: list[dict]) -> None:
        """``_update_xmlids`` in one statement (model reflection at install)."""
        if not data_list:
            return
        modules, names, models_, res_ids = [], [], [], []
        for data in data_list:
            module, name = data["xml_id"].split(".", 1)
            modules.append(module)
            names.append(name)
            models_.append(data["record"]._name)
            res_ids.append(data["record"].id)
        self.env.cr.execute(
            SQL(
                "INSERT INTO ir_model_data (module, name, model, res_id, noupdate, create_uid, write_uid, "
                "create_date, write_date) SELECT m, n, o, r, false, %s, %s, now() at time zone 'UTC', "
                "now() at time zone 'UTC' FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[], %s::int4[]) "
                "AS t(m, n, o, r) ON CONFLICT (module, name) DO UPDATE SET res_id = EXCLUDED.res_id",
                self.env.uid,
                self.env.uid,
                modules,
                names,
                models_,
                res_ids,
            )
        )
        self.env.transaction.xmlid_cache.clear()
        self.invalidate_model()

    @api.model
    def _module_xmlids(self, module: str) -> list[tuple[str, str, int]]:
        """``(name, model, res_id)`` of every external id of ``module``."""
        self.env.cr.execute(
            SQL(
                "SELECT name, model, res_id FROM ir_model_data WHERE module = %s ORDER BY id DESC",
                module,
            )
        )
        return self.env.cr.fetchall()
