"""The command's configuration: an INI file, then ``ERPLITE_*`` variables, then flags.

Worked example::

    from pathlib import Path
    from erplite.cli.config import load_config

    config = load_config(namespace, environ={"ERPLITE_WORKERS": "2"},
                         config_file=Path("erplite.conf"))
    config.workers            # 2 (from the environment), unless --workers was given
    config.resolved_dsn()     # a libpq conninfo, or None: "run the embedded PostgreSQL"
                              # (no --dsn, --db-host, PGHOST: -d names a database on it)

Each source overrides the one before it, key by key. The INI file has one section,
``[options]``, whose keys are the flags' names with underscores (``db_name``, ``addons_path``,
``bind``, ``workers``, ...). The environment variables are the same names, upper-cased, with the
``ERPLITE_`` prefix. A flag overrides only when the user gave it: the parser leaves the flags it
did not see out of the namespace (``argparse.SUPPRESS``).

The standard libpq variables (``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGPASSWORD``,
``PGDATABASE``) are honoured below erplite's own settings, as libpq itself would.

Every bad value raises :class:`ConfigError`, whose message names where the value came from (the
file and key, the variable, or the flag) and the value itself.
"""

from __future__ import annotations

import configparser
import dataclasses
import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg.conninfo

__all__ = [
    "ConfigError",
    "Config",
    "load_config",
    "default_data_dir",
    "parse_bind",
    "redact_dsn",
    "LOG_LEVELS",
]

DEFAULT_BIND = "127.0.0.1:8069"
# the HTTP layer's defaults (erplite.http.limits), repeated so that reading the configuration
# imports nothing of the HTTP layer
DEFAULT_MAX_CONTENT_LENGTH = 4 * 1024 * 1024
DEFAULT_MAX_JSON_DEPTH = 64
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
PG_VARIABLES = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE")


class ConfigError(Exception):
    """A configuration value is invalid; the message names its source and the value."""


def default_data_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """``$XDG_DATA_HOME/erplite``, else ``~/.local/share/erplite``."""
    xdg = environ.get("XDG_DATA_HOME")
    if xdg:
        return Path(xdg).expanduser() / "erplite"
    return Path("~/.local/share/erplite").expanduser()


