"""``erplite cron`` and the scheduler options of ``erplite serve``: parsing, configuration and
the choice of databases (the runner itself is tested in ``tests/scheduler``)."""

from __future__ import annotations

from erplite.cli.commands.cron import cron_databases
from erplite.cli.config import Config, load_config
from erplite.cli.main import build_parser, main
from erplite.scheduler import cron_database_names


def parse(*argv: str):
    return build_parser().parse_args(list(argv))


def test_cron_command_and_serve_options_are_parsed():
    args = parse("cron", "-d", "shop,shop2", "--max-cron-threads", "4", "--db-filter", "^s")
    assert args.handler == "erplite.cli.commands.cron:run"
    config = load_config(args, environ={})
    assert (config.db_name, config.max_cron_threads, config.dbfilter) == ("shop,shop2", 4, "^s")
    serve = load_config(parse("serve", "--no-cron"), environ={})
    assert serve.no_cron is True and serve.max_cron_threads == 2
    assert (
        load_config(parse("serve"), environ={"ERPLITE_MAX_CRON_THREADS": "0"}).max_cron_threads == 0
    )


def test_cron_needs_a_thread(capsys):
    assert main(["cron", "--max-cron-threads", "0", "--dsn", "dbname=x host=127.0.0.1"]) == 1
    assert "--max-cron-threads must be at least 1" in capsys.readouterr().err


class FakeDatabases:
    """The two attributes ``cron_database_names`` reads of ``Databases``."""

    def __init__(self, names: list[str], dbfilter: str | None):
        self.names, self.dbfilter = names, dbfilter

    def all_names(self, force: bool = False) -> list[str]:
        return list(self.names)


def test_databases_chosen_by_name_or_filter():
    config = Config(dbfilter="^shop")
    one = cron_databases("dbname=postgres host=h", ("shop",), config)
    assert one.single_name == "shop"
    several = cron_databases("dbname=postgres host=h", ("a", "b"), config)
    assert several.all_names() == ["a", "b"]
    filtered = cron_databases("dbname=postgres host=h", (), config)
    assert filtered.multi and filtered.dbfilter == "^shop"
    names = ["shop", "shop2", "other"]
    assert cron_database_names(FakeDatabases(names, "^shop")) == ["shop", "shop2"]
    # a filter naming the host cannot apply without a request: every database
    assert cron_database_names(FakeDatabases(names, "^%d$")) == names
