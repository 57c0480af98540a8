"""Measurements that need a process of their own, so that its peak memory is theirs alone.

    python -m bench.child import FILE     # submissions_import of FILE, approved, then rolled back
    python -m bench.child export RUN KIND FORMAT  # the staff export view of a run, read to the end

Prints one JSON line: seconds, the peak resident memory of the process (VmHWM) and the
resident memory before the measured work began (Django and the file's bytes loaded).
"""

import json
import os
import sys
import time
from pathlib import Path


def _rss_now_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    """The peak resident memory of this process (VmHWM). Not ru_maxrss: Linux carries that over
    from the forked copy of the parent across exec, so it would report the bench's own memory."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status")


class _RollBack(Exception):
    pass


def measure_import(path: str) -> dict:
    from django.db import connection, transaction

    from suppliers.services.imports import submissions_import

    content = Path(path).read_bytes()
    before = _rss_now_mb()
    started = time.perf_counter()
    try:
        # The bench's database stays as seeded: the import's own transaction is inside this one,
        # which is rolled back once the import has written everything and the foreign keys, which
        # PostgreSQL checks at commit, have been checked (SET CONSTRAINTS ALL IMMEDIATE runs them).
        with transaction.atomic():
            result = submissions_import(content=content, filename=Path(path).name, approve=True)
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            seconds = time.perf_counter() - started
            raise _RollBack
    except _RollBack:
        pass
    return {
        "seconds": seconds,
        "lines_created": result.lines_created,
        "lines_replaced": result.lines_replaced,
        "rss_before_mb": before,
        "peak_mb": _peak_mb(),
    }


def measure_export(run_id: int, kind: str, file_format: str) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from demo import portfolio as demo

    client = Client()
    client.force_login(get_user_model().objects.get(email=demo.STAFF_EMAIL))
    url = reverse("reports_run_export", args=[run_id, kind, file_format])
    before = _rss_now_mb()
    started = time.perf_counter()
    response = client.get(url)
    size = 0
    if response.streaming:
        for chunk in response.streaming_content:
            size += len(chunk)
    else:
        size = len(response.content)
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return {"seconds": seconds, "bytes": size, "rss_before_mb": before, "peak_mb": _peak_mb()}


def main() -> None:
    import django

    django.setup()
    what, *args = sys.argv[1:]
    if what == "import":
        figures = measure_import(args[0])
    elif what == "export":
        figures = measure_export(int(args[0]), args[1], args[2])
    else:
        raise SystemExit(f"unknown measurement {what}")
    print("BENCH " + json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
