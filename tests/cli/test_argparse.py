"""Argument parsing of every command form, dispatch, and the one-line errors of ``main``."""

from __future__ import annotations

import importlib.util
import socket

import pytest
from werkzeug.test import Client

import erplite.cli.main as main_module
from erplite.cli.commands.common import CliError, split_modules
from erplite.cli.commands.module import format_table
from erplite.cli.commands.server import check_port_free, fallback_app
from erplite.cli.main import INIT, SERVE, _handler, build_parser, format_error, main

UNREACHABLE = "host=127.0.0.1 port=1 dbname=x connect_timeout=2"


def parse(*argv: str):
    return build_parser().parse_args(list(argv))


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------


def test_bare_form_odoo_flags():
    args = parse(
        "-c", "erplite.conf", "-d", "shop", "-i", "base,orders", "-i", "crm", "-u", "orders",
        "--stop-after-init", "--without-demo", "--addons-path", "/extra", "--dsn", "host=h",
    )  # fmt: skip
    assert args.command is None
    assert args.config == "erplite.conf"
    assert args.db_name == "shop"
    assert split_modules(args.install) == ("base", "orders", "crm")
    assert split_modules(args.update) == ("orders",)
    assert args.stop_after_init and args.without_demo
    assert args.addons_path == "/extra" and args.dsn == "host=h"
    assert _handler(args).__module__ == "erplite.cli.commands.init"


def test_bare_form_without_stop_after_init_serves():
    args = parse("-d", "shop", "-i", "base")
    assert _handler(args).__module__ == "erplite.cli.commands.server"
    assert _handler(parse()).__module__ == "erplite.cli.commands.server"


def test_serve():
    args = parse(
        "serve", "--dsn", "dbname=x", "--addons-path", "/a,/b", "--bind", "0.0.0.0:9000",
        "--workers", "3", "--dev", "--data-dir", "/tmp/d", "--proxy-mode",
    )  # fmt: skip
    assert args.command == "serve" and args.handler == SERVE
    assert (args.dsn, args.addons_path, args.bind) == ("dbname=x", "/a,/b", "0.0.0.0:9000")
    assert (args.workers, args.dev, args.data_dir, args.proxy_mode) == ("3", True, "/tmp/d", True)
    assert parse("serve", "-d", "shop").db_name == "shop"
    stop = parse("serve", "-i", "base", "--stop-after-init")
    assert _handler(stop).__module__ == "erplite.cli.commands.init"
    assert INIT.startswith("erplite.cli.commands.init")


def test_flags_not_given_are_absent():
    """Only the flags the user gave reach the configuration (argparse.SUPPRESS)."""
    args = parse("serve")
    for name in ("dsn", "db_name", "bind", "workers", "dev", "data_dir", "log_level", "install"):
        assert not hasattr(args, name), name


def test_db_commands():
    create = parse("db", "create", "shop", "--install", "orders,crm", "--demo")
    assert (create.handler, create.name, create.demo) == (
        "erplite.cli.commands.db:run_create",
        "shop",
        True,
    )
    assert split_modules(create.install) == ("orders", "crm")
    assert parse("db", "create", "x").demo is False
    assert parse("db", "drop", "shop").handler.endswith(":run_drop")
    assert parse("db", "list", "--dsn", "host=h").handler.endswith(":run_list")
    dump = parse("db", "dump", "shop", "shop.dump")
    assert (dump.handler.rsplit(":", 1)[1], dump.name, dump.file) == (
        "run_dump",
        "shop",
        "shop.dump",
    )
    restore = parse("db", "restore", "copy", "shop.dump", "--data-dir", "/d")
    assert (restore.name, restore.file, restore.data_dir) == ("copy", "shop.dump", "/d")
    for action in ("create", "drop", "list", "dump", "restore"):
        assert callable(_handler(parse("db", action, *(["a", "b"][: _arity(action)]))))


def _arity(action: str) -> int:
    return {"create": 1, "drop": 1, "list": 0, "dump": 2, "restore": 2}[action]


def test_shell_and_module_list():
    shell = parse("shell", "-d", "shop")
    assert (shell.handler, shell.db_name) == ("erplite.cli.commands.shell:run", "shop")
    listing = parse("module", "list", "-d", "shop")
    assert (listing.handler, listing.db_name) == ("erplite.cli.commands.module:run_list", "shop")
    assert parse("module", "list").handler.endswith(":run_list")
    assert callable(_handler(shell)) and callable(_handler(listing))


@pytest.mark.parametrize(
    "argv",
    [["db"], ["module"], ["db", "create"], ["db", "dump", "x"], ["serve", "--bogus"], ["frob"]],
)
def test_usage_errors_are_one_line_with_exit_code_2(argv, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
    assert captured.err.startswith("erplite")


def test_help_and_version(capsys):
    assert main(["--help"]) == 0
    assert "serve" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("erplite ")


# ---------------------------------------------------------------------------------------------
# One-line errors
# ---------------------------------------------------------------------------------------------


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("erplite: ")]
    assert len(errors) == 1, err
    assert "Traceback" not in err
    return errors[0]


