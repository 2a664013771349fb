"""Slow-reader verdicts, body limits by path, and the 413 answer, apart from Twisted."""

import json

import pytest

from server.transport.policy import SlowReaderWatch, body_limit, payload_too_large, request_path


def watch() -> SlowReaderWatch:
    return SlowReaderWatch(max_bytes=1000, stall_seconds=10)


def test_within_budget_is_not_a_slow_reader():
    """1,000 bytes held with a budget of 1,000 → no verdict."""
    assert watch().over_budget(buffered=1000) is None


def test_over_budget_is_a_slow_reader():
    """1,001 bytes held with a budget of 1,000 → a verdict naming both."""
    assert watch().over_budget(buffered=1001) == "1001 bytes unsent, over 1000"


def test_nothing_unsent_never_stalls():
    """No byte waiting, however long → no verdict."""
    w = watch()
    assert w.stalled(handed=500, unsent=0, now=0) is None
    assert w.stalled(handed=500, unsent=0, now=100) is None


def test_bytes_waiting_with_none_taken_for_the_stall_time_stall():
    """Bytes waiting and none taken from t=0 to t=10 → a verdict at t=10, none at t=9."""
    w = watch()
    assert w.stalled(handed=5000, unsent=3000, now=0) is None
    assert w.stalled(handed=5000, unsent=3000, now=9) is None
    assert w.stalled(handed=5000, unsent=3000, now=10) == "3000 bytes unsent and none taken for 10 s"


def test_clock_starts_when_bytes_are_first_seen_waiting():
    """Idle until t=100, then bytes waiting from t=100 → no verdict until t=110."""
    w = watch()
    assert w.stalled(handed=500, unsent=0, now=0) is None
    assert w.stalled(handed=900, unsent=400, now=100) is None
    assert w.stalled(handed=900, unsent=400, now=109) is None
    assert w.stalled(handed=900, unsent=400, now=110) is not None


def test_a_client_that_takes_bytes_restarts_the_clock():
    """Bytes waiting, 500 of them taken by t=8 while 1,000 more were sent → no verdict until t=18."""
    w = watch()
    assert w.stalled(handed=5000, unsent=3000, now=0) is None
    assert w.stalled(handed=6000, unsent=3500, now=8) is None
    assert w.stalled(handed=6000, unsent=3500, now=12) is None
    assert w.stalled(handed=6000, unsent=3500, now=18) is not None


def test_more_sent_but_nothing_taken_keeps_the_clock():
    """Bytes added while none are taken (taken stays 2,000) → the verdict still comes at t=10."""
    w = watch()
    assert w.stalled(handed=5000, unsent=3000, now=0) is None
    assert w.stalled(handed=9000, unsent=7000, now=5) is None
    assert w.stalled(handed=9000, unsent=7000, now=10) is not None


def test_emptied_buffer_resets_the_clock():
    """Waiting from t=0, emptied at t=5, waiting again at t=6 → no verdict at t=12."""
    w = watch()
    w.stalled(handed=5000, unsent=3000, now=0)
    w.stalled(handed=5000, unsent=0, now=5)
    w.stalled(handed=6000, unsent=1000, now=6)
    assert w.stalled(handed=6000, unsent=1000, now=12) is None


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        (b"/api/widget/sites/k/session", "/api/widget/sites/k/session"),
        (b"/api/widget/sites/k/session?x=1", "/api/widget/sites/k/session"),
        (b"/api/%77idget/sites/k/session", "/api/widget/sites/k/session"),
        (b"http://chat.example.com/api/widget/x?y", "/api/widget/x"),
        (b"/console/login/", "/console/login/"),
    ],
)
def test_request_path_is_decoded_as_daphne_decodes_it(raw, path):
    """A request target (origin form, query, percent-encoding, absolute form) → the path Django routes."""
    assert request_path(raw) == path


@pytest.mark.parametrize(
    ("raw", "limit"),
    [
        (b"/api/widget/sites/k/session", 8192),
        (b"/api/%77idget/sites/k/session", 8192),
        (b"/console/login/", 1024 * 1024),
        (b"/admin/login/", 1024 * 1024),
        (b"/api/widgets", 1024 * 1024),
    ],
)
def test_body_limit_follows_the_path(raw, limit):
    """Widget API paths → PARLEY_HTTP_BODY_MAX_BYTES; every other path → PARLEY_REQUEST_BODY_MAX_BYTES."""
    assert body_limit(raw) == limit


def test_body_limits_are_settings(settings):
    """Both limits are read from the settings at each request."""
    settings.PARLEY_HTTP_BODY_MAX_BYTES = 100
    settings.PARLEY_REQUEST_BODY_MAX_BYTES = 200
    assert (body_limit(b"/api/widget/x"), body_limit(b"/x")) == (100, 200)


def test_django_reads_no_more_than_the_transport_lets_through(settings):
    """DATA_UPLOAD_MAX_MEMORY_SIZE is PARLEY_REQUEST_BODY_MAX_BYTES, so Django's limit agrees."""
    from server import settings as server_settings

    assert server_settings.DATA_UPLOAD_MAX_MEMORY_SIZE == server_settings.PARLEY_REQUEST_BODY_MAX_BYTES


def test_payload_too_large_is_a_whole_413_json_answer():
    """The refusal → HTTP/1.1 413, JSON content type and length, Connection: close, the documented body."""
    head, _, body = payload_too_large(8192).partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"HTTP/1.1 413 Request Entity Too Large"
    assert b"Content-Type: application/json" in lines
    assert f"Content-Length: {len(body)}".encode() in lines
    assert b"Connection: close" in lines
    assert json.loads(body) == {
        "error": {"code": "payload_too_large", "message": "Bodies are limited to 8192 bytes."}
    }
