from erplite.sql import SQL

from . import models  # noqa: F401


def pre_init(env):
    """Runs before the module's tables exist."""
    env.cr.execute(SQL("SELECT to_regclass('ld_loan') IS NULL"))
    env["ir.config_parameter"].set_param(
        "ld_loans.pre_init_before_tables", str(env.cr.fetchone()[0])
    )


def post_init(env):
    """Runs once, after the module's data, at installation only."""
    env["ld.tag"].create({"name": f"post-init after {env['ld.loan'].search_count([])} loan"})


def uninstall(env):
    env["ir.config_parameter"].set_param("ld_loans.uninstall_hook", "ran")
