"""A supplier's upload of a submission file: checked and previewed first, saved on confirmation.

Between the preview and the confirmation the file waits on the server (never in the browser),
under a random token bound to the user who uploaded it; the confirmation carries only the token
and checks the file again, since the database may have changed in between. A user has at most
one file waiting, and a file waits at most PENDING_UPLOAD_MAX_AGE.
"""

import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.http import Http404

from suppliers.models import Site, User
from suppliers.selectors import supplier_for_user
from suppliers.services.imports import ImportResult, submissions_import

PENDING_UPLOAD_MAX_BYTES = 10 * 1024 * 1024  # a supplier's file has a few hundred rows at most
PENDING_UPLOAD_MAX_AGE = timedelta(hours=2)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)


@dataclass(frozen=True)
class PendingUpload:
    token: str
    filename: str
    content: bytes


@dataclass(frozen=True)
class PreviewLine:
    row: int
    site_code: str
    site_name: str
    period: str
    unit: str
    total_mwh: Decimal
    onsite_renewable_mwh: Decimal
    green_power_trading_mwh: Decimal
    gec_mwh: Decimal
    irec_mwh: Decimal
    bmw_share_percent: Decimal
    certificate_ids: list[str]
    replaces: bool  # replaces a line already saved for the site and period


@dataclass(frozen=True)
class UploadPreview:
    token: str
    filename: str
    lines: list[PreviewLine]
    lines_created: int
    lines_replaced: int
    sites_created: int


def _uploads_dir() -> Path:
    return Path(settings.VAR_DIR) / "uploads"


def _plain(value: Decimal) -> Decimal:
    """1000.000000 as 1000 and 1.500000 as 1.5, never in exponent form."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _sweep(now: float) -> None:
    """Removes the files that waited too long, whoever uploaded them."""
    for path in _uploads_dir().glob("*/*"):
        try:
            if now - path.stat().st_mtime > PENDING_UPLOAD_MAX_AGE.total_seconds():
                path.unlink()
        except FileNotFoundError:  # removed by a concurrent request
            pass


def pending_upload_store(*, user: User, content: bytes, filename: str) -> str:
    """Keeps the file for the user's confirmation, in place of any file of theirs still waiting.
    Returns the token that names it."""
    _sweep(time.time())
    folder = _uploads_dir() / str(user.pk)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700, parents=True)
    token = secrets.token_urlsafe(32)
    descriptor = os.open(folder / f"{token}.upload", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    # Written last: a token is only found once its file is complete.
    (folder / f"{token}.json").write_text(json.dumps({"filename": filename, "supplier_id": user.supplier_id}))
    return token


def get_pending_upload_for_user(user: User, token: str) -> PendingUpload:
    """The user's own file waiting under `token`. An unknown, expired or malformed token, and
    another user's, are a 404 alike."""
    supplier = supplier_for_user(user)
    if not _TOKEN.match(token):
        raise Http404
    folder = _uploads_dir() / str(user.pk)
    try:
        meta_path = folder / f"{token}.json"
        if time.time() - meta_path.stat().st_mtime > PENDING_UPLOAD_MAX_AGE.total_seconds():
            raise Http404
        meta = json.loads(meta_path.read_text())
        content = (folder / f"{token}.upload").read_bytes()
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    if meta.get("supplier_id") != supplier.pk:  # the user was moved to another supplier meanwhile
        raise Http404
    return PendingUpload(token=token, filename=meta["filename"], content=content)


def pending_upload_discard(*, user: User, token: str) -> None:
    if _TOKEN.match(token):
        for suffix in (".json", ".upload"):
            (_uploads_dir() / str(user.pk) / f"{token}{suffix}").unlink(missing_ok=True)


def _import(*, user: User, content: bytes, filename: str, dry_run: bool) -> ImportResult:
    return submissions_import(
        content=content,
        filename=filename,
        user=user,
        restrict_to_supplier=supplier_for_user(user),
        as_draft=True,
        dry_run=dry_run,
    )


def supplier_upload_preview(*, user: User, content: bytes, filename: str) -> UploadPreview:
    """Checks the file as if saving it, writing nothing, and keeps it for the confirmation.
    Raises FileRefused naming every problem (and then keeps nothing)."""
    result = _import(user=user, content=content, filename=filename, dry_run=True)
    token = pending_upload_store(user=user, content=content, filename=filename)
    site_names = dict(Site.objects.filter(supplier=supplier_for_user(user)).values_list("code", "name"))
    lines = [
        PreviewLine(
            row=line.row,
            site_code=line.site_code,
            site_name=line.site_name or site_names.get(line.site_code, ""),
            period=line.period.code,
            unit=line.unit,
            total_mwh=_plain(line.quantities_mwh["total_electricity_mwh"]),
            onsite_renewable_mwh=_plain(line.quantities_mwh["onsite_renewable_mwh"]),
            green_power_trading_mwh=_plain(line.quantities_mwh["green_power_trading_mwh"]),
            gec_mwh=_plain(line.quantities_mwh["gec_mwh"]),
            irec_mwh=_plain(line.quantities_mwh["irec_mwh"]),
            bmw_share_percent=_plain(line.bmw_share_percent),
            certificate_ids=line.certificate_ids,
            replaces=line.row in result.replacing_rows,
        )
        for line in result.parsed
    ]
    return UploadPreview(
        token=token,
        filename=filename,
        lines=lines,
        lines_created=result.lines_created,
        lines_replaced=result.lines_replaced,
        sites_created=result.sites_created,
    )


def supplier_upload_confirm(*, user: User, upload: PendingUpload) -> ImportResult:
    """Checks the waiting file again and saves its lines as drafts, then forgets the file.
    Raises FileRefused (the file then waits until it expires or the user uploads another)."""
    result = _import(user=user, content=upload.content, filename=upload.filename, dry_run=False)
    pending_upload_discard(user=user, token=upload.token)
    return result
