"""The assurance pack of a run: a ZIP with everything a verifier needs to re-create its figure.

manifest.json (the SHA-256 of every file), rollup-Y.json (the run's result as `rollup --json`
prints it), factors.csv (the whole factor table, in the factor file format), submissions.csv
(every approved line, all years, in the submission file format, MWh as stored), evidence.csv,
method.md (the run's method statement) and sample.csv (the samples drawn for the run and their
results). Importing factors.csv and submissions.csv into an empty portal, recording the published
figure of the manifest and running the roll-up gives rollup-Y.json again.
"""

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from django.db.models import Prefetch
from django.utils import timezone

from assurance.models import SampledLine
from assurance.selectors import line_evidence
from assurance.services import run_check_current
from reports.calculation.result import SENSITIVITY_KEYS
from reports.calculation.values import plain_decimal
from reports.documents.method_statement import method_statement_markdown
from reports.models import EmissionFactor, RollupRun
from suppliers.forms.submissions import line_serials_text
from suppliers.models import EvidenceFile, Line
from suppliers.selectors import approved_lines
from suppliers.services.imports import COLUMNS

FACTOR_HEADER = ("region", "year", "kind", "tco2_per_mwh", "source")
# attached_to: "line" (the file proves the line), "site" (the line's site for the period) or
# "period" (every site of the period: files from before evidence was tied to lines).
EVIDENCE_HEADER = (
    "supplier_code", "site_code", "period", "file_name", "sha256", "bytes", "uploaded_at", "attached_to",
    "document_type",
)  # fmt: skip
SAMPLE_HEADER = (
    "sample", "drawn_at", "seed", "size", "position", "supplier_code", "site_code", "period", "avoided_tco2e",
    "result", "comment", "checked_by", "checked_at",
)  # fmt: skip


def _csv(header: tuple[str, ...] | list[str], rows: Iterator[list[object]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _factor_rows() -> Iterator[list[object]]:
    for f in EmissionFactor.objects.order_by("kind", "region", "year"):
        yield [f.region, f.year, f.kind, plain_decimal(f.tco2_per_mwh), f.source]


def _lines() -> Iterator[Line]:
    return (
        approved_lines()
        .select_related("site__supplier", "submission__period")
        .prefetch_related("certificate_claims", "certificate_ranges")
        .order_by("site__supplier__code", "site__code", "submission__period__year", "submission__period__first_month")
        .iterator(chunk_size=2000)
    )


def _submission_rows() -> Iterator[list[object]]:
    for line in _lines():
        supplier, site = line.site.supplier, line.site
        serials = line_serials_text(line)
        cells = {
            "supplier_code": supplier.code,
            "supplier_name": supplier.name_zh or supplier.name_en,
            "uscc": supplier.uscc,
            "site_code": site.code,
            "site_name": site.name,
            "province": site.province,
            "period": line.submission.period.code,
            "unit": "MWh",
            "total_electricity": plain_decimal(line.total_electricity_mwh),
            "onsite_renewable": plain_decimal(line.onsite_renewable_mwh),
            "green_power_trading": plain_decimal(line.green_power_trading_mwh),
            "gec": plain_decimal(line.gec_mwh),
            "irec": plain_decimal(line.irec_mwh),
            "bmw_share_percent": plain_decimal(line.bmw_share_percent),
            "certificate_ids": ";".join(c.batch_id for c in line.certificate_claims.all()),
            **serials,
        }
        yield [cells.get(column, "") for column in COLUMNS]


def _evidence_rows() -> Iterator[list[object]]:
    files = EvidenceFile.objects.order_by("uploaded_at", "pk")
    lines = (
        approved_lines()
        .select_related("site__supplier", "submission__period")
        .prefetch_related(Prefetch("submission__evidence_files", queryset=files))
        .order_by("site__supplier__code", "site__code", "submission__period__year", "submission__period__first_month")
    )
    for line in lines.iterator(chunk_size=2000):
        for evidence in line_evidence(line):
            yield [
                line.site.supplier.code, line.site.code, line.submission.period.code, evidence.original_name,
                evidence.sha256, evidence.size_bytes, evidence.uploaded_at.isoformat(),
                "line" if evidence.line_id == line.pk else evidence.attached_to, evidence.document_type,
            ]  # fmt: skip


def _sample_rows(run: RollupRun) -> Iterator[list[object]]:
    sampled = SampledLine.objects.filter(sample__run=run).select_related("sample", "checked_by")
    for s in sampled.order_by("sample__drawn_at", "sample_id", "position"):
        yield [
            s.sample_id, s.sample.drawn_at.isoformat(), s.sample.seed, s.sample.size, s.position, s.supplier_code,
            s.site_code, s.period, plain_decimal(s.avoided_tco2e), s.result, s.comment,
            s.checked_by.email if s.checked_by else "", s.checked_at.isoformat() if s.checked_at else "",
        ]  # fmt: skip


def pack_write(run: RollupRun, out: BinaryIO) -> dict:
    """Writes the pack of `run` to `out`; returns its manifest. Raises RunOutdated, naming the
    change, when the approved data or factors changed since the run."""
    run_check_current(run)
    result = {key: value for key, value in run.result.items() if key not in SENSITIVITY_KEYS}
    files = {
        f"rollup-{run.year}.json": json.dumps(result, ensure_ascii=False, indent=1).encode(),
        "factors.csv": _csv(FACTOR_HEADER, _factor_rows()),
        "submissions.csv": _csv(list(COLUMNS), _submission_rows()),
        "evidence.csv": _csv(EVIDENCE_HEADER, _evidence_rows()),
        "method.md": method_statement_markdown(run).encode(),
        "sample.csv": _csv(SAMPLE_HEADER, _sample_rows(run)),
    }
    manifest = {
        "run": run.pk,
        "year": run.year,
        "baseline_year": run.baseline_year,
        "method_version": int(run.method_version),
        "irec_last_year": run.irec_last_year,
        "fingerprint": run.input_fingerprint,
        "created": timezone.now().isoformat(),
        "reported": result.get("reported"),
        "files": {name: hashlib.sha256(content).hexdigest() for name, content in files.items()},
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        for name, content in files.items():
            archive.writestr(name, content)
    return manifest
