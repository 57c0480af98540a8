"""Evidence files (bills, meter readings, certificates' transfer records, contracts) attached to a
submission, each to the line (or the site for the period) it proves and with its document type.

A file is accepted for what its bytes are, not for what its name or the browser claims: a PDF,
a PNG or JPEG image, or an Excel workbook, whose name's extension agrees with its content, and
which carries nothing active, embedded or foreign (suppliers.services.evidence_content). It is
stored under a generated name in private storage (settings.STORAGES["default"]), never under a
public URL, and only served through the download view, which checks who asks.
"""

import hashlib
import os
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from suppliers.models import EvidenceFile, Site, Submission, User
from suppliers.services.spreadsheets import MAX_XLSX_RATIO, MAX_XLSX_UNPACKED_BYTES
from suppliers.services.submissions import EDITABLE_STATUSES


@dataclass(frozen=True)
class EvidenceKind:
    name: str
    content_type: str
    extensions: tuple[str, ...]


PDF = EvidenceKind("PDF", "application/pdf", (".pdf",))
PNG = EvidenceKind("PNG", "image/png", (".png",))
JPEG = EvidenceKind("JPEG", "image/jpeg", (".jpg", ".jpeg"))
XLSX = EvidenceKind("Excel (.xlsx)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
_SIGNATURES = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
_XLSX_PARTS = {"[Content_Types].xml", "xl/workbook.xml"}
MAX_NAME_LENGTH = 255  # EvidenceFile.original_name


def _editable(submission: Submission) -> Submission:
    """The submission, locked, if the supplier may still change its evidence."""
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("Evidence can be changed only while the submission is a draft or returned; this one is %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


def _original_name(name: str) -> str:
    # Kept only to show and to name the download: no directories, no control characters.
    base = os.path.basename((name or "").replace("\\", "/"))
    clean = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    if len(clean) > MAX_NAME_LENGTH:
        stem, extension = os.path.splitext(clean)
        clean = stem[: MAX_NAME_LENGTH - len(extension)] + extension
    return clean or "evidence"


def _xlsx_check(upload: UploadedFile) -> bool:
    """Whether the zip is an Excel workbook; refuses a damaged one, a zip bomb or one with macros."""
    damaged = ValidationError(_("The Excel file is damaged and cannot be opened."))
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if not _XLSX_PARTS.issubset(names):
                return False
            unpacked = sum(info.file_size for info in infos)
            if unpacked > MAX_XLSX_UNPACKED_BYTES or unpacked > MAX_XLSX_RATIO * max(upload.size, 1):
                raise ValidationError(_("The Excel file unpacks to an implausible size and is refused."))
            if "xl/vbaProject.bin" in names:
                raise ValidationError(
                    _("Workbooks with macros are not accepted; save it as an Excel workbook (.xlsx) without them.")
                )
            from suppliers.services.evidence_content import xlsx_parts_check  # with pypdf: see below

            xlsx_parts_check(archive)
            # Reads every part, never more than its declared size, and checks its CRC.
            if archive.testzip() is not None:
                raise damaged
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise damaged from None
    return True


def _kind(upload: UploadedFile) -> EvidenceKind | None:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head.startswith(b"PK\x03\x04") and _xlsx_check(upload):
        return XLSX
    return None


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def evidence_add(
    *, submission: Submission, upload: UploadedFile, user: User, site: Site | None = None,
    document_type: str = EvidenceFile.DocumentType.OTHER,
) -> EvidenceFile:  # fmt: skip
    """Checks the upload by its content and stores it as a `document_type` proving `site`'s line
    of the period (its electricity in the period, before the line is saved), or the whole period
    when `site` is None. The same file (the same SHA-256) twice on one period is refused. Raises
    ValidationError saying what is wrong."""
    if site is not None and site.supplier_id != submission.supplier_id:
        raise ValidationError(_("The site is not one of the supplier's sites."))
    if document_type not in EvidenceFile.DocumentType.values:
        raise ValidationError(_("Choose what kind of document the file is."))
    name = _original_name(upload.name)
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s; files up to %(max)s are accepted.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(settings.EVIDENCE_MAX_BYTES)}
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    kind = _kind(upload)
    if kind is None:
        raise ValidationError(
            _("Only PDF files, PNG or JPEG images and Excel workbooks (.xlsx) are accepted; this file is none of them.")
        )
    extension = os.path.splitext(name)[1].lower()
    if not extension:
        raise ValidationError(
            _("The file's content is %(kind)s but its name has no extension; it must end in %(expected)s.")
            % {"kind": kind.name, "expected": ", ".join(kind.extensions)}
        )
    if extension not in kind.extensions:
        raise ValidationError(
            _("The file's content is %(kind)s but its name ends in “%(extension)s”; it must end in %(expected)s.")
            % {"kind": kind.name, "extension": extension, "expected": ", ".join(kind.extensions)}
        )
    # The content checks (with pypdf, 7 MB) are loaded with the first evidence file a process
    # checks, not by every web worker and import (bench/RESULTS.md).
    from suppliers.services.evidence_content import pdf_check, polyglot_check

    if kind is not XLSX:
        polyglot_check(upload, kind.name)
    if kind is PDF:
        pdf_check(upload)
    sha256 = _sha256(upload)
    evidence = None
    try:
        with transaction.atomic():
            submission = _editable(submission)  # locked: two uploads of one file cannot both pass the check
            already = EvidenceFile.objects.filter(submission=submission, sha256=sha256).first()
            if already is not None:
                raise ValidationError(
                    _("This file is already attached to this period as “%(name)s”; the same file is attached once.")
                    % {"name": already.original_name}
                )
            line = submission.lines.filter(site=site).first() if site is not None else None
            evidence = EvidenceFile(
                submission=submission, line=line, site=site, document_type=document_type, original_name=name,
                content_type=kind.content_type, size_bytes=upload.size, sha256=sha256, uploaded_by=user,
            )  # fmt: skip
            # Stored under the generated name of evidence_upload_to; the supplier's name is only kept.
            evidence.file.save(name, upload, save=False)
            evidence.full_clean()
            evidence.save()
    except BaseException:
        if evidence is not None and evidence.file.name:
            evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


def evidence_delete(*, evidence: EvidenceFile, user: User) -> None:
    """Removes a file from a draft or returned submission; the stored bytes go once that is committed."""
    with transaction.atomic():
        _editable(evidence.submission)
        storage, stored_name = evidence.file.storage, evidence.file.name
        evidence.delete()
        transaction.on_commit(lambda: storage.delete(stored_name))
