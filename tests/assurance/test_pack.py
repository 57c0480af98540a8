"""The assurance pack: everything a verifier needs to re-create a run's figure."""

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from assurance.services import sample_draw
from reports.models import EmissionFactor
from reports.services.rollups import rollup_run_create
from tests.reports.test_worked_example import _load_example

pytestmark = pytest.mark.django_db(transaction=True)


def _pack(tmp_path: Path, year: int) -> zipfile.ZipFile:
    out = tmp_path / f"pack-{year}.zip"
    call_command("assurance_pack", "--year", str(year), "--out", str(out), stdout=io.StringIO())
    return zipfile.ZipFile(out)


def test_the_pack_holds_every_file_with_its_checksum_in_the_manifest(tmp_path: Path) -> None:
    _load_example()
    run = rollup_run_create(year=2025)
    sample_draw(run=run, size=3, seed=5, user=None)
    pack = _pack(tmp_path, 2025)
    manifest = json.loads(pack.read("manifest.json"))
    assert (manifest["run"], manifest["year"], manifest["method_version"]) == (run.pk, 2025, 2)
    assert manifest["fingerprint"] == run.input_fingerprint
    names = {"rollup-2025.json", "factors.csv", "submissions.csv", "evidence.csv", "method.md", "sample.csv"}
    assert set(manifest["files"]) == names and set(pack.namelist()) == names | {"manifest.json"}
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(pack.read(name)).hexdigest() == digest
    assert pack.read("sample.csv").decode().count("\n") == 1 + 3
    assert "Method version 2" in pack.read("method.md").decode()
    assert len(pack.read("factors.csv").decode().splitlines()) == 1 + EmissionFactor.objects.count()


def test_importing_the_pack_into_an_empty_portal_gives_the_runs_json_again(tmp_path: Path) -> None:
    _load_example()
    for year in (2019, 2024, 2025):
        rollup_run_create(year=year)
    for year in (2024, 2025):
        pack = _pack(tmp_path, year)
        folder = tmp_path / f"unpacked-{year}"
        pack.extractall(folder)
        manifest = json.loads((folder / "manifest.json").read_text())
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
        env["DATABASE_URL"] = f"sqlite:///{tmp_path}/empty-{year}.sqlite3"

        def manage(*args: str, env: dict = env) -> str:
            done = subprocess.run(
                [sys.executable, "manage.py", *args], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True
            )
            assert done.returncode == 0, done.stderr
            return done.stdout

        manage("migrate", "-v", "0")
        manage("import_factors", str(folder / "factors.csv"), "--replace")
        manage("import_submissions", str(folder / "submissions.csv"), "--approve")
        if manifest["reported"]:
            manage(
                "reported_figure",
                str(year),
                str(manifest["reported"]["tco2e"]),
                "--source",
                manifest["reported"]["source"],
            )
        again = json.loads(manage("rollup", "--year", str(year), "--json", "--inline"))
        assert again == json.loads((folder / f"rollup-{year}.json").read_text())


def test_the_pack_is_refused_naming_the_change_when_a_factor_changed_since_the_run(tmp_path: Path) -> None:
    _load_example()
    rollup_run_create(year=2025)
    factor = EmissionFactor.objects.get(region="440000", year=2023, kind="average")
    factor.tco2_per_mwh = "0.4300"
    factor.save()
    with pytest.raises(CommandError, match=r"the average factor of 440000 \(SOUTH\) 2025 is now 0.4300"):
        _pack(tmp_path, 2025)
    assert not (tmp_path / "pack-2025.zip").exists()
