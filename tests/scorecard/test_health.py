"""/healthz: open to the load balancer, checks the database, says nothing else."""

from django.db import OperationalError


def test_it_answers_ok_without_signing_in(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-store" in response["Cache-Control"]


def test_it_sets_no_cookies(client, db):
    assert not client.get("/healthz").cookies


class UnreachableDatabase:
    """Stands in for django.db.connection while the server refuses connections."""

    def cursor(self):
        raise OperationalError("connection to server at 10.1.2.3 port 5432 failed: password authentication failed")


def test_it_answers_503_and_no_detail_when_the_database_is_down(client, db, monkeypatch, caplog):
    monkeypatch.setattr("scorecard.health.connection", UnreachableDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable\n"
    # The operator's log has the reason; the caller does not.
    assert "password authentication failed" in caplog.text


def test_it_asks_the_database_a_question(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):  # SELECT 1, nothing else
        client.get("/healthz")


def test_it_refuses_to_change_anything(client, db):
    assert client.post("/healthz").status_code == 405


def test_it_is_served_over_plain_http_when_everything_else_redirects(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301
