"""``CronRunner``: threads that run the due ``ir.cron`` jobs of some databases.

The steps of one runner:

1. The *waker* thread lists the databases to serve (:func:`cron_database_names`: ``-d``/
   ``db_name``, else every initialised database the ``dbfilter`` allows), listens on each for
   ``NOTIFY erplite_cron`` (:class:`~erplite.scheduler.wakeup.Wakeup`), and starts a *pass*.
2. In a pass, each of the ``threads`` workers takes the databases in turn and calls
   ``ir.cron._run_due(registry, limit=1)`` until no job is due there: jobs are claimed with
   ``SKIP LOCKED``, so the workers (and the runners of other hosts) share them without running
   one twice. A job runs in its own transaction as its user; a failure is logged with its
   traceback by ``ir.cron`` and the job is rescheduled. Before its first job in a database,
   a worker reloads the registry if modules changed (the registry signal) and drops cached
   security answers another process changed (the access signal).
3. Once every worker is idle, the waker asks each database when a job is due next
   (``ir.cron._next_wakeup``) and sleeps until then, at most ``max_sleep`` seconds, or until
   a NOTIFY (a job triggered or changed, e.g. a webhook queued) or :meth:`CronRunner.stop`.
   Behind a transaction-mode pooler (``erplite.pooler``) it listens over the direct DSN, and
   without one it polls: it sleeps ``POLL_SLEEP`` seconds at most.

A database that cannot be reached is skipped and looked at again on the next pass; while one
cannot be listened to (PostgreSQL down or restarting), the waker tries again after 1 s, then
2, 4... up to 30 s, so that a restarted server's jobs run and its NOTIFYs are heard again
within seconds of its return.
"""

from __future__ import annotations

import datetime
import logging
import re
import threading
from typing import Any

import psycopg

from erplite import pooler
from erplite.http.databases import DatabaseNotFound, Databases
from erplite.scheduler.wakeup import Wakeup
from erplite.security import check_access_signal

_logger = logging.getLogger(__name__)

#: Longest sleep between two passes when no job is due (seconds): a safety net only, the
#: runner is woken by NOTIFY and by the next due date it knows.
MAX_SLEEP = 300.0

#: Shortest sleep (seconds) when a job is due but could not be claimed (another runner is
#: running it): look again soon, without spinning.
BUSY_SLEEP = 2.0

#: Longest sleep (seconds) while a database cannot be listened to (down, or restarting).
UNREACHABLE_SLEEP = 30.0

#: First sleep (seconds) after a database could not be listened to: doubled at each failed
#: attempt up to :data:`UNREACHABLE_SLEEP`, so that a restarted PostgreSQL is listened to
#: again (and its due jobs run) within seconds, and a long outage costs one attempt a
#: half-minute.
RETRY_SLEEP = 1.0

#: Longest sleep (seconds) when a database has no session to LISTEN on (behind a
#: transaction-mode pooler without a direct DSN): the runner polls it.
POLL_SLEEP = 5.0


def cron_database_names(databases: Any) -> list[str]:
    """The databases a runner serves: the one of a one-database ``databases``, the listed
    ``db_names``, else every database of the server that the ``dbfilter`` allows (a filter
    naming the host, ``%h``/``%d``, cannot apply without a request: then all of them)."""
    names = databases.all_names(force=True)
    dbfilter = getattr(databases, "dbfilter", None)
    if dbfilter and "%h" not in dbfilter and "%d" not in dbfilter:
        pattern = re.compile(dbfilter)
        names = [name for name in names if pattern.match(name)]
    return names


