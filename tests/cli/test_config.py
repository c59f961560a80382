"""The configuration: INI file < ERPLITE_* variables < flags, PG* variables, and bad values."""

from __future__ import annotations

from pathlib import Path

import psycopg.conninfo
import pytest

from erplite.cli.config import (
    Config,
    ConfigError,
    default_data_dir,
    load_config,
    parse_bind,
    redact_dsn,
)
from erplite.cli.main import build_parser


def parse(*argv: str):
    return build_parser().parse_args(list(argv))


def write_ini(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "erplite.conf"
    path.write_text(body, encoding="utf-8")
    return path


def conninfo(dsn: str | None) -> dict:
    assert dsn is not None
    return psycopg.conninfo.conninfo_to_dict(dsn)


# ---------------------------------------------------------------------------------------------
# Defaults and precedence
# ---------------------------------------------------------------------------------------------


def test_defaults():
    config = load_config(None, environ={})
    assert config.bind == "127.0.0.1:8069"
    assert (config.host, config.port) == ("127.0.0.1", 8069)
    assert config.workers == 0
    assert config.dev is False and config.without_demo is False and config.proxy_mode is False
    assert config.log_level == "info"
    assert config.addons_path == []
    assert config.data_dir == Path.home() / ".local" / "share" / "erplite"
    assert config.url == "http://127.0.0.1:8069"


def test_data_dir_follows_xdg_data_home(tmp_path):
    assert default_data_dir({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path / "erplite"
    config = load_config(None, environ={"XDG_DATA_HOME": str(tmp_path)})
    assert config.data_dir == tmp_path / "erplite"


def test_ini_then_environment_then_flags(tmp_path):
    ini = write_ini(
        tmp_path,
        "[options]\n"
        "db_name = from_ini\n"
        "workers = 1\n"
        "bind = 127.0.0.1:1111\n"
        "addons_path = /a, /b\n"
        "log_level = warning\n"
        "proxy_mode = yes\n",
    )
    environ = {"ERPLITE_WORKERS": "2", "ERPLITE_BIND": "127.0.0.1:2222"}
    args = parse("-c", str(ini), "serve", "--bind", "127.0.0.1:3333")
    config = load_config(args, environ=environ)
    assert config.db_name == "from_ini"  # only the file sets it
    assert config.addons_path == ["/a", "/b"]
    assert config.log_level == "warning"
    assert config.proxy_mode is True
    assert config.workers == 2  # the environment beats the file
    assert config.bind == "127.0.0.1:3333"  # the flag beats both


def test_flags_not_given_do_not_override(tmp_path):
    ini = write_ini(tmp_path, "[options]\nworkers = 4\ndev = true\n")
    config = load_config(parse("serve"), environ={}, config_file=ini)
    assert config.workers == 4
    assert config.dev is True


def test_global_options_before_or_after_the_subcommand():
    before = load_config(parse("--dev", "--log-level", "debug", "serve"), environ={})
    after = load_config(parse("serve", "--dev", "--log-level", "debug"), environ={})
    assert before.dev and after.dev
    assert before.log_level == after.log_level == "debug"


def test_environment_variables(tmp_path):
    environ = {
        "ERPLITE_DSN": "host=db.example dbname=shop",
        "ERPLITE_DB_NAME": "other",
        "ERPLITE_ADDONS_PATH": "/x,/y",
        "ERPLITE_DATA_DIR": str(tmp_path / "data"),
        "ERPLITE_WORKERS": "3",
        "ERPLITE_DEV": "on",
        "ERPLITE_WITHOUT_DEMO": "1",
        "ERPLITE_LOG_LEVEL": "ERROR",
        "ERPLITE_TEST_DSN": "not a setting: ignored",
    }
    config = load_config(None, environ=environ)
    assert config.dsn == "host=db.example dbname=shop"
    assert config.db_name == "other"
    assert config.addons_path == ["/x", "/y"]
    assert config.data_dir == tmp_path / "data"
    assert config.workers == 3
    assert config.dev is True and config.without_demo is True
    assert config.log_level == "error"


def test_config_file_from_environment(tmp_path):
    ini = write_ini(tmp_path, "[options]\ndb_name = via_env_file\n")
    config = load_config(None, environ={"ERPLITE_CONFIG": str(ini)})
    assert config.db_name == "via_env_file"


def test_flags_of_every_setting(tmp_path):
    args = parse(
        "--dsn", "host=h", "-d", "db", "--db-host", "dbh", "--db-port", "5544",
        "--db-user", "u", "--db-password", "secret", "--data-dir", str(tmp_path),
        "--addons-path", "/p1,/p2", "--bind", "0.0.0.0:8080", "--workers", "2",
        "--proxy-mode", "--without-demo", "--dev", "--log-level", "debug",
    )  # fmt: skip
    config = load_config(args, environ={})
    assert config.dsn == "host=h"
    assert (config.db_name, config.db_host, config.db_port) == ("db", "dbh", 5544)
    assert (config.db_user, config.db_password) == ("u", "secret")
    assert config.data_dir == tmp_path
    assert config.addons_path == ["/p1", "/p2"]
    assert (config.bind, config.workers) == ("0.0.0.0:8080", 2)
    assert config.proxy_mode and config.without_demo and config.dev
    assert config.url == "http://127.0.0.1:8080"  # 0.0.0.0 is reached through localhost
    assert "secret" not in repr(config)


def test_odoo_style_underscore_flags():
    config = load_config(parse("--db_host", "h", "--addons_path", "/a"), environ={})
    assert config.db_host == "h"
    assert config.addons_path == ["/a"]


# ---------------------------------------------------------------------------------------------
# The DSN, PG* variables and the embedded default
# ---------------------------------------------------------------------------------------------


def test_nothing_configured_means_embedded():
    assert load_config(None, environ={}).resolved_dsn() is None
    # libpq's user and port alone do not name a database server
    assert load_config(None, environ={"PGUSER": "me", "PGPORT": "5433"}).resolved_dsn() is None


def test_pg_variables_are_honoured():
    environ = {
        "PGHOST": "pg.example",
        "PGPORT": "5433",
        "PGUSER": "me",
        "PGPASSWORD": "pw",
        "PGDATABASE": "shop",
    }
    params = conninfo(load_config(None, environ=environ).resolved_dsn())
    assert params == {
        "host": "pg.example",
        "port": "5433",
        "user": "me",
        "password": "pw",
        "dbname": "shop",
    }


@pytest.mark.parametrize(
    "environ",
    [{"PGHOST": "/var/run/postgresql"}, {"PGHOSTADDR": "10.0.0.5"}, {"ERPLITE_DB_HOST": "pg"}],
)
def test_a_server_setting_means_configured(environ):
    assert load_config(None, environ=environ).resolved_dsn() is not None


@pytest.mark.parametrize("environ", [{"PGDATABASE": "shop2"}, {"ERPLITE_DB_NAME": "shop2"}])
def test_a_database_name_alone_picks_a_database_on_the_embedded_server(environ):
    config = load_config(None, environ=environ)
    assert config.resolved_dsn() is None
    assert config.database_name == "shop2"
    flagged = load_config(parse("-d", "shop2"), environ={})
    assert (flagged.resolved_dsn(), flagged.database_name) == (None, "shop2")


def test_dsn_is_overridden_by_db_fields_and_overrides_pg_variables():
    environ = {"PGHOST": "envhost", "PGUSER": "envuser", "PGDATABASE": "envdb"}
    args = parse("--dsn", "host=dsnhost dbname=dsndb port=6000", "-d", "flagdb")
    params = conninfo(load_config(args, environ=environ).resolved_dsn())
    assert params["host"] == "dsnhost"  # dsn beats PGHOST
    assert params["user"] == "envuser"  # PGUSER fills what the dsn does not say
    assert params["port"] == "6000"
    assert params["dbname"] == "flagdb"  # -d beats the dsn's dbname


def test_uri_dsn():
    args = parse("--dsn", "postgresql://u:p@h:5555/d")
    params = conninfo(load_config(args, environ={}).resolved_dsn())
    assert params == {"user": "u", "password": "p", "host": "h", "port": "5555", "dbname": "d"}


def test_db_fields_build_a_dsn():
    args = parse("--db-host", "h", "--db-port", "5432", "--db-user", "u", "-d", "x")
    params = conninfo(load_config(args, environ={}).resolved_dsn())
    assert params == {"host": "h", "port": "5432", "user": "u", "dbname": "x"}


def test_redact_dsn_drops_the_password():
    shown = redact_dsn("host=h password=secret dbname=d")
    assert "secret" not in shown and "host=h" in shown and "dbname=d" in shown
    assert "secret" not in redact_dsn("postgresql://u:secret@h/d")


# ---------------------------------------------------------------------------------------------
# Errors name their source and value
# ---------------------------------------------------------------------------------------------


def test_bad_value_in_ini_names_file_key_and_value(tmp_path):
    ini = write_ini(tmp_path, "[options]\nworkers = abc\n")
    with pytest.raises(ConfigError) as info:
        load_config(None, environ={}, config_file=ini)
    assert (
        str(info.value) == f"{ini}: [options] workers: invalid value 'abc': expected a whole number"
    )


def test_unknown_ini_key(tmp_path):
    ini = write_ini(tmp_path, "[options]\nadmin_passwd = x\n")
    with pytest.raises(ConfigError, match=r"\[options\] admin_passwd: unknown key \(value 'x'\)"):
        load_config(None, environ={}, config_file=ini)


def test_missing_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(None, environ={}, config_file=tmp_path / "nope.conf")
    with pytest.raises(ConfigError, match=r"has no \[options\] section"):
        load_config(None, environ={}, config_file=write_ini(tmp_path, "[server]\nx = 1\n"))
    with pytest.raises(ConfigError, match="invalid configuration file"):
        load_config(None, environ={}, config_file=write_ini(tmp_path, "workers = 1\n"))


def test_bad_environment_variable_names_it():
    with pytest.raises(ConfigError) as info:
        load_config(None, environ={"ERPLITE_DEV": "maybe"})
    assert str(info.value).startswith("environment variable ERPLITE_DEV: invalid value 'maybe'")
    with pytest.raises(ConfigError, match="environment variable ERPLITE_BIND: invalid bind"):
        load_config(None, environ={"ERPLITE_BIND": "nonsense"})


@pytest.mark.parametrize(
    "argv, message",
    [
        (("--workers", "abc"), "option --workers: invalid value 'abc': expected a whole number"),
        (("--workers", "-1"), "option --workers: invalid value '-1': expected a number >= 0"),
        (("--db-port", "99999"), "option --db-port: invalid value '99999': expected a number"),
        (("--log-level", "loud"), "option --log-level: invalid value 'loud': expected one of"),
        (("--bind", "localhost"), "option --bind: invalid bind address 'localhost': expected"),
    ],
)
def test_bad_flag_names_it(argv, message):
    with pytest.raises(ConfigError) as info:
        load_config(parse(*argv), environ={})
    assert str(info.value).startswith(message)


@pytest.mark.parametrize(
    "value, detail",
    [
        ("localhost", "expected HOST:PORT"),
        ("localhost:", "expected HOST:PORT"),
        (":8069", "the host is missing"),
        ("host:http", "the port must be a number from 1 to 65535"),
        ("host:0", "the port must be a number from 1 to 65535"),
        ("host:70000", "the port must be a number from 1 to 65535"),
        ("::1:8069", "write IPv6 addresses as [ADDR]:PORT"),
        ("[nothost]:8069", "'nothost' is not an IPv6 address"),
    ],
)
def test_malformed_bind(value, detail):
    with pytest.raises(ConfigError) as info:
        parse_bind(value, "bind")
    assert str(info.value) == f"bind: invalid bind address {value!r}: {detail}"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("127.0.0.1:8069", ("127.0.0.1", 8069)),
        ("0.0.0.0:80", ("0.0.0.0", 80)),
        ("localhost:8069", ("localhost", 8069)),
        ("[::1]:8069", ("::1", 8069)),
    ],
)
def test_valid_bind(value, expected):
    assert parse_bind(value, "bind") == expected


def test_ipv6_url():
    assert Config(bind="[::]:8069").url == "http://[::1]:8069"


def test_outgoing_mail_settings_from_the_file_reach_the_mail_module(tmp_path):
    ini = write_ini(
        tmp_path,
        "[options]\nsmtp_server = mail.example.com\nsmtp_port = 587\nsmtp_encryption = STARTTLS\n"
        "smtp_user = robot\nsmtp_password = s3cret\nemail_from = erp@example.com\n",
    )
    config = load_config(None, environ={}, config_file=ini)
    assert config.mail_environ() == {
        "ERPLITE_SMTP_SERVER": "mail.example.com",
        "ERPLITE_SMTP_PORT": "587",
        "ERPLITE_SMTP_USER": "robot",
        "ERPLITE_SMTP_PASSWORD": "s3cret",
        "ERPLITE_SMTP_ENCRYPTION": "starttls",
        "ERPLITE_EMAIL_FROM": "erp@example.com",
    }
    assert "s3cret" not in repr(config)
    bad = write_ini(tmp_path, "[options]\nsmtp_encryption = tls\n")
    with pytest.raises(ConfigError, match="expected none, starttls or ssl"):
        load_config(None, environ={}, config_file=bad)
