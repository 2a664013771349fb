"""`python -m server.serve [daphne's arguments]`: daphne, on uvloop's event loop unless PARLEY_UVLOOP is off.

Daphne runs Twisted's asyncio reactor on the event loop it creates when `daphne.server` is imported, so the
loop is chosen here, before that import; `daphne` on its own always gets asyncio's default loop. Parley's
sockets, channel layer and event-loop statements (server/conversations/store/loop_db.py) all wait on
that loop (docs/decisions/0036).
"""

import asyncio
import gc
import importlib
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


def tune_process() -> None:
    """Tune the interpreter's garbage collector for a long-lived server.

    Done here, at the serving door, never on import: a test process or a management command that imports
    the application keeps the interpreter's defaults.
    """
    from django.conf import settings

    # What is loaded by now (Django, Twisted, the app) lives as long as the process: frozen, full
    # collections never walk it again, and rarer young collections let a message's short-lived objects die
    # young instead of being promoted (docs/decisions/0008).
    gc.collect()
    gc.freeze()
    gc.set_threshold(settings.PARLEY_GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def main(argv: list[str] | None = None) -> None:
    """Choose the event loop, load the application, tune the process, then run daphne's guarded command line.

    Guarded: server.transport bounds each socket's buffers and refuses oversized frames and bodies
    cleanly, which plain `daphne` does not (docs/transport.md).
    """
    loop = choose_event_loop()
    # Loaded before daphne does (it then finds it imported), so that the collector freezes all of it.
    importlib.import_module("server.asgi")
    tune_process()
    # Imported only now: daphne.server creates its event loop on import.
    from server.transport.server import ParleyCommandLine

    print(f"parley: serving on the {loop} event loop", file=sys.stderr, flush=True)
    ParleyCommandLine().run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