class CronRunner:
    """Run the jobs of the databases of ``databases`` (an ``erplite.http.databases.Databases``)
    with ``threads`` worker threads. See the module docstring for the steps."""

    def __init__(self, databases: Any, *, threads: int = 2, max_sleep: float = MAX_SLEEP) -> None:
        if threads < 1:
            raise ValueError("a cron runner needs at least one thread")
        self.databases = databases
        self.threads = threads
        self.max_sleep = max_sleep
        self.wakeup = Wakeup()
        #: how many jobs this runner ran, and how many passes it made (for tests and logs)
        self.jobs_run = 0
        self.passes = 0
        #: set while the runner sleeps between passes (nothing running), cleared during a pass
        self.idle = threading.Event()
        self._condition = threading.Condition()
        self._pass = 0  # number of the current pass; workers run each pass once
        self._busy = 0  # workers still in the current pass
        self._pass_names: list[str] = []  # the databases of the current pass
        self._stopping = False
        self._threads: list[threading.Thread] = []
        self._unknown: set[str] = set()  # databases found not initialised (skipped)
        self._retry_sleep = RETRY_SLEEP  # the next sleep while a database is not listened to

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Start the waker and the workers (daemon threads); returns at once."""
        for number in range(self.threads):
            worker = threading.Thread(target=self._work, name=f"erplite-cron-{number}", daemon=True)
            worker.start()
            self._threads.append(worker)
        waker = threading.Thread(target=self._wake_loop, name="erplite-cron-waker", daemon=True)
        waker.start()
        self._threads.append(waker)

    def run_forever(self) -> None:
        """Start, and block until :meth:`stop` is called (from a signal handler or a thread)."""
        self.start()
        try:
            while any(thread.is_alive() for thread in self._threads):
                for thread in self._threads:
                    thread.join(0.5)
        finally:
            self.stop()

    def stop(self, timeout: float | None = 30.0) -> None:
        """Stop taking jobs, wait for the ones running (up to ``timeout`` seconds each)."""
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        self.wakeup.interrupt()
        current = threading.current_thread()
        for thread in self._threads:
            if thread is not current:
                thread.join(timeout)
        self.wakeup.close()

    def wake(self) -> None:
        """Start a pass now (as a NOTIFY would)."""
        self.wakeup.interrupt()

    # -- the waker ----------------------------------------------------------------------------
    def _wake_loop(self) -> None:
        while not self._stopping:
            try:
                self._wake_once()
            except Exception:
                # the waker must outlive any surprise, or no job would run any more
                _logger.exception("cron runner: unexpected error; looking again shortly")
                self.idle.set()
                self.wakeup.wait(UNREACHABLE_SLEEP)

    def _wake_once(self) -> None:
        """One pass over the databases, then the sleep until the next job or NOTIFY."""
        names = self._database_names()
        listenable = self._listening_dsns(names)
        self.wakeup.listen(listenable)
        self.idle.clear()
        self._run_pass(names)
        if self._stopping:
            return
        try:
            sleep = self._sleep_time(names)
        except Exception:
            _logger.exception("cannot tell when the next job is due")
            sleep = UNREACHABLE_SLEEP
        if set(self.wakeup.listening()) != set(listenable):
            # a NOTIFY from there would be missed: look again soon, then less and less often
            sleep = min(sleep, self._retry_sleep)
            self._retry_sleep = min(self._retry_sleep * 2, UNREACHABLE_SLEEP)
        else:
            self._retry_sleep = RETRY_SLEEP
        if len(listenable) < len(names):
            sleep = min(sleep, POLL_SLEEP)  # no session to LISTEN on: polling
        self.idle.set()
        self.wakeup.wait(sleep)

    def _listening_dsns(self, names: list[str]) -> dict[str, str]:
        """The DSN to LISTEN on for each database of ``names`` that has one: its own, or the
        direct one behind a transaction-mode pooler (``erplite.pooler``); none there without
        a direct DSN, and the runner polls those databases every ``POLL_SLEEP`` seconds."""
        dsns = {}
        for name in names:
            direct = pooler.session_dsn(self.databases.dsn_of(name))
            if direct is not None:
                dsns[name] = direct
        return dsns

    def _database_names(self) -> list[str]:
        try:
            return cron_database_names(self.databases)
        except psycopg.Error as exc:
            _logger.warning("cannot list the databases to run jobs for: %s", exc)
            return self.wakeup.listening()

    def _run_pass(self, names: list[str]) -> None:
        """Let every worker run what is due in ``names``, and wait until they all are idle."""
        with self._condition:
            self._pass_names = list(names)
            self._pass += 1
            self._busy = self.threads
            self.passes += 1
            self._condition.notify_all()
            while self._busy and not self._stopping:
                self._condition.wait()

    def _sleep_time(self, names: list[str]) -> float:
        """Seconds until the next job is due in any database, within [0, max_sleep]."""
        soonest = self.max_sleep
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        for name in names:
            registry = self._registry(name)
            if registry is None:
                continue
            try:
                with registry.cursor() as cr:
                    moment = registry["ir.cron"]._next_wakeup(cr)
            except psycopg.Error as exc:
                _logger.warning("cannot read the next job of %r: %s", name, exc)
                continue
            if moment is not None:
                wait = (moment - now).total_seconds()
                # due already: claimed by another runner, which is running it
                soonest = min(soonest, wait if wait > 0 else BUSY_SLEEP)
        return max(0.0, soonest)

    # -- the workers --------------------------------------------------------------------------
    def _work(self) -> None:
        seen = 0
        while True:
            with self._condition:
                while self._pass == seen and not self._stopping:
                    self._condition.wait()
                if self._stopping:
                    return
                seen = self._pass
                names = list(self._pass_names)
            try:
                for name in names:
                    if self._stopping:
                        break
                    try:
                        self._run_database(name)
                    except Exception:
                        # a registry that cannot be built (a module's code is broken) must
                        # not stop this worker, nor the jobs of the other databases
                        _logger.exception("cannot run the jobs of %r", name)
            finally:
                with self._condition:
                    self._busy -= 1
                    self._condition.notify_all()

    def _run_database(self, name: str) -> None:
        registry = self._registry(name, check_signals=True)
        if registry is None:
            return
        cron = registry["ir.cron"]
        while not self._stopping:
            try:
                ran = cron._run_due(registry, limit=1)
            except psycopg.Error as exc:
                _logger.warning("cannot run the jobs of %r: %s", name, exc)
                return
            if not ran:
                return
            with self._condition:
                self.jobs_run += ran

    def _registry(self, name: str, *, check_signals: bool = False) -> Any:
        """The registry of ``name`` (reloaded if its modules changed), or None if the database
        is not an erplite database or cannot be reached."""
        try:
            state = self.databases.get(name)
            if check_signals:
                sequence = Databases.read_signal(state.dsn)
                if sequence > state.sequence:
                    state = self.databases.reload(name, sequence)
                if state.cache.get("access_signal"):
                    with state.registry.cursor() as cr:
                        check_access_signal(state.registry, cr)
        except DatabaseNotFound:
            if name not in self._unknown:
                self._unknown.add(name)
                _logger.info("database %r has no erplite modules: no jobs to run there", name)
            return None
        except psycopg.Error as exc:
            _logger.warning("cannot open the database %r: %s", name, exc)
            return None
        if "ir.cron" not in state.registry:
            return None
        return state.registry
