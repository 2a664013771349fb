"""ParleyServer runs daphne with the guarded factories (tests/security/test_transport.py serves it)."""

import json
import os
import subprocess
import sys

from tests.processes import REPO

# daphne.server installs Twisted's reactor on import, once per process: checked in a child interpreter.
FACTORIES = """
import json
from server.serve import choose_event_loop
choose_event_loop()
import django
django.setup()
from server.transport.server import ParleyCommandLine, ParleyServer
server = ParleyServer(application=None, endpoints=["tcp:port=0"])
server.http_factory = object()
server.ws_factory = object()
ws = server.ws_factory
print(json.dumps({
    "cli": ParleyCommandLine.server_class.__name__,
    "http": type(server.http_factory).__name__,
    "ws": type(ws).__name__,
    "protocol": ws.protocol.__name__,
    "failByDrop": ws.failByDrop,
    "closeHandshakeTimeout": ws.closeHandshakeTimeout,
    "limits": [ws.buffer_max_bytes, ws.stall_seconds, ws.incoming_frames_max, ws.frame_hard_max_bytes],
}))
"""


def test_parley_server_builds_the_guarded_factories():
    """daphne's run() assigning its factories → Parley's guarded ones, closing frames with a 1 s grace."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "server.settings",
        "PARLEY_SOCKET_BUFFER_MAX_BYTES": "5000",
        "PARLEY_SOCKET_STALL_SECONDS": "7",
        "PARLEY_SOCKET_INCOMING_FRAMES_MAX": "9",
        "PARLEY_FRAME_HARD_MAX_BYTES": "70000",
    }
    result = subprocess.run(
        [sys.executable, "-c", FACTORIES], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout.splitlines()[-1]) == {
        "cli": "ParleyServer",
        "http": "GuardedHTTPFactory",
        "ws": "GuardedWebSocketFactory",
        "protocol": "GuardedWebSocketProtocol",
        "failByDrop": False,
        "closeHandshakeTimeout": 1.0,
        "limits": [5000, 7, 9, 70000],
    }
