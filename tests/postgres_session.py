"""`python -m tests.postgres_session [pytest arguments]`: a pytest session on a throwaway PostgreSQL cluster.

The storage tests (hand-written SQL, row locks, retries, query budgets) run once on the embedded SQLite
default and once more here, on a real PostgreSQL that this command starts on a free loopback port and
stops. Every test is reported as in any pytest run; a test skipped here fails the session, since the
PostgreSQL-only tests are what this run exists for.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from tests.services import PostgresCluster


class NothingSkipped:
    """Fails the session when any test was skipped."""

    skipped = 0

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Counts skipped tests."""
        if report.skipped:
            self.skipped += 1


def main(args: list[str]) -> int:
    """Start the cluster, run pytest in this process against it, stop the cluster; pytest's exit code."""
    workdir = Path(tempfile.mkdtemp(prefix="parley-pg-session-"))
    postgres = PostgresCluster(workdir)
    postgres.start()
    try:
        # Read by tests/settings.py when pytest-django configures Django, inside pytest.main.
        os.environ["PARLEY_TEST_DATABASE_URL"] = postgres.url
        guard = NothingSkipped()
        code = int(pytest.main(["-p", "no:cacheprovider", *args], plugins=[guard]))
    finally:
        postgres.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    if code == 0 and guard.skipped:
        print(f"{guard.skipped} test(s) skipped on PostgreSQL, where all must run", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
