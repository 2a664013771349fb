"""Daphne's access log entries lose their query strings before they are written."""

from typing import Any

from daphne.access import AccessLogGenerator

from server.transport.access_log import query_free, without_query
from server.transport.server import ParleyServer


def test_a_query_string_is_cut_from_the_path():
    """ "/x?visitor_token=…#f" → "/x"; entries without a path pass unchanged."""
    assert without_query({"path": "/x?visitor_token=secret#f", "status": 404}) == {
        "path": "/x",
        "status": 404,
    }
    assert without_query({"client": "1.2.3.4"}) == {"client": "1.2.3.4"}


def test_the_access_log_never_writes_a_query_string(tmp_path):
    """An HTTP entry whose URL carried a token → the line names the path alone."""
    path = tmp_path / "access.log"
    with path.open("w") as stream:
        log = query_free(AccessLogGenerator(stream))
        details = {"path": "/api/widget/x?visitor_token=secret", "client": "1.2.3.4:5", "method": "GET"}
        log("http", "complete", {**details, "status": 404, "size": 10})
        log("websocket", "connecting", {"path": "/ws/visitor/k/?token=secret", "client": "1.2.3.4:5"})
    written = path.read_text()
    assert "/api/widget/x" in written
    assert "secret" not in written


def test_the_server_wraps_the_logger_it_is_given():
    """ParleyServer(action_logger=f) hands f entries without query strings; no logger stays none."""
    seen: list[Any] = []
    server = ParleyServer(
        application=None, endpoints=["tcp:0"], action_logger=lambda *entry: seen.append(entry)
    )
    server.action_logger("http", "complete", {"path": "/a?b=c"})
    assert seen == [("http", "complete", {"path": "/a"})]
    assert ParleyServer(application=None, endpoints=["tcp:0"]).action_logger is None