@dataclass
class Config:
    """Everything the command needs to know; built by :func:`load_config`."""

    dsn: str | None = None
    db_name: str | None = None
    db_host: str | None = None
    db_port: int | None = None
    db_user: str | None = None
    db_password: str | None = field(default=None, repr=False)
    addons_path: list[str] = field(default_factory=list)
    data_dir: Path = field(default_factory=default_data_dir)
    bind: str = DEFAULT_BIND
    workers: int = 0
    dev: bool = False
    log_level: str = "info"
    without_demo: bool = False
    proxy_mode: bool = False
    dbfilter: str | None = None
    # PostgreSQL reached through a transaction-mode pooler (PgBouncer): "transaction", and the
    # direct DSN of the server for what needs a session (erplite.pooler)
    db_pooler: str | None = None
    db_direct_dsn: str | None = field(default=None, repr=False)
    # the largest request body (bytes) and the deepest JSON/XML-RPC nesting a request may send
    max_content_length: int = DEFAULT_MAX_CONTENT_LENGTH
    max_json_depth: int = DEFAULT_MAX_JSON_DEPTH
    # the scheduler: worker threads of `erplite cron` (and of `serve`, 0: none) and `--no-cron`
    max_cron_threads: int = 2
    no_cron: bool = False
    # outgoing mail when the database has no ir.mail_server (the mail module reads them as the
    # ERPLITE_SMTP_* / ERPLITE_EMAIL_FROM variables: see mail_environ)
    smtp_server: str | None = None
    smtp_port: int | None = None
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_encryption: str | None = None
    email_from: str | None = None
    # The PG* variables seen when the configuration was loaded (libpq's defaults).
    pg_environ: dict[str, str] = field(default_factory=dict, repr=False)

    def pooler_environ(self) -> dict[str, str]:
        """``ERPLITE_DB_POOLER``/``ERPLITE_DB_DIRECT_DSN`` for the processes the command
        starts (gunicorn workers, the cron child), which read ``erplite.pooler``'s setting
        from them."""
        environ = {}
        if self.db_pooler:
            environ["ERPLITE_DB_POOLER"] = self.db_pooler
        if self.db_direct_dsn:
            environ["ERPLITE_DB_DIRECT_DSN"] = self.db_direct_dsn
        return environ

    @property
    def host(self) -> str:
        return parse_bind(self.bind, "bind")[0]

    @property
    def port(self) -> int:
        return parse_bind(self.bind, "bind")[1]

    @property
    def url(self) -> str:
        """The address users open in a browser."""
        host = self.host
        if host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def server_configured(self) -> bool:
        """True when a database server is configured, False when the embedded one should run.

        A server is configured by ``dsn``, ``db_host``, ``PGHOST`` or ``PGHOSTADDR``. A database
        name alone (``-d``, ``db_name``, ``PGDATABASE``) does not name a server: it picks the
        database on the embedded one, as ``erplite serve`` does.
        """
        pg = self.pg_environ
        return bool(self.dsn or self.db_host or pg.get("PGHOST") or pg.get("PGHOSTADDR"))

    @property
    def database_name(self) -> str | None:
        """The database named by ``db_name``, else by ``PGDATABASE`` (None if neither)."""
        return self.db_name or self.pg_environ.get("PGDATABASE") or None

    def mail_environ(self) -> dict[str, str]:
        """The outgoing mail settings as the variables the mail module reads
        (``ERPLITE_SMTP_SERVER``, ``..._PORT``, ``..._USER``, ``..._PASSWORD``,
        ``..._ENCRYPTION``, ``ERPLITE_EMAIL_FROM``): the command exports them, so that an INI
        file's ``smtp_*`` keys reach the models of every process it starts."""
        values = {
            "ERPLITE_SMTP_SERVER": self.smtp_server,
            "ERPLITE_SMTP_PORT": self.smtp_port,
            "ERPLITE_SMTP_USER": self.smtp_user,
            "ERPLITE_SMTP_PASSWORD": self.smtp_password,
            "ERPLITE_SMTP_ENCRYPTION": self.smtp_encryption,
            "ERPLITE_EMAIL_FROM": self.email_from,
        }
        return {name: str(value) for name, value in values.items() if value not in (None, "")}

    def resolved_dsn(self) -> str | None:
        """The libpq conninfo of the configured database, or None when none is configured.

        None means "use the embedded PostgreSQL". Precedence, lowest first: the ``PG*``
        variables, the parameters of ``dsn``, then ``db_host``/``db_port``/``db_user``/
        ``db_password``/``db_name``.
        """
        if not self.server_configured():
            return None
        params: dict[str, Any] = {}
        pg = self.pg_environ
        for var, key in (
            ("PGHOST", "host"),
            ("PGHOSTADDR", "hostaddr"),
            ("PGPORT", "port"),
            ("PGUSER", "user"),
            ("PGPASSWORD", "password"),
            ("PGDATABASE", "dbname"),
        ):
            if pg.get(var):
                params[key] = pg[var]
        if self.dsn:
            try:
                parsed = psycopg.conninfo.conninfo_to_dict(self.dsn)
            except psycopg.ProgrammingError as exc:
                raise ConfigError(f"invalid dsn {redact_dsn(self.dsn)!r}: {exc}") from None
            params.update({k: v for k, v in parsed.items() if v is not None})
        for attr, key in (
            ("db_host", "host"),
            ("db_port", "port"),
            ("db_user", "user"),
            ("db_password", "password"),
            ("db_name", "dbname"),
        ):
            value = getattr(self, attr)
            if value not in (None, ""):
                params[key] = value
        return psycopg.conninfo.make_conninfo("", **params)


