"""Run background imports from the Redis queue (IMPORT_JOBS_RUNNER=redis), one at a time, until stopped."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from returns.import_jobs import run_worker


class Command(BaseCommand):
    help = "Run the large imports web users start (queued in Redis), one at a time, until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run at most one job (waiting up to --wait seconds).")
        parser.add_argument("--wait", type=int, default=5, help="Seconds to wait for a job before checking again.")

    def handle(self, *args, once=False, wait=5, **options):
        if settings.IMPORT_JOBS_RUNNER != "redis":
            raise CommandError(
                "Background imports run in the web process here (IMPORT_JOBS_RUNNER is "
                f"{settings.IMPORT_JOBS_RUNNER!r}); set REDIS_URL to queue them for this command."
            )
        ran = run_worker(once=once, timeout=max(wait, 1))
        if once:
            self.stdout.write(f"Ran {ran} import job{'s' if ran != 1 else ''}.")
