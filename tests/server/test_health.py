"""Liveness and readiness endpoints."""

import pytest


def test_live_answers_ok(client):
    """/healthz answers 200 while the process runs."""
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.django_db
def test_ready_checks_database_and_channel_layer(client):
    """/readyz reports each dependency and answers 200 when all are up."""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "channel_layer": "ok"}}


@pytest.mark.django_db
def test_ready_answers_503_when_the_layer_fails(client, monkeypatch):
    """A failing channel layer makes /readyz answer 503 naming it."""
    from server import health

    def broken() -> None:
        raise ConnectionError("redis is away")

    monkeypatch.setattr(health, "_check_channel_layer", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "channel_layer": "failed: ConnectionError"}
