"""`python -m server.serve [daphne's arguments]`: daphne, on uvloop's event loop unless PARLEY_UVLOOP is off.

Daphne runs Twisted's asyncio reactor on the event loop it creates when `daphne.server` is imported, so the
loop is chosen here, before that import; `daphne` on its own always gets asyncio's default loop. Parley's
sockets, channel layer and event-loop statements (server/conversations/store/loop_db.py) all wait on
that loop: on uvloop the server's part of a message fell by about a fifth (docs/performance.md, "uvloop").
"""

import asyncio
import sys

from server.env import env_bool


def choose_event_loop() -> str:
    """Make new event loops uvloop's unless PARLEY_UVLOOP is off or uvloop is missing; name the choice."""
    if not env_bool("PARLEY_UVLOOP", True):
        return "asyncio"
    try:
        import uvloop
    except ImportError:
        # uvloop has no Windows build: there the server runs on asyncio's loop, as plain daphne does.
        return "asyncio"
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return "uvloop"


def main(argv: list[str] | None = None) -> None:
    """Choose the event loop, then run daphne's command line."""
    loop = choose_event_loop()
    # Imported only now: daphne.server creates its event loop on import.
    from daphne.cli import CommandLineInterface

    print(f"parley: serving on the {loop} event loop", file=sys.stderr, flush=True)
    CommandLineInterface().run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
