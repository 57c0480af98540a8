"""What a process of the portal loads before it does anything: not the document libraries, which
only reports, exports, templates and evidence checks need (about 30 MB of every web worker, worker
and import otherwise: bench/RESULTS.md)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_LOADED = """
import sys
import django

django.setup()
from django.urls import get_resolver

get_resolver().url_patterns  # every view and admin module imported
import portal.celery, reports.tasks, suppliers.services.imports  # the worker's tasks and the import

print(" ".join(sorted(name for name in ("reportlab", "openpyxl", "pypdf") if name in sys.modules)) or "none")
"""


def test_a_process_loads_the_document_libraries_only_when_it_makes_a_document() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", _LOADED], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "none"
