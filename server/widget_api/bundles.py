"""The built frontend bundles (`make frontend` writes them to ``frontend/dist``)."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def frontend_dist() -> Path:
    """The directory of the built bundles (setting ``PARLEY_FRONTEND_DIST``)."""
    return Path(settings.PARLEY_FRONTEND_DIST)


def load_bundle(name: str) -> bytes:
    """The bytes of the built bundle ``name`` (``widget.js``, ``panel.js``, ``console.js``, ...)."""
    path = frontend_dist() / name
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ImproperlyConfigured(
            f"The frontend bundle {path} is missing: run `make frontend` "
            "(or set PARLEY_FRONTEND_DIST to a directory holding the built bundles)."
        ) from None
