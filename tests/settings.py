"""Settings for the pytest suite: the embedded defaults, a test secret, fast password hashing."""

import os

os.environ.setdefault("SECRET_KEY", "parley-tests-only-secret")
os.environ["REDIS_URL"] = ""
os.environ.setdefault("PARLEY_PUBLIC_URL", "http://testserver")

from server.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["testserver", "localhost"]
