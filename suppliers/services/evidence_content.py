"""What an evidence file holds, beyond its first bytes.

The upload's signature says which kind it claims to be (suppliers.services.evidence); these checks
refuse what such a file should never carry, because a reviewer opens it on a staff machine:
- a PDF that runs something when opened or clicked (JavaScript, an open action, additional
  actions, launch, forms that submit or import, XFA, rich media) or carries embedded files,
  found in every object reachable from its trailer, compressed object streams and escaped names
  (`/J#61vaScript`) included, as pypdf reads them; an encrypted PDF, which cannot be checked;
- a workbook with parts a workbook does not have (an HTML page, a script, an executable, embedded
  documents, ActiveX controls), besides the macros, bombs and damage checked already;
- a polyglot: a file that is also a zip archive, carries a web page or script in the bytes a
  browser sniffs, or a PNG with data after its end.
Each refusal is a ValidationError whose message says what was found and how to send the file.
"""

import logging
import re
import zipfile
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

logger = logging.getLogger(__name__)

# Keys of a PDF dictionary that make a viewer act, or that hold files.
PDF_ACTIVE_KEYS = {
    "/JavaScript": gettext_lazy("JavaScript"),
    "/JS": gettext_lazy("JavaScript"),
    "/OpenAction": gettext_lazy("an action run when the file is opened"),  # but a page to open at
    "/AA": gettext_lazy("actions run on viewing or on clicks"),
    "/Launch": gettext_lazy("an instruction to start a program"),
    "/EmbeddedFiles": gettext_lazy("embedded files"),
    "/EmbeddedFile": gettext_lazy("embedded files"),
    "/RichMedia": gettext_lazy("embedded media (Flash)"),
    "/XFA": gettext_lazy("an XFA form"),
}
# Action types (/S) that do the same from a link or a form field.
PDF_ACTIVE_ACTIONS = {
    "/JavaScript": gettext_lazy("JavaScript"),
    "/Launch": gettext_lazy("an instruction to start a program"),
    "/SubmitForm": gettext_lazy("a form that sends data elsewhere"),
    "/ImportData": gettext_lazy("a form that imports data"),
    "/GoToE": gettext_lazy("a link into an embedded file"),
    "/GoToR": gettext_lazy("a link that opens another file"),
}
MAX_PDF_OBJECTS = 500_000  # a scanned 1,000-page bill has a few thousand

# The parts an Excel workbook (.xlsx) is made of: XML parts and their relations, drawings' VML,
# images, and printer settings.
XLSX_PART_SUFFIXES = {".xml", ".rels", ".vml", ".png", ".jpeg", ".jpg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf"}
XLSX_FOREIGN_FOLDERS = {
    "xl/embeddings/": gettext_lazy("embedded documents"),
    "xl/activeX/": gettext_lazy("ActiveX controls"),
}

# What makes a browser take bytes for a web page or a script (it sniffs the first 512).
SNIFFED_BYTES = 1024
WEB_CONTENT = re.compile(rb"<(?:!doctype\s+html|html|head|body|script|iframe|svg|\?php)[\s>/]", re.IGNORECASE)


def _found(what: object) -> ValidationError:
    return ValidationError(
        _(
            "The PDF contains %(what)s, which evidence must not carry. Print it to a new PDF "
            "(or export it without scripts and attachments) and upload that."
        )
        % {"what": what}
    )


def pdf_check(upload: UploadedFile) -> None:
    """Refuses a PDF with active content or embedded files, an encrypted one, and one pypdf cannot read."""
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)  # read from the upload, not copied into memory
        if reader.is_encrypted:
            raise ValidationError(
                _("The PDF is password-protected, so its content cannot be checked; upload it without the password.")
            )
        _pdf_walk(reader.trailer)
    except ValidationError:
        raise
    except (PdfReadError, ValueError, TypeError, KeyError, RecursionError, OSError) as error:
        logger.info("evidence PDF unreadable: %s", error)
        raise ValidationError(_("The PDF is damaged and cannot be opened.")) from None
    finally:
        upload.seek(0)


def _pdf_walk(trailer: DictionaryObject) -> None:
    """Every object reachable from the trailer, each indirect object once, without recursion."""
    seen: set[tuple[int, int]] = set()
    pending: list[object] = [trailer]
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > MAX_PDF_OBJECTS:
                raise ValidationError(_("The PDF has an implausible number of objects and is refused."))
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            for name, value in item.items():
                if name == "/OpenAction" and _opens_at_a_page(value):
                    pending.append(value)  # "open at page 1, fit to the window": no action
                    continue
                if name in PDF_ACTIVE_KEYS:
                    raise _found(PDF_ACTIVE_KEYS[name])
                if name == "/S" and isinstance(value, NameObject) and value in PDF_ACTIVE_ACTIONS:
                    raise _found(PDF_ACTIVE_ACTIONS[value])
                if name != "/Parent":  # a page's parent is walked from the root already
                    pending.append(value)
        elif isinstance(item, ArrayObject):
            pending.extend(item)


def _opens_at_a_page(value: object) -> bool:
    """Whether an /OpenAction is a destination (an array, or a GoTo action), as many producers set."""
    target = value.get_object() if isinstance(value, IndirectObject) else value
    if isinstance(target, ArrayObject):
        return True
    return isinstance(target, DictionaryObject) and target.get("/S") == "/GoTo" and set(target) <= {"/S", "/D", "/Type"}


def xlsx_parts_check(archive: zipfile.ZipFile) -> None:
    """Refuses a workbook holding parts no workbook has (an HTML page, a script, embedded documents)."""
    for info in archive.infolist():
        name = info.filename
        if info.is_dir():
            continue
        for folder, what in XLSX_FOREIGN_FOLDERS.items():
            if name.startswith(folder):
                raise ValidationError(
                    _("The workbook contains %(what)s (%(part)s); save a copy without them and upload that.")
                    % {"what": what, "part": name}
                )
        base = PurePosixPath(name).name
        suffix = "." + base.rsplit(".", 1)[-1].lower() if "." in base else ""  # "_rels/.rels" too
        printer_settings = name.startswith("xl/printerSettings/") and suffix == ".bin"
        if suffix not in XLSX_PART_SUFFIXES and not printer_settings:
            raise ValidationError(
                _(
                    "The workbook contains “%(part)s”, which is not part of an Excel workbook; "
                    "open it in Excel, save it as a new .xlsx and upload that."
                )
                % {"part": name}
            )


def polyglot_check(upload: UploadedFile, kind_name: str) -> None:
    """Refuses a PDF or image that is also something else: a zip archive, a web page or script in
    the bytes a browser sniffs, or (a PNG) data after its last chunk."""
    upload.seek(0)
    head = upload.read(SNIFFED_BYTES)
    upload.seek(0)
    also = None
    if WEB_CONTENT.search(head):
        also = _("a web page or script")
    elif zipfile.is_zipfile(upload):
        also = _("a zip archive")
    elif kind_name == "PNG" and not _png_ends_at_iend(upload):
        also = _("data after the end of the image")
    upload.seek(0)
    if also is not None:
        raise ValidationError(
            _(
                "The file is a %(kind)s but also holds %(also)s; save the document again as a plain %(kind)s and upload that."
            )
            % {"kind": kind_name, "also": also}
        )


def _png_ends_at_iend(upload: UploadedFile) -> bool:
    upload.seek(max(upload.size - 12, 0))
    tail = upload.read(12)
    upload.seek(0)
    return tail[4:8] == b"IEND"
