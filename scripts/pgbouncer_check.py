"""Run tests through PgBouncer in a pool mode (docs/deploy.md, "PgBouncer").

    PYTHONPATH=. .venv/bin/python scripts/pgbouncer_check.py session|transaction [TEST …]

Starts a private PostgreSQL 18 (``tests.private_postgres``) and Debian's ``pgbouncer`` in front
of it on free ports, runs pytest on the tests given (default: the leadership, scheduler-lock,
logo and shared-rate-limit tests) with ``REGISTRY_TEST_POSTGRES`` pointing at PgBouncer, then
stops both. Needs ``apt-get install pgbouncer``; each pytest run is limited to 300 s.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.private_postgres import start

DEFAULT_TESTS = [
    "tests/integration/projections/test_election.py",
    "tests/integration/workers/test_scheduler_lock.py",
    "tests/integration/web/test_logo_api.py",
    "tests/integration/test_shared_rate_limits.py",
]


def main(mode: str, tests: list[str]) -> int:
    cluster = start(80)
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-check-"))
    folder.chmod(0o777)  # pgbouncer runs as nobody and writes its log here
    bouncer = None
    try:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        ini = folder / "pgbouncer.ini"
        ini.write_text(
            f"[databases]\n* = host=127.0.0.1 port={cluster.port} user=postgres\n"
            f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\n"
            f"auth_type = any\npool_mode = {mode}\nmax_client_conn = 500\n"
            "default_pool_size = 60\nmax_db_connections = 70\nunix_socket_dir =\n"
            f"logfile = {folder}/pgbouncer.log\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
        )
        ini.chmod(0o644)
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        bouncer = subprocess.Popen(["pgbouncer", *user, str(ini)])  # noqa: S603, S607
        url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        print(f"PgBouncer {mode} pooling at {url}", flush=True)
        env = {**os.environ, "REGISTRY_TEST_POSTGRES": url}
        pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        failed = 0
        for test in tests:
            print(f"== {test}", flush=True)
            try:
                failed |= subprocess.run([*pytest, test], env=env, timeout=300).returncode  # noqa: S603
            except subprocess.TimeoutExpired:
                print(f"{test}: no result within 300 s", flush=True)
                failed = 1
        return failed
    finally:
        if bouncer is not None:
            bouncer.terminate()
            bouncer.wait(timeout=10)
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("session", "transaction"):
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2:] or DEFAULT_TESTS))
