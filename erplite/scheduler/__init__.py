"""The scheduler: processes that run the ``ir.cron`` jobs of one or more databases.

Worked example::

    from erplite.http.databases import Databases
    from erplite.scheduler import CronRunner

    runner = CronRunner(Databases("dbname=shop"), threads=2)
    runner.start()          # threads: a waker (LISTEN/NOTIFY) and two workers
    ...                     # jobs run as they fall due, or at once when triggered
    runner.stop()           # waits for the jobs being run

``erplite cron`` runs one in the foreground; ``erplite serve`` runs one beside the HTTP
server unless ``--no-cron``. Any number of runners, on any number of hosts, share the jobs
through PostgreSQL: :meth:`ir.cron._run_due <erplite.addons.base.models.ir_cron.IrCron._run_due>`
claims each job with ``SELECT ... FOR NO KEY UPDATE SKIP LOCKED``, so a job runs once however
many runners look, and a runner that dies releases its claim with its connection.
"""

from erplite.scheduler.runner import CronRunner, cron_database_names
from erplite.scheduler.wakeup import Wakeup

__all__ = ["CronRunner", "Wakeup", "cron_database_names"]
