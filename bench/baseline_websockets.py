"""The floor: a plain `websockets` server that joins nothing and echoes every frame back to its sender.

Run `python -m bench.baseline_websockets --port 9000`; it serves until SIGTERM or SIGINT.
"""

import argparse
import asyncio
import contextlib
import signal
import sys

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed


async def echo(connection: ServerConnection) -> None:
    """Send each frame back as it came, until the client leaves."""
    with contextlib.suppress(ConnectionClosed):
        async for frame in connection:
            await connection.send(frame)


async def serve_until_stopped(*, host: str, port: int) -> None:
    """Serve on host:port until SIGTERM or SIGINT."""
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    # Same shape as daphne's sockets: no compression, a keepalive ping every 20 s, 64 KiB frames.
    async with serve(echo, host, port, compression=None, ping_interval=20, ping_timeout=30, max_size=65536):
        await stop


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(prog="python -m bench.baseline_websockets", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    asyncio.run(serve_until_stopped(host=args.host, port=args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
