"""The storage tests run on PostgreSQL too: hand-written SQL, row locks, retries and query budgets."""

import os
import subprocess
import sys
from pathlib import Path

from tests.services import PostgresCluster

REPO = Path(__file__).resolve().parents[2]
# Everything that touches SQL written or tuned per database: run again on a real PostgreSQL.
STORAGE_TESTS = [
    "tests/conversations/store/",
    "tests/conversations/services/",
    "tests/conversations/selectors/",
    "tests/conversations/test_query_budget.py",
    # Hypothesis's text reaches PostgreSQL here, through every path a send can take.
    "tests/conversations/test_delivery_model.py",
    "tests/realtime/test_batching.py",
    "tests/sites/",
]


def test_the_storage_tests_pass_on_postgresql(tmp_path: Path) -> None:
    """The storage tests, run in a subprocess against a throwaway PostgreSQL cluster, pass."""
    postgres = PostgresCluster(tmp_path / "pg")
    postgres.start()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *STORAGE_TESTS],
            cwd=REPO,
            env={**os.environ, "PARLEY_TEST_DATABASE_URL": postgres.url},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        postgres.stop()
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    assert "skipped" not in result.stdout, result.stdout[-2000:]  # the PostgreSQL-only tests ran