# ---------------------------------------------------------------------------------------------
# Parsing one value
# ---------------------------------------------------------------------------------------------


def parse_bind(value: str, source: str) -> tuple[str, int]:
    """Split ``HOST:PORT`` (``[v6addr]:PORT`` for IPv6) into its parts, or raise ConfigError."""
    text = value.strip()
    host, sep, port_text = text.rpartition(":")
    if not sep or not port_text:
        raise ConfigError(f"{source}: invalid bind address {value!r}: expected HOST:PORT")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ConfigError(
                f"{source}: invalid bind address {value!r}: {host!r} is not an IPv6 address"
            ) from None
    elif ":" in host:
        raise ConfigError(
            f"{source}: invalid bind address {value!r}: write IPv6 addresses as [ADDR]:PORT"
        )
    if not host:
        raise ConfigError(f"{source}: invalid bind address {value!r}: the host is missing")
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ConfigError(
            f"{source}: invalid bind address {value!r}: the port must be a number from 1 to 65535"
        )
    return host, int(port_text)


def _str(value: Any, source: str) -> str | None:
    text = str(value).strip()
    return text or None


def _int(minimum: int, maximum: int | None = None) -> Callable[[Any, str], int]:
    def convert(value: Any, source: str) -> int:
        if isinstance(value, bool):
            raise ConfigError(f"{source}: invalid value {value!r}: expected a whole number")
        if isinstance(value, int):
            number = value
        else:
            text = str(value).strip()
            try:
                number = int(text)
            except ValueError:
                raise ConfigError(
                    f"{source}: invalid value {value!r}: expected a whole number"
                ) from None
        if number < minimum or (maximum is not None and number > maximum):
            bound = f"from {minimum} to {maximum}" if maximum is not None else f">= {minimum}"
            raise ConfigError(f"{source}: invalid value {value!r}: expected a number {bound}")
        return number

    return convert


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bool(value: Any, source: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(
        f"{source}: invalid value {value!r}: expected one of true/false, yes/no, on/off, 1/0"
    )


def _path_list(value: Any, source: str) -> list[str]:
    if isinstance(value, (list, tuple)):
        items = [str(v) for v in value]
    else:
        items = str(value).split(",")
    paths = [str(Path(item.strip()).expanduser()) for item in items if item.strip()]
    return paths


def _path(value: Any, source: str) -> Path:
    text = str(value).strip()
    if not text:
        raise ConfigError(f"{source}: invalid value {value!r}: expected a directory")
    return Path(text).expanduser()


def _bind(value: Any, source: str) -> str:
    parse_bind(str(value), source)
    return str(value).strip()


def _smtp_encryption(value: Any, source: str) -> str:
    text = str(value).strip().lower()
    if text not in ("none", "starttls", "ssl"):
        raise ConfigError(f"{source}: invalid value {value!r}: expected none, starttls or ssl")
    return text


def _db_pooler(value: Any, source: str) -> str:
    text = str(value).strip().lower()
    if text not in ("none", "transaction"):
        raise ConfigError(f"{source}: invalid value {value!r}: expected none or transaction")
    return text


def _log_level(value: Any, source: str) -> str:
    text = str(value).strip().lower()
    if text not in LOG_LEVELS:
        raise ConfigError(
            f"{source}: invalid value {value!r}: expected one of {', '.join(LOG_LEVELS)}"
        )
    return text


# The settable keys and how each is read; the INI keys, the ERPLITE_* variables and the
# argparse destinations all use these names.
CONVERTERS: dict[str, Callable[[Any, str], Any]] = {
    "dsn": _str,
    "db_name": _str,
    "db_host": _str,
    "db_port": _int(1, 65535),
    "db_user": _str,
    "db_password": _str,
    "addons_path": _path_list,
    "data_dir": _path,
    "bind": _bind,
    "workers": _int(0),
    "dev": _bool,
    "log_level": _log_level,
    "without_demo": _bool,
    "proxy_mode": _bool,
    "dbfilter": _str,
    "db_pooler": _db_pooler,
    "db_direct_dsn": _str,
    "max_content_length": _int(1),
    "max_json_depth": _int(1),
    "max_cron_threads": _int(0),
    "no_cron": _bool,
    "smtp_server": _str,
    "smtp_port": _int(1, 65535),
    "smtp_user": _str,
    "smtp_password": _str,
    "smtp_encryption": _smtp_encryption,
    "email_from": _str,
}
ENV_PREFIX = "ERPLITE_"


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def read_config_file(path: Path) -> dict[str, Any]:
    """Read the ``[options]`` section of an INI file into ``{key: converted value}``."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path, encoding="utf-8") as handle:
            parser.read_file(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {exc.strerror}") from None
    except configparser.Error as exc:
        first = str(exc).splitlines()[0]
        raise ConfigError(f"{path}: invalid configuration file: {first}") from None
    if not parser.has_section("options"):
        raise ConfigError(f"{path}: the configuration file has no [options] section")
    values: dict[str, Any] = {}
    for key, raw in parser.items("options"):
        source = f"{path}: [options] {key}"
        if key not in CONVERTERS:
            raise ConfigError(f"{source}: unknown key (value {raw!r})")
        values[key] = CONVERTERS[key](raw, source)
    return values


def read_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Read the ``ERPLITE_*`` variables that name a setting (others are left alone)."""
    values: dict[str, Any] = {}
    for key, convert in CONVERTERS.items():
        var = ENV_PREFIX + key.upper()
        if var in environ:
            values[key] = convert(environ[var], f"environment variable {var}")
    return values


def _flag_name(key: str) -> str:
    return "--" + key.replace("_", "-")


def read_namespace(namespace: Any) -> dict[str, Any]:
    """Read the flags the user gave (attributes present in the argparse namespace)."""
    values: dict[str, Any] = {}
    if namespace is None:
        return values
    given = vars(namespace) if not isinstance(namespace, Mapping) else dict(namespace)
    for key, convert in CONVERTERS.items():
        if key in given and given[key] is not None:
            values[key] = convert(given[key], f"option {_flag_name(key)}")
    return values


def load_config(
    argv_namespace: Any = None,
    environ: Mapping[str, str] | None = None,
    config_file: Path | str | None = None,
) -> Config:
    """Merge the INI file, the ``ERPLITE_*`` variables and the given flags into a Config.

    ``config_file`` defaults to the namespace's ``config`` attribute (``-c``), then to the
    ``ERPLITE_CONFIG`` variable.
    """
    if environ is None:
        environ = os.environ
    if config_file is None and argv_namespace is not None:
        config_file = getattr(argv_namespace, "config", None)
    if config_file is None and environ.get(ENV_PREFIX + "CONFIG"):
        config_file = environ[ENV_PREFIX + "CONFIG"]

    merged: dict[str, Any] = {"data_dir": default_data_dir(environ)}
    if config_file is not None:
        merged.update(read_config_file(Path(config_file).expanduser()))
    merged.update(read_environment(environ))
    merged.update(read_namespace(argv_namespace))
    merged["pg_environ"] = {var: environ[var] for var in PG_VARIABLES if environ.get(var)}
    known = {f.name for f in dataclasses.fields(Config)}
    return Config(**{k: v for k, v in merged.items() if k in known})


def redact_dsn(dsn: str) -> str:
    """``dsn`` without its password, for messages."""
    try:
        params = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.Error:
        return "<unparsable dsn>"
    params.pop("password", None)
    shown = {k: v for k, v in params.items() if v is not None}
    if not shown:
        return "(libpq defaults)"
    return psycopg.conninfo.make_conninfo("", **shown)