def test_config_error_is_one_line(capsys, clean_env):
    assert main(["serve", "--workers", "abc"]) == 1
    assert one_error_line(capsys) == (
        "erplite: option --workers: invalid value 'abc': expected a whole number"
    )


def test_bad_bind_is_one_line(capsys, clean_env):
    assert main(["serve", "--bind", "127.0.0.1"]) == 1
    assert one_error_line(capsys).startswith("erplite: option --bind: invalid bind address")


def test_bad_ini_value_is_one_line(capsys, clean_env, tmp_path):
    ini = tmp_path / "erplite.conf"
    ini.write_text("[options]\nbind = nowhere\n")
    assert main(["-c", str(ini), "serve"]) == 1
    assert one_error_line(capsys).startswith(f"erplite: {ini}: [options] bind: invalid bind")


def test_unreachable_database_is_one_line(capsys, clean_env):
    argv = ["--dsn", UNREACHABLE + " password=hunter2", "-i", "base", "--stop-after-init"]
    assert main(argv) == 1
    line = one_error_line(capsys)
    assert line.startswith("erplite: cannot connect to the database ")
    assert "port=1" in line and "dbname=x" in line
    assert "hunter2" not in line


@pytest.mark.parametrize(
    "argv",
    [["module", "list"], ["shell"], ["db", "list"], ["db", "drop", "x"], ["db", "dump", "x", "f"]],
)
def test_unreachable_database_every_command(argv, capsys, clean_env):
    assert main([*argv, "--dsn", UNREACHABLE]) == 1
    assert one_error_line(capsys).startswith("erplite: cannot connect to the database ")


def test_dev_lets_the_exception_through(clean_env):
    with pytest.raises(CliError, match="cannot connect to the database"):
        main(["--dev", "module", "list", "--dsn", UNREACHABLE])
    with pytest.raises(Exception, match="invalid value 'abc'"):
        main(["serve", "--dev", "--workers", "abc"])


def test_dev_from_the_environment(clean_env, monkeypatch):
    monkeypatch.setenv("ERPLITE_DEV", "1")
    with pytest.raises(CliError):
        main(["module", "list", "--dsn", UNREACHABLE])


def test_busy_port_is_one_line(capsys, clean_env):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        # The port is checked before the database is even looked at.
        assert main(["serve", "--bind", f"127.0.0.1:{port}", "--dsn", UNREACHABLE]) == 1
    assert one_error_line(capsys) == f"erplite: port {port} on 127.0.0.1 is already in use"


def test_check_port_free_accepts_a_free_port(port):
    check_port_free("127.0.0.1", port)


@pytest.mark.skipif(
    importlib.util.find_spec("gunicorn") is not None, reason="gunicorn is installed"
)
def test_workers_need_gunicorn(capsys, clean_env, port):
    assert main(["serve", "--workers", "2", "--bind", f"127.0.0.1:{port}"]) == 1
    assert one_error_line(capsys) == (
        "erplite: gunicorn is required for --workers: pip install gunicorn"
    )


def test_unexpected_errors_are_one_line(capsys, clean_env, monkeypatch):
    def explode(config, args):
        raise KeyError("surprise")

    monkeypatch.setattr(main_module, "_handler", lambda args: explode)
    assert main(["db", "list"]) == 1
    assert one_error_line(capsys) == (
        "erplite: KeyError: 'surprise' (run with --dev for the traceback)"
    )


def test_interrupt_exit_code(capsys, clean_env, monkeypatch):
    def interrupted(config, args):
        raise KeyboardInterrupt

    monkeypatch.setattr(main_module, "_handler", lambda args: interrupted)
    assert main(["db", "list"]) == 130
    assert capsys.readouterr().err.strip() == "erplite: interrupted"


def test_format_error():
    class ModuleError(Exception):
        pass

    ModuleError.__module__ = "erplite.loading.manifest"
    assert format_error(ModuleError("module 'x' is not found\n  in /a")) == (
        "module 'x' is not found in /a"
    )
    assert format_error(CliError("plain")) == "plain"
    assert format_error(ValueError()) == "ValueError (run with --dev for the traceback)"


# ---------------------------------------------------------------------------------------------
# Small pieces
# ---------------------------------------------------------------------------------------------


def test_split_modules():
    assert split_modules(None) == ()
    assert split_modules("a, b,,a") == ("a", "b")
    assert split_modules(["a,b", "c", "b"]) == ("a", "b", "c")


def test_format_table():
    rows = [("base", "installed", "17.0.1.0"), ("crm", "uninstalled", False)]
    assert format_table(("name", "state", "version"), rows).splitlines() == [
        "name  state        version",
        "base  installed    17.0.1.0",
        "crm   uninstalled",
    ]


def test_fallback_app():
    client = Client(fallback_app)
    root = client.get("/")
    assert root.status_code == 200 and root.get_data(as_text=True) == "erplite is running\n"
    health = client.get("/web/health")
    assert health.status_code == 200 and health.get_json() == {"status": "pass"}
    assert client.get("/nothing").status_code == 404
