"""Settings for the pytest suite: the embedded defaults, a test secret, fast password hashing."""

import os

# Pinned, not defaulted: `make` exports PARLEY_PUBLIC_URL for `make run`, and tests must not inherit it.
os.environ["SECRET_KEY"] = "parley-tests-only-secret"
os.environ["REDIS_URL"] = ""
os.environ["PARLEY_PUBLIC_URL"] = "http://testserver"
for name in ("CSRF_TRUSTED_ORIGINS", "ALLOWED_HOSTS", "DATABASE_URL", "DEBUG"):
    os.environ.pop(name, None)
# SQLite unless a session runs against another database (make test-postgres: tests/postgres_session.py).
if os.environ.get("PARLEY_TEST_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["PARLEY_TEST_DATABASE_URL"]

from server.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["testserver", "localhost"]
# Web Push off unless a test configures it (a developer's var/vapid/ from `make run` is not read here).
PARLEY_VAPID_PRIVATE_KEY = ""
PARLEY_VAPID_PUBLIC_KEY = ""
