"""The serving entry point: daphne on uvloop's event loop unless PARLEY_UVLOOP is off."""

import os
import subprocess
import sys

import pytest

from tests.processes import REPO

# What daphne.server builds its reactor on, once server.serve has chosen the loop.
DAPHNE_LOOP = (
    "from server.serve import choose_event_loop; print(choose_event_loop()); "
    "import daphne.server; print(type(daphne.server.twisted_loop).__module__.split('.')[0])"
)


def daphne_loop(uvloop_setting: str | None) -> list[str]:
    env = {key: value for key, value in os.environ.items() if key != "PARLEY_UVLOOP"}
    if uvloop_setting is not None:
        env["PARLEY_UVLOOP"] = uvloop_setting
    # A fresh interpreter: daphne.server installs Twisted's reactor once per process.
    result = subprocess.run(
        [sys.executable, "-c", DAPHNE_LOOP], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.split()


def test_daphne_runs_on_uvloop_by_default():
    """With PARLEY_UVLOOP unset, daphne's reactor runs on a uvloop event loop."""
    assert daphne_loop(None) == ["uvloop", "uvloop"]


@pytest.mark.parametrize("setting", ["0", "false", "off"])
def test_uvloop_off_keeps_asyncio_loop(setting):
    """PARLEY_UVLOOP=0 leaves daphne on asyncio's own event loop."""
    assert daphne_loop(setting) == ["asyncio", "asyncio"]


TUNING = (
    "import gc, sys\n"
    "state = lambda: (gc.get_threshold()[0], gc.get_freeze_count() > 0)\n"
    "before = state(); import server.asgi; after_import = state()\n"
    "from server.serve import tune_process; tune_process()\n"
    "print(before == after_import, *state())"
)


def test_importing_the_application_leaves_the_interpreter_alone_and_serving_tunes_it():
    """Importing server.asgi leaves the garbage collector alone; server.serve freezes and tunes it."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "server.settings", "SECRET_KEY": "x", "DEBUG": "1"}
    env["PARLEY_GC_YOUNG_THRESHOLD"] = "12345"
    result = subprocess.run(
        [sys.executable, "-c", TUNING], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True", "12345", "True"]
