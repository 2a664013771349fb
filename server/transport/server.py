"""daphne's server and command line with Parley's transport guards (import after choosing the loop)."""

import logging
from typing import Any

from daphne.cli import CommandLineInterface
from daphne.server import Server

from server.transport.access_log import ActionLogger, query_free
from server.transport.http import GuardedHTTPFactory
from server.transport.websocket import GuardedWebSocketFactory

logger = logging.getLogger(__name__)


class ParleyServer(Server):  # type: ignore[misc]
    """daphne's server, building guarded HTTP requests and WebSocket protocols; its access log (when it
    has one) prints paths without query strings."""

    def __init__(self, *args: Any, action_logger: ActionLogger | None = None, **kwargs: Any) -> None:
        logger = query_free(action_logger) if action_logger is not None else None
        super().__init__(*args, action_logger=logger, **kwargs)

    # daphne's run() builds its two factories and listens in one method; these setters put Parley's
    # guarded factories in place of the ones it builds.
    @property
    def http_factory(self) -> GuardedHTTPFactory:
        """The factory of HTTP connections (refusing bodies over their limit)."""
        return self._http_factory

    @http_factory.setter
    def http_factory(self, _daphne_factory: Any) -> None:
        self._http_factory = GuardedHTTPFactory(self)

    @property
    def ws_factory(self) -> GuardedWebSocketFactory:
        """The factory of WebSocket protocols (bounded buffers, close frames for bad frames)."""
        return self._ws_factory

    @ws_factory.setter
    def ws_factory(self, _daphne_factory: Any) -> None:
        self._ws_factory = GuardedWebSocketFactory(self, server=self.server_name)


class ParleyCommandLine(CommandLineInterface):  # type: ignore[misc]
    """daphne's command line, serving with ParleyServer."""

    server_class = ParleyServer
