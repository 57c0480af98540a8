# ruff: noqa: S603 - the bench starts its own local processes and requests its own server
"""`make bench`: the portal at ten times today's portfolio, each figure beside a baseline measured
in the same run. See bench/RESULTS.md for what is measured and the figures of a recorded run.

    python -m bench [--cold] [--suppliers 2000] [--seconds 15]

Runs against BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/portal_bench), made if
missing; never the developer's database, Redis or var/. The database is seeded with
`seed_demo --suppliers 2000 --years 2019-2025 --monthly` unless it already holds exactly that seed
(same arguments, same code of the seed): then it is reused and the bench says so. `--cold` drops it
and seeds anew.
"""

import argparse
import hashlib
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
YEARS = "2019-2025"
# Issue 19's targets: roll-ups against hand-written SQL, the import against COPY, pages in ms.
TARGETS = {
    "rollup": 1.2, "rollup_all": 1.2, "import": 10.0, "memory_mb": 150, "export_memory_mb": 150,
    "pages_ms": {
        "supplier dashboard": 10, "comparison page": 30, "review queue, submitted": 50,
        "review queue, with flags": 500, "double-claims page": 200,
    },
    "load": {"supplier dashboard": 0.1, "comparison": 0.05},
}  # fmt: skip


def _environment(url: str) -> dict[str, str]:
    """What every process of the bench runs with: the bench settings and database, nothing of .env."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=url,
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(60),
        REDIS_URL="",  # bench.settings uses an in-memory cache and broker
        EMAIL_URL="",
        BENCH_PRIVATE_DIR=tempfile.mkdtemp(prefix="portal-bench-files-"),
        BENCH_STATIC_ROOT=tempfile.mkdtemp(prefix="portal-bench-static-"),
        PYTHONPATH=str(ROOT),
    )
    return env


def _database_ready(url: str, *, drop: bool) -> None:
    """Creates the bench database if missing (drops it first with `drop`)."""
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    maintenance = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and drop:
            connection.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def seed_fingerprint(suppliers: int) -> str:
    """The seed's arguments and the code that produces its content."""
    digest = hashlib.sha256(f"seed_demo --suppliers {suppliers} --years {YEARS} --monthly".encode())
    for path in (
        "demo/portfolio.py",
        "demo/management/commands/seed_demo.py",
        "reports/data/emission_factors.csv",
    ):
        digest.update((ROOT / path).read_bytes())
    return digest.hexdigest()


def _stored_fingerprint() -> str | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_seed (fingerprint text NOT NULL, seconds float NOT NULL)")
        cursor.execute("SELECT fingerprint FROM bench_seed")
        row = cursor.fetchone()
    return row[0] if row else None


def _machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        memory_kb = 0
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "ram": f"{memory_kb / 2**20:.1f} GiB",
        "postgresql": postgres,
        "python": platform.python_version(),
        "load": " ".join(f"{v:.2f}" for v in os.getloadavg()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--cold", action="store_true", help="drop the bench database and seed it anew")
    parser.add_argument("--suppliers", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=15, help="seconds of load per page")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each timed roll-up")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    began = time.monotonic()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    env = _environment(url)
    os.environ.update(env)
    _database_ready(url, drop=args.cold)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import measure

    fingerprint = seed_fingerprint(args.suppliers)
    print(f"bench database {url.rsplit('@', 1)[-1]}", flush=True)
    if not args.cold and _stored_fingerprint() not in (None, fingerprint):
        print("the bench database holds another seed: dropping it", flush=True)
        connection.close()
        _database_ready(url, drop=True)
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    figures: dict = {"machine": _machine(), "date": time.strftime("%Y-%m-%d %H:%M %Z")}
    if _stored_fingerprint() == fingerprint:
        with connection.cursor() as cursor:
            cursor.execute("SELECT seconds FROM bench_seed")
            seconds = cursor.fetchone()[0]
        figures["seed"] = {"reused": True, "seconds": seconds}
        print(f"warm: reusing the seeded database (fingerprint {fingerprint[:12]}, seeded in {seconds:.0f} s)")
    else:
        connection.close()
        command = [sys.executable, "manage.py", "seed_demo", "--suppliers", str(args.suppliers), "--years", YEARS,
                   "--monthly"]  # fmt: skip
        print("cold: " + " ".join(command[1:]), flush=True)
        started = time.monotonic()
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        seconds = time.monotonic() - started
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS bench_seed (fingerprint text NOT NULL, seconds float NOT NULL)")
            cursor.execute("DELETE FROM bench_seed")
            cursor.execute("INSERT INTO bench_seed VALUES (%s, %s)", [fingerprint, seconds])
        figures["seed"] = {"reused": False, "seconds": seconds}
        print(f"  seeded in {seconds:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    figures.update(measure.everything(env=env, repeat=args.repeat, load_seconds=args.seconds))
    figures["total_seconds"] = time.monotonic() - began
    measure.print_summary(figures, TARGETS)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()
