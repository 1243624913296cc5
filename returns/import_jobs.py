"""Large imports in the background: a queue of ImportJob rows, run by a worker or, without Redis, in process.

A web upload larger than IMPORT_BACKGROUND_BYTES is not checked in the
request: the request stores the file, starts a job and answers at once with
the job's page, which refreshes itself showing the rows read so far until the
job has finished (its preview, its problems, or its result). So no request
holds a web worker for more than a moment, whatever the file's length.

How a job runs (settings.IMPORT_JOBS_RUNNER):
- "redis" (the default when REDIS_URL is set): its id is pushed onto a Redis
  list, and `python manage.py run_import_jobs` (run beside the web server)
  takes jobs off it one at a time;
- "thread" (the default without Redis, as in the demo): a thread of the web
  process runs it once the request's transaction has committed;
- "immediate" (tests): it runs inside the request.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import secrets
import threading
from typing import Any

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection, connections, transaction
from django.utils import timezone

from returns import signals
from returns.imports import ReturnsImport, UnitMonth, returns_import
from returns.models import ImportJob, PendingImport, Return
from returns.spreadsheets import ImportRefused, Problem

logger = logging.getLogger(__name__)

QUEUE = "import-jobs"
# Progress is kept this long after the last report.
PROGRESS_SECONDS = 6 * 60 * 60


def job_start(*, user, pending: PendingImport, step: str, fingerprint: str = "") -> ImportJob:
    """Create a job for the stored file and hand it to the runner; return it (queued)."""
    job = ImportJob.objects.create(
        token=secrets.token_hex(16),
        user=user,
        pending=pending,
        file_name=pending.file_name,
        step=step,
        fingerprint=fingerprint,
    )
    runner = settings.IMPORT_JOBS_RUNNER
    if runner == "immediate":
        job_run(job.pk)
        job.refresh_from_db()
    elif runner == "redis":
        transaction.on_commit(lambda: _redis().rpush(_queue_key(), job.pk))
    else:
        transaction.on_commit(
            lambda: threading.Thread(
                target=_run_in_thread, args=(job.pk,), daemon=True, name=f"import-job-{job.pk}"
            ).start()
        )
    return job


def job_progress(job: ImportJob) -> int:
    """Return the rows the job has read so far (0 before it starts)."""
    return int(cache.get(_progress_key(job.token)) or 0)


def job_run(job_id: int) -> None:
    """Run one job to its end, recording the result or the problems; never raises."""
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.QUEUED).update(state=ImportJob.State.RUNNING)
    if not claimed:
        return  # another worker has it, or it has finished
    job = ImportJob.objects.select_related("pending", "user").defer("pending__data").get(pk=job_id)
    state, result, problems = ImportJob.State.FAILED, None, None
    try:
        if job.pending is None:
            raise ImportRefused("This upload has expired; upload the file again.")
        outcome = returns_import(
            source=job.pending.read_data(),
            file_name=job.file_name,
            actor=job.user,
            dry_run=job.step == ImportJob.Step.PREVIEW,
            expected_fingerprint=job.fingerprint or None,
            progress=lambda rows: cache.set(_progress_key(job.token), rows, PROGRESS_SECONDS),
        )
    except ImportRefused as refused:
        state, problems = ImportJob.State.REFUSED, [_problem_to_json(p) for p in refused.problems]
    except Exception:  # a fault, not the file: logged; the job says so and nothing was changed
        logger.exception("import job %s failed", job.pk)
        problems = [
            _problem_to_json(
                Problem(
                    "The import stopped because of a fault on the server; nothing was "
                    "changed. Try again later, or tell the performance team."
                )
            )
        ]
    else:
        state, result = ImportJob.State.DONE, result_to_json(outcome)
        if job.step == ImportJob.Step.CONFIRM:
            if job.pending_id is not None:
                PendingImport.objects.filter(pk=job.pending_id).delete()
            signals.workflow_event.send(
                sender=Return,
                request=None,
                event="returns_imported",
                fields={
                    "user": job.user.get_username(),
                    "file_name": job.file_name,
                    "sha256": outcome.sha256,
                    "new": outcome.new,
                    "changed": outcome.changed,
                    "returns": outcome.returns,
                    "job": job.token,
                },
            )
    ImportJob.objects.filter(pk=job.pk).update(
        state=state, result=result, problems=problems, finished_at=timezone.now()
    )


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        job_run(job_id)
    finally:
        connections.close_all()


def run_worker(*, once: bool = False, timeout: int = 5) -> int:
    """Take jobs off the Redis queue and run them, one at a time; return how many ran (for `once`)."""
    ran = 0
    client = _redis()
    while True:
        item = client.blpop([_queue_key()], timeout=timeout)
        if item is None:
            if once:
                return ran
            continue
        if not connection.in_atomic_block:  # as Django does between requests (never inside a test's transaction)
            close_old_connections()
        job_run(int(item[1]))
        ran += 1
        if once:
            return ran


def _redis():
    return redis.Redis.from_url(settings.REDIS_URL)


def _queue_key() -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', 'scorecard')}:{QUEUE}"


def _progress_key(token: str) -> str:
    return f"import-job-progress:{token}"


# --------------------------------------------------------------------------- results as JSON


def _problem_to_json(problem: Problem) -> list[Any]:
    return [problem.message, problem.row, problem.column]


def problems_from_json(data: list | None) -> list[Problem]:
    return [Problem(message, row, column) for message, row, column in (data or [])]


def result_to_json(result: ReturnsImport) -> dict:
    """Return what the job's page shows of an import's result, as JSON-ready data."""
    data = dataclasses.asdict(result)
    data["units"] = [{**dataclasses.asdict(u), "month": u.month.isoformat()} for u in result.units]
    data["warnings"] = [_problem_to_json(w) for w in result.warnings]
    return data


def result_from_json(data: dict) -> ReturnsImport:
    data = dict(data)
    units = [
        UnitMonth(**{**u, "month": dt.date.fromisoformat(u["month"]), "changes": [tuple(c) for c in u["changes"]]})
        for u in data.pop("units")
    ]
    warnings = problems_from_json(data.pop("warnings"))
    return ReturnsImport(**data, units=units, warnings=warnings)
