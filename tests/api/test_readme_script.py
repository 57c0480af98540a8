"""The README's API script, run as written with bash, curl and jq against the demo data as
`make run` seeds it: it finds the open period and the site itself, lists both problems of the
mistaken draft, submits the corrected one, and stops with a message once nothing is left (#18,
item 15)."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from pytest_django.live_server_helper import LiveServer

from api.services import api_token_create
from demo import portfolio as demo
from suppliers.models import ReportingPeriod, Submission, User

README = Path(settings.BASE_DIR) / "README.md"

pytestmark = pytest.mark.django_db(transaction=True)


def readme_script() -> str:
    text = README.read_text()
    (script,) = re.findall(r"```bash\n(#!/usr/bin/env bash\n.*?)```", text, flags=re.S)
    return script


@pytest.fixture
def demo_token() -> str:
    call_command("seed_demo", "--suppliers", "3", stdout=open(os.devnull, "w"))  # noqa: SIM115
    user = User.objects.get(email=demo.SUPPLIER_EMAIL)
    return api_token_create(user=user, name="README script", lifetime_days=30)[1]


def run(script: str, *, token: str, portal: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", script],
        env={**os.environ, "TOKEN": token, "PORTAL": portal},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_readme_script_submits_the_demo_suppliers_open_period_then_stops_with_a_message(
    live_server: LiveServer, demo_token: str, tmp_path: Path
) -> None:
    for tool in ("curl", "jq"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (apt-get install {tool}); .ci/run installs it")
    script = readme_script()

    done = run(script, token=demo_token, portal=live_server.url, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    period = ReportingPeriod.objects.get(is_open=True)  # the demo's one open period, this year's
    assert f"== period {period.code} (#{period.pk}), site SY1" in done.stdout
    mistaken = json.loads(done.stdout.split("every problem is listed\n", 1)[1].split("== the corrected draft", 1)[0])
    assert [(e["line"], e["site"], e["field"]) for e in mistaken["errors"]] == [
        (0, "SY1", "bmw_share_percent"),
        (0, "SY1", "certificate_ids"),
    ]
    assert "saved, version 2" in done.stdout
    submitted = json.loads(done.stdout.strip().splitlines()[-1])
    assert submitted["status"] == "submitted" and submitted["version"] == 3
    assert submitted["lines"] == [{"site": "SY1", "total_electricity_mwh": "1250.000000", "gec_mwh": "100.000000"}]
    submission = Submission.objects.get(supplier__code="CN-0001", period=period)
    assert submission.status == Submission.Status.SUBMITTED

    again = run(script, token=demo_token, portal=live_server.url, cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr.strip() == "no open period needs a submission"
