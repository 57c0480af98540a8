"""The files that prove what a submission reports."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from suppliers.models.organisation import Site
from suppliers.models.submissions import Line, Submission


def evidence_upload_to(instance: "EvidenceFile", filename: str) -> str:
    # A generated name: the supplier's file name is kept in original_name, never used on disk.
    return f"evidence/{instance.submission.supplier_id}/{uuid.uuid4().hex}"


class EvidenceDocumentType(models.TextChoices):
    ELECTRICITY_BILL = "electricity_bill", _("Electricity bill")
    METER_READING = "meter_reading", _("Meter reading")
    GEC_TRANSFER = "gec_transfer", _("GEC transfer record")
    GREEN_POWER_SETTLEMENT = "green_power_settlement", _("Green power trading settlement")
    IREC_REDEMPTION = "irec_redemption", _("I-REC redemption statement")
    PPA = "ppa", _("Power purchase agreement (PPA)")
    OTHER = "other", pgettext_lazy("document type", "Other")


class EvidenceFile(models.Model):
    """A file that proves figures of a submission: a line's (one site in the period), a site's for
    the period before or after its line exists, or, with neither (files from before they were
    tied to what they prove), the whole period's."""

    DocumentType = EvidenceDocumentType

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="evidence_files", verbose_name=_("submission")
    )
    # The line it proves; when the line is removed the file stays with its site for the period.
    line = models.ForeignKey(
        Line, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence_files", verbose_name=_("line")
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence_files", verbose_name=_("site")
    )
    document_type = models.CharField(
        _("document type"), max_length=30, choices=EvidenceDocumentType, default=EvidenceDocumentType.OTHER
    )
    file = models.FileField(upload_to=evidence_upload_to, max_length=200, verbose_name=_("file"))
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100, verbose_name=_("content type"))
    size_bytes = models.PositiveBigIntegerField(verbose_name=_("size (bytes)"))
    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256 checksum"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("uploaded"))

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        constraints = [
            # The same bytes twice prove nothing more (suppliers.services.evidence says which file it is).
            models.UniqueConstraint(fields=["submission", "sha256"], name="evidence_file_once_per_period"),
            models.CheckConstraint(
                condition=Q(line__isnull=True) | Q(site__isnull=False), name="evidence_line_names_its_site"
            ),
            models.CheckConstraint(
                condition=Q(document_type__in=EvidenceDocumentType.values),
                name="evidence_document_type_known",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def attached_to(self) -> str:
        """ "line", "site" (the site for the period) or "period" (the whole period)."""
        return "line" if self.line_id else "site" if self.site_id else "period"

    def clean(self) -> None:
        submission = self.submission if self.submission_id else None
        if self.line_id is not None and (
            self.line.submission_id != self.submission_id or (self.site_id and self.line.site_id != self.site_id)
        ):
            raise ValidationError({"line": _("The line is not one of this submission's lines.")})
        if self.site_id is not None and submission is not None and self.site.supplier_id != submission.supplier_id:
            raise ValidationError({"site": _("The site is not one of the supplier's sites.")})
