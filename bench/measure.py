# ruff: noqa: S603 - the bench starts its own local processes and requests its own server
"""The measurements of `make bench`, each with its baseline in the same run."""

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from bench.baseline import green_reduction_sql
from bench.load import Server, session_cookie
from demo import portfolio as demo
from reports.models import RollupRun
from reports.tasks import rollup
from suppliers.services.imports import COLUMNS

ROOT = Path(__file__).resolve().parent.parent
IMPORT_ROWS = 100_000
ROLLUP_YEAR = demo.PUBLISHED_YEAR
ALL_YEARS = range(demo.FIRST_YEAR, demo.LAST_YEAR + 1)


def _timed(function, *args: object, **kwargs: object) -> tuple[float, object]:
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - started, value


def _rollup_task(year: int) -> RollupRun:
    """The real task, run in this process (`apply`), as a worker runs it: the run is stored."""
    outcome = rollup.apply(kwargs={"year": year, "trigger": "bench"})
    outcome.get()  # raises what the task raised
    return RollupRun.objects.get(pk=outcome.result)


def _forget_runs(years: range | list[int]) -> None:
    """The roll-up stores nothing new when the inputs equal the newest run's: the runs of the years
    are deleted first (not timed), so that each timed roll-up computes and stores a whole run."""
    RollupRun.objects.filter(year__in=list(years)).delete()


def measure_rollups(repeat: int) -> dict:
    baseline_year = settings.BASELINE_YEAR
    # One of each before timing: the tables in PostgreSQL's cache for both alike.
    _forget_runs([ROLLUP_YEAR])
    _rollup_task(ROLLUP_YEAR)
    green_reduction_sql(year=ROLLUP_YEAR, baseline_year=baseline_year)
    portal, sql = [], []
    for _ in range(repeat):
        _forget_runs([ROLLUP_YEAR])
        seconds, run = _timed(_rollup_task, ROLLUP_YEAR)
        portal.append(seconds)
        seconds, total = _timed(green_reduction_sql, year=ROLLUP_YEAR, baseline_year=baseline_year)
        sql.append(seconds)
    portal_total = run.green_reduction_tco2e
    one = {
        "year": ROLLUP_YEAR,
        "portal_s": statistics.median(portal),
        "baseline_s": statistics.median(sql),
        "portal_all_s": portal,
        "baseline_all_s": sql,
        "portal_tco2e": portal_total,
        "baseline_tco2e": total,
        "agree": abs(portal_total - total) < 1,
        "lines": run.line_count,
    }
    one["ratio"] = one["portal_s"] / one["baseline_s"]
    print(
        f"  roll-up {ROLLUP_YEAR}: portal {one['portal_s']:.2f} s, SQL {one['baseline_s']:.2f} s, "
        f"ratio {one['ratio']:.2f}; {portal_total:,.3f} vs {total:,.3f} tCO2e",
        flush=True,
    )

    _forget_runs(ALL_YEARS)
    portal_seconds, runs = _timed(lambda: [_rollup_task(year) for year in ALL_YEARS])
    sql_seconds, totals = _timed(
        lambda: [green_reduction_sql(year=year, baseline_year=baseline_year) for year in ALL_YEARS]
    )
    per_year = {run.year: (run.green_reduction_tco2e, total) for run, total in zip(runs, totals, strict=True)}
    every = {
        "portal_s": portal_seconds,
        "baseline_s": sql_seconds,
        "ratio": portal_seconds / sql_seconds,
        "agree": all(abs(a - b) < 1 for a, b in per_year.values()),
        "per_year": {year: [str(a), str(b)] for year, (a, b) in per_year.items()},
        "lines": sum(run.line_count for run in runs),
    }
    print(
        f"  roll-up of {ALL_YEARS[0]}–{ALL_YEARS[-1]}: portal {portal_seconds:.2f} s, SQL {sql_seconds:.2f} s, "
        f"ratio {every['ratio']:.2f}",
        flush=True,
    )
    return {"rollup": one, "rollup_all": every}


