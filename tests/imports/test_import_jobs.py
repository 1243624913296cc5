"""Large web imports run in the background: the upload answers at once with a progress page, then the preview."""

from __future__ import annotations

import io
import re
import threading

import pytest
from django.urls import reverse

from returns import import_jobs
from returns.models import ImportJob, PendingImport, ReturnValue, ValueChange

HEADER = ["month", "team", "measure", "value"]


def upload(client, data: bytes, name: str = "big.csv"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(reverse("imports:returns"), {"import_file": file})


def hidden_fields(html: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


@pytest.fixture
def big_file(make_csv):
    rows = [HEADER] + [[f"2017-{m:02d}", "EAST-SG", "open_cases", str(100 + m)] for m in range(1, 13)]
    return make_csv(rows) + b"\r\n" * 2000  # blank lines: large enough for the background, same 12 values


@pytest.fixture
def background(settings):
    settings.IMPORT_BACKGROUND_BYTES = 1024
    settings.IMPORT_JOBS_RUNNER = "immediate"


def test_a_large_upload_is_previewed_by_a_job_and_confirmed_by_another(
    client, performance, council, big_file, background
):
    client.force_login(performance)
    response = upload(client, big_file)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:job", args=[job.token])
    assert job.step == ImportJob.Step.PREVIEW and job.state == ImportJob.State.DONE
    preview = client.get(response["Location"])
    page = preview.content.decode()
    assert "Preview: big.csv" in page and "<strong>12</strong> new" in page
    assert not ReturnValue.objects.exists()  # a preview saves nothing
    confirmed = client.post(reverse("imports:returns-confirm"), hidden_fields(page))
    second = ImportJob.objects.exclude(pk=job.pk).get()
    assert confirmed["Location"] == reverse("imports:job", args=[second.token])
    done = client.get(confirmed["Location"]).content.decode()
    assert "Imported big.csv" in done and "12 new" in done
    assert ReturnValue.objects.count() == 12 and ValueChange.objects.count() == 12
    assert not PendingImport.objects.exists()


def test_a_queued_job_shows_its_progress_on_a_page_that_refreshes_itself(
    client, performance, council, big_file, settings
):
    settings.IMPORT_BACKGROUND_BYTES = 1024
    settings.IMPORT_JOBS_RUNNER = "redis"  # nobody takes it off the queue in this test
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    client.force_login(performance)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda callback: None)
        response = upload(client, big_file)
    job = ImportJob.objects.get()
    from django.core.cache import cache

    cache.set(import_jobs._progress_key(job.token), 5000)
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html and "5000 rows read so far" in html
    import_jobs.job_run(job.pk)
    assert "Preview: big.csv" in client.get(response["Location"]).content.decode()


def test_a_refused_large_file_lists_its_problems_on_the_job_page(client, performance, council, make_csv, background):
    client.force_login(performance)
    data = make_csv([HEADER, ["2017-12", "NOPE", "open_cases", "1"]]) + b"\r\n" * 2000
    response = upload(client, data)
    refused = client.get(response["Location"])
    assert refused.status_code == 400
    assert "No team has the code “NOPE”" in refused.content.decode()
    assert ImportJob.objects.get().state == ImportJob.State.REFUSED


def test_another_users_job_is_not_found(client, performance, entry_user, council, big_file, background):
    client.force_login(performance)
    response = upload(client, big_file)
    client.force_login(entry_user)
    assert client.get(response["Location"]).status_code == 404


def test_a_fault_in_a_job_is_recorded_and_changes_nothing(
    client, performance, council, big_file, background, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(import_jobs, "returns_import", broken)
    client.force_login(performance)
    response = upload(client, big_file)
    assert ImportJob.objects.get().state == ImportJob.State.FAILED
    page = client.get(response["Location"])
    assert page.status_code == 500 and "stopped because of a fault on the server" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_without_redis_the_job_runs_in_a_thread_of_the_web_process(client, council, big_file, settings):
    from scorecard import roles
    from tests.conftest import make_user

    settings.IMPORT_BACKGROUND_BYTES = 1024
    settings.IMPORT_JOBS_RUNNER = "thread"
    client.force_login(make_user("perf.thread", roles.PERFORMANCE))
    # The upload's commit starts the job's thread: here once the request has ended, and the test waits for
    # it without reading the jobs table meanwhile. The test database on SQLite is one shared in memory, where
    # a read in this thread while the job's thread writes makes that write fail at once ("table is locked").
    started: list = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", started.append)
        response = upload(client, big_file)
    assert response.status_code == 302
    for callback in started:
        callback()
    for thread in threading.enumerate():  # none left if the job has finished already
        if thread.name.startswith("import-job-"):
            thread.join(timeout=60)
    assert ImportJob.objects.get().state == ImportJob.State.DONE
    assert "Preview: big.csv" in client.get(response["Location"]).content.decode()


def _redis_is_listening() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def test_with_redis_the_worker_command_takes_the_job_off_the_queue(
    client, performance, council, big_file, settings, django_capture_on_commit_callbacks
):
    import os
    import uuid

    from django.core.management import call_command

    if not _redis_is_listening():
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail("Redis is not listening on 127.0.0.1:6379 and REQUIRE_REDIS is set")
        pytest.skip("Redis is not listening on 127.0.0.1:6379")
    settings.IMPORT_BACKGROUND_BYTES = 1024
    settings.IMPORT_JOBS_RUNNER = "redis"
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    client.force_login(performance)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, big_file)
    assert ImportJob.objects.get().state == ImportJob.State.QUEUED
    out = io.StringIO()
    call_command("run_import_jobs", "--once", "--wait", "2", stdout=out)
    assert "Ran 1 import job." in out.getvalue()
    assert ImportJob.objects.get().state == ImportJob.State.DONE
    assert "Preview: big.csv" in client.get(response["Location"]).content.decode()


def test_a_preview_lists_a_bounded_number_of_returns_and_counts_the_rest(
    client, performance, council, big_file, background, monkeypatch
):
    from returns import import_views

    monkeypatch.setattr(import_views, "PREVIEW_RETURNS", 5)
    client.force_login(performance)
    page = client.get(upload(client, big_file)["Location"]).content.decode()
    assert page.count('<th scope="row">EAST-SG</th>') == 5
    assert "… and 7 more returns, counted in the totals above." in page