def import_file(rows: int) -> Path:
    """A valid submission file of `rows` rows for existing suppliers and sites: the demo portfolio's
    next years (2026 to 2028, as many as it takes), monthly, as the seed's own rows would be."""
    portfolio = demo.demo_portfolio(_supplier_count())
    chosen = []
    for year in range(demo.LAST_YEAR + 1, demo.LAST_YEAR + 4):
        chosen += demo.demo_rows(portfolio, years=range(year, year + 1), monthly=True)
        if len(chosen) >= rows:
            break
    path = Path(tempfile.mkdtemp(prefix="portal-bench-")) / f"submissions-{rows}.csv"
    path.write_bytes(demo.rows_csv(chosen[:rows]))
    return path


def _supplier_count() -> int:
    from suppliers.models import Supplier

    return Supplier.objects.count()


def _child(env: dict[str, str], *args: str) -> dict:
    output = subprocess.run(
        [sys.executable, "-m", "bench.child", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if output.returncode:
        raise SystemExit(f"bench.child {' '.join(args)} failed:\n{output.stderr[-3000:]}")
    line = next(line for line in output.stdout.splitlines() if line.startswith("BENCH "))
    return json.loads(line.removeprefix("BENCH "))


def copy_baseline(path: Path) -> float:
    """COPY of the file's rows into a bare table of text columns, in a transaction rolled back."""
    content = path.read_bytes()
    with transaction.atomic():
        with connection.cursor() as cursor:
            columns = ", ".join(f"{name} text" for name in COLUMNS)
            cursor.execute(f"CREATE TEMPORARY TABLE bench_copy ({columns})")
            started = time.perf_counter()
            with cursor.cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                copy.write(content)
            seconds = time.perf_counter() - started
            cursor.execute("SELECT COUNT(*) FROM bench_copy")
            copied = cursor.fetchone()[0]
        transaction.set_rollback(True)
    assert copied == IMPORT_ROWS, copied
    return seconds


def measure_import(env: dict[str, str]) -> dict:
    path = import_file(IMPORT_ROWS)
    copy_seconds = copy_baseline(path)
    imported = _child(env, "import", str(path))
    if imported["lines_created"] + imported["lines_replaced"] != IMPORT_ROWS:
        raise SystemExit(f"the import wrote {imported} lines, not {IMPORT_ROWS}")
    figures = {
        "rows": IMPORT_ROWS,
        "file_mb": path.stat().st_size / 2**20,
        "portal_s": imported["seconds"],
        "baseline_s": copy_seconds,
        "ratio": imported["seconds"] / copy_seconds,
        "peak_mb": imported["peak_mb"],
        "rss_before_mb": imported["rss_before_mb"],
    }
    print(
        f"  import of {IMPORT_ROWS:,} rows ({figures['file_mb']:.1f} MB): portal {figures['portal_s']:.2f} s, "
        f"COPY {copy_seconds:.2f} s, ratio {figures['ratio']:.1f}; peak memory {figures['peak_mb']:.0f} MB",
        flush=True,
    )
    path.unlink()
    with connection.cursor() as cursor:
        # The rolled-back rows are dead tuples until vacuumed: gone before the load test.
        cursor.execute("VACUUM ANALYZE")
    return figures


SCALED_IMPORTS = (20_000, 200_000)


def measure_import_scaling(env: dict[str, str]) -> dict:
    """The memory the import itself takes (its peak less the process's memory with Django and the
    file's bytes loaded) for a file of 20,000 rows and one of 200,000: what grows with the file."""
    figures = {}
    for rows in SCALED_IMPORTS:
        path = import_file(rows)
        imported = _child(env, "import", str(path))
        path.unlink()
        figures[rows] = {
            "seconds": imported["seconds"],
            "peak_mb": imported["peak_mb"],
            "own_mb": imported["peak_mb"] - imported["rss_before_mb"],
        }
        print(
            f"  import of {rows:,} rows: {imported['seconds']:.2f} s, peak memory {imported['peak_mb']:.0f} MB, "
            f"{figures[rows]['own_mb']:.0f} MB above the process with the file loaded",
            flush=True,
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return figures


def measure_exports(env: dict[str, str]) -> dict:
    run = RollupRun.objects.filter(year=ROLLUP_YEAR, status=RollupRun.Status.SUCCEEDED).latest("finished_at")
    exports = {}
    for kind, file_format in (("sites", "csv"), ("sites", "xlsx"), ("suppliers", "xlsx")):
        figures = _child(env, "export", str(run.pk), kind, file_format)
        exports[f"{kind}.{file_format}"] = figures
        print(
            f"  export {kind}.{file_format}: {figures['bytes'] / 2**20:.1f} MB in {figures['seconds']:.2f} s, "
            f"peak memory {figures['peak_mb']:.0f} MB",
            flush=True,
        )
    return exports


def measure_load(seconds: int) -> dict:
    supplier_cookie = session_cookie(demo.SUPPLIER_EMAIL)
    staff_cookie = session_cookie(demo.STAFF_EMAIL)
    pages = [
        ("trivial view", "/bench/trivial/", supplier_cookie, "ok"),
        ("supplier dashboard", "/", supplier_cookie, "CN-0001"),
        ("comparison", f"/admin/comparison/?year={ROLLUP_YEAR}", staff_cookie, "tCO2e"),
    ]
    connection.close()  # the server's workers are the database's clients now
    results = {}
    with Server() as server:
        for _name, path, cookie, expect in pages:
            server.check(path, cookie, expect)
        for name, path, cookie, _expect in pages:
            result = server.wrk(name, path, cookie, seconds)
            results[name] = result.__dict__
            print(
                f"  {name} ({path}): {result.rps:.1f} requests/s, p50 {result.p50_ms:.0f} ms, "
                f"p95 {result.p95_ms:.0f} ms, p99 {result.p99_ms:.0f} ms, {result.errors} errors",
                flush=True,
            )
    trivial = results["trivial view"]["rps"]
    for name in ("supplier dashboard", "comparison"):
        results[name]["ratio"] = results[name]["rps"] / trivial
    return results


# One request at a time (Django's test client, the bench database): (name, path, user, expected text).
PAGES = (
    ("trivial view", "/bench/trivial/", "supplier", "ok"),
    ("supplier dashboard", "/", "supplier", "CN-0001"),
    ("comparison page", f"/admin/comparison/?year={ROLLUP_YEAR}", "staff", "tCO2e"),
    ("review queue, submitted", "/admin/suppliers/submission/?status__exact=submitted", "staff", "CN-"),
    ("review queue, with flags", "/admin/suppliers/submission/?status__exact=submitted&flags=with", "staff", "CN-"),
    ("double-claims page", "/admin/double-claims/", "staff", "GEC"),
)


def measure_pages(samples: int) -> dict:
    """The median time of one request to each page, `samples` times after one untimed request (which
    fills the caches a stored run allows), with the machine's load average beside it."""
    from django.test import Client

    users = {"supplier": demo.SUPPLIER_EMAIL, "staff": demo.STAFF_EMAIL}
    clients = {}
    for key, email in users.items():
        clients[key] = Client()
        clients[key].force_login(get_user_model().objects.get(email=email))
    results = {}
    for name, path, user, expect in PAGES:
        client = clients[user]
        first = client.get(path)
        if first.status_code != 200 or expect.encode() not in first.content:
            raise SystemExit(f"{name} ({path}) answered {first.status_code} without {expect!r}: the bench needs it")
        times = []
        for _ in range(samples):
            started = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - started)
        results[name] = {
            "path": path, "median_ms": statistics.median(times) * 1000, "all_ms": [t * 1000 for t in times],
            "bytes": len(first.content), "load": os.getloadavg()[0],
        }  # fmt: skip
        print(
            f"  {name} ({path}): median {results[name]['median_ms']:.1f} ms of {samples}, "
            f"{len(first.content) / 1024:.0f} KB, load average {results[name]['load']:.2f}",
            flush=True,
        )
    return results


def everything(*, env: dict[str, str], repeat: int, load_seconds: int) -> dict:
    figures = {}
    print("single requests (test client, median of 10)", flush=True)
    figures["pages"] = measure_pages(10)
    print("roll-ups (task end to end, against hand-written SQL)", flush=True)
    figures.update(measure_rollups(repeat))
    print("import and exports (each in a process of its own)", flush=True)
    figures["import"] = measure_import(env)
    figures["import_scaling"] = measure_import_scaling(env)
    figures["exports"] = measure_exports(env)
    print(f"load (gunicorn, {os.environ.get('BENCH_WORKERS', 2)} workers; wrk, 50 connections)", flush=True)
    figures["load"] = measure_load(load_seconds)
    return figures


def print_summary(figures: dict, targets: dict) -> None:
    machine = figures["machine"]
    seed = figures["seed"]
    out = io.StringIO()
    print("", file=out)
    print(
        f"machine: {machine['cores']} cores, {machine['cpu']}, {machine['ram']} RAM, PostgreSQL "
        f"{machine['postgresql']}, Python {machine['python']}; load average at start {machine['load']}",
        file=out,
    )
    print(
        f"seed: {'reused (warm)' if seed['reused'] else 'seeded now (cold)'}; seeding took {seed['seconds']:.0f} s",
        file=out,
    )
    rows = [
        ("figure", "portal", "baseline (same run)", "ratio", "target", "met"),
        _row("roll-up of one year (2024), end to end", figures["rollup"], "s", "≤", targets["rollup"]),
        _row("roll-up of 2019–2025, seven runs", figures["rollup_all"], "s", "≤", targets["rollup_all"]),
        _row(f"import of {figures['import']['rows']:,} rows (CSV)", figures["import"], "s", "≤", targets["import"]),
    ]
    trivial_ms = figures["pages"]["trivial view"]["median_ms"]
    for name, page in figures["pages"].items():
        if name == "trivial view":
            continue
        target = targets["pages_ms"][name]
        rows.append(
            (
                f"{name}, one request (median of 10)",
                f"{page['median_ms']:.1f} ms",
                f"{trivial_ms:.1f} ms (trivial view)",
                f"{page['median_ms'] / trivial_ms:.0f}",
                f"≤ {target} ms",
                "yes" if page["median_ms"] <= target else "NO",
            )
        )
    for name in ("supplier dashboard", "comparison"):
        load = figures["load"][name]
        trivial = figures["load"]["trivial view"]
        target = targets["load"][name]
        rows.append(
            (
                f"{name} under 50 connections (p95 {load['p95_ms']:.0f} ms)",
                f"{load['rps']:.1f} req/s",
                f"{trivial['rps']:.1f} req/s (trivial view)",
                f"{load['ratio']:.4f}",
                f"≥ {target}",
                "yes" if load["ratio"] >= target else "NO",
            )
        )
    rows.append(
        (
            "peak memory of the import",
            f"{figures['import']['peak_mb']:.0f} MB",
            "",
            "",
            f"≤ {targets['memory_mb']} MB",
            "yes" if figures["import"]["peak_mb"] <= targets["memory_mb"] else "NO",
        )
    )
    small, large = (figures["import_scaling"][rows] for rows in SCALED_IMPORTS)
    rows.append(
        (
            f"memory the import takes, {SCALED_IMPORTS[1]:,} rows",
            f"{large['own_mb']:.0f} MB",
            f"{small['own_mb']:.0f} MB ({SCALED_IMPORTS[0]:,} rows)",
            f"{large['own_mb'] / small['own_mb']:.2f}" if small["own_mb"] > 0 else "",
            "no more",
            "yes" if large["own_mb"] <= small["own_mb"] else "NO",
        )
    )
    for name, export in figures["exports"].items():
        rows.append(
            (
                f"peak memory of the export {name}",
                f"{export['peak_mb']:.0f} MB",
                "",
                "",
                f"≤ {targets['export_memory_mb']} MB",
                "yes" if export["peak_mb"] <= targets["export_memory_mb"] else "NO",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)), file=out)
    print(
        f"totals agree to the tonne: {figures['rollup']['portal_tco2e']:,.3f} (portal) and "
        f"{figures['rollup']['baseline_tco2e']:,.3f} (SQL) tCO2e for {figures['rollup']['year']}; every year "
        f"2019–2025 {'agrees' if figures['rollup_all']['agree'] else 'DIFFERS'}",
        file=out,
    )
    print(f"make bench took {figures['total_seconds']:.0f} s in all", file=out)
    sys.stdout.write(out.getvalue())
    sys.stdout.flush()


def _row(name: str, figure: dict, unit: str, sense: str, target: float) -> tuple[str, ...]:
    met = figure["ratio"] <= target if sense == "≤" else figure["ratio"] >= target
    return (
        name,
        f"{figure['portal_s']:.2f} {unit}",
        f"{figure['baseline_s']:.2f} {unit}",
        f"{figure['ratio']:.2f}",
        f"{sense} {target}",
        "yes" if met else "NO",
    )
