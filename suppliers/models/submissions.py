"""What was reported: periods, submissions, their lines and the certificates each line claims."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact, GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.exact import Micro, micro_sum
from suppliers.models.common import MWH, NON_NEGATIVE
from suppliers.models.organisation import Site, Supplier
from suppliers.periods import Period, PeriodKind, period_make
from suppliers.units import EnergyUnit


class ReportingPeriod(models.Model):
    """A period suppliers report for (a year, quarter or month), with its due date."""

    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=7, choices=PeriodKind)
    number = models.PositiveSmallIntegerField(
        _("number"), help_text=_("0 for a year, 1–4 for a quarter, 1–12 for a month")
    )
    first_month = models.PositiveSmallIntegerField(_("first month"), editable=False)
    last_month = models.PositiveSmallIntegerField(_("last month"), editable=False)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    is_open = models.BooleanField(_("open for submissions"), default=True)

    class Meta:
        ordering = ["year", "first_month", "last_month"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(fields=["year", "kind", "number"], name="reporting_period_unique"),
            models.CheckConstraint(
                condition=(Q(kind=PeriodKind.YEAR, number=0, first_month=1, last_month=12))
                | (
                    Q(
                        kind=PeriodKind.QUARTER,
                        number__gte=1,
                        number__lte=4,
                        first_month=3 * F("number") - 2,
                        last_month=3 * F("number"),
                    )
                )
                | (
                    Q(
                        kind=PeriodKind.MONTH,
                        number__gte=1,
                        number__lte=12,
                        first_month=F("number"),
                        last_month=F("number"),
                    )
                ),
                name="reporting_period_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs) -> None:
        period = self.period
        self.first_month, self.last_month = period.first_month, period.last_month
        super().save(*args, **kwargs)

    @property
    def period(self) -> Period:
        return period_make(self.year, self.kind, self.number)

    @property
    def code(self) -> str:
        return self.period.code


class Submission(models.Model):
    """One supplier's report for one period: its lines are reviewed and approved together."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("supplier")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("reporting period")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    # Optimistic locking: every state change increments it; a stale writer is refused.
    version = models.PositiveIntegerField(default=1, verbose_name=_("version"))
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("submitted"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))
    history = HistoricalRecords()

    # Lines in these states claim their certificates (a draft or returned one does not yet).
    CLAIMING_STATUSES = (Status.SUBMITTED, Status.APPROVED)

    class Meta:
        ordering = ["-period__year", "supplier__code"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(fields=["supplier", "period"], name="submission_unique_per_supplier_period"),
        ]
        indexes = [
            # The review queue: a state's submissions in the order they were sent, and the
            # count of each state, without reading the table.
            models.Index(fields=["status", "submitted_at"], name="submission_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier.code} {self.period.code}"


class Line(models.Model):
    """One site's electricity in one period, in MWh, with the figures as entered kept beside."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="lines", verbose_name=_("submission")
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="lines", verbose_name=_("site"))
    entered_unit = models.CharField(_("unit"), max_length=5, choices=EnergyUnit)
    entered_values = models.JSONField(
        _("figures as entered"),
        default=dict,
        help_text=_("The quantities exactly as the supplier typed them, in their unit."),
    )
    total_electricity_mwh = models.DecimalField(_("total electricity (MWh)"), **MWH, validators=NON_NEGATIVE)
    onsite_renewable_mwh = models.DecimalField(_("on-site renewable (MWh)"), **MWH, default=0, validators=NON_NEGATIVE)
    green_power_trading_mwh = models.DecimalField(
        _("green power trading (MWh)"), **MWH, default=0, validators=NON_NEGATIVE
    )
    gec_mwh = models.DecimalField(
        _("green electricity certificates, GEC (MWh)"), **MWH, default=0, validators=NON_NEGATIVE
    )
    irec_mwh = models.DecimalField(_("I-REC (MWh)"), **MWH, default=0, validators=NON_NEGATIVE)
    bmw_share_percent = models.DecimalField(
        _("BMW share (%)"),
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["submission", "site__code"]
        verbose_name = _("line")
        verbose_name_plural = _("lines")
        constraints = [
            # A site has one line per period (submission = supplier + period).
            models.UniqueConstraint(fields=["submission", "site"], name="line_unique_per_site_period"),
            models.CheckConstraint(
                condition=Q(total_electricity_mwh__gte=0)
                & Q(onsite_renewable_mwh__gte=0)
                & Q(green_power_trading_mwh__gte=0)
                & Q(gec_mwh__gte=0)
                & Q(irec_mwh__gte=0),
                name="line_quantities_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(bmw_share_percent__gte=0) & Q(bmw_share_percent__lte=100), name="line_share_is_a_percentage"
            ),
            # Compared as whole micro-units (portal/exact.py): SQLite adds decimals in floating
            # point, and a 100 %-green line of 0.1 + 0.2 MWh would exceed its 0.3 MWh.
            models.CheckConstraint(
                condition=GreaterThanOrEqual(
                    Micro("total_electricity_mwh"),
                    micro_sum("onsite_renewable_mwh", "green_power_trading_mwh", "gec_mwh", "irec_mwh"),
                ),
                name="line_green_not_above_total",
                violation_error_message=_("The green quantities add up to more than the total electricity."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site.supplier.code}/{self.site.code} {self.submission.period.code}"

    @property
    def green_mwh(self) -> Decimal:
        return self.onsite_renewable_mwh + self.green_power_trading_mwh + self.gec_mwh + self.irec_mwh


class CertificateClaim(models.Model):
    class Instrument(models.TextChoices):
        GEC = "gec", _("Green Electricity Certificate (GEC)")
        IREC = "irec", _("I-REC")

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="certificate_claims", verbose_name=_("line"))
    # Normalised to upper case: the same batch typed in two cases is the same batch.
    batch_id = models.CharField(_("certificate batch ID"), max_length=100, db_index=True)
    instrument = models.CharField(_("instrument"), max_length=4, choices=Instrument)

    class Meta:
        ordering = ["batch_id"]
        verbose_name = _("certificate claim")
        verbose_name_plural = _("certificate claims")
        constraints = [
            models.UniqueConstraint(fields=["line", "batch_id"], name="certificate_claim_once_per_line"),
            models.CheckConstraint(
                condition=Q(batch_id__regex=r"^[A-Z0-9][A-Z0-9._/-]*$"), name="certificate_batch_id_format"
            ),
        ]

    def __str__(self) -> str:
        return self.batch_id


class CertificateRange(models.Model):
    """Certificates a line claims by serial: a single serial or a range FIRST~LAST (suppliers/serials.py).

    A serial is its stem (the text before its final run of digits) and that run; the run is kept
    as text zero-padded to its width, so that any length is exact (the GEC platform's serials are
    32 digits) and, within one (instrument, stem, width), text order is number order: one sort of
    the ranges (reports.selectors.serial_overlaps, over the index certificate_range_key) finds
    every overlap across millions of certificates, on PostgreSQL and SQLite alike.
    """

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="certificate_ranges", verbose_name=_("line"))
    instrument = models.CharField(_("instrument"), max_length=4, choices=CertificateClaim.Instrument)
    stem = models.CharField(_("serial stem"), max_length=100, blank=True)
    width = models.PositiveSmallIntegerField(_("digits"))
    first = models.CharField(_("first number"), max_length=100)
    last = models.CharField(_("last number"), max_length=100)
    count = models.PositiveBigIntegerField(_("certificates"))

    class Meta:
        ordering = ["line", "instrument", "stem", "width", "first"]
        verbose_name = _("certificate range")
        verbose_name_plural = _("certificate ranges")
        indexes = [models.Index(fields=["instrument", "stem", "width", "first"], name="certificate_range_key")]
        constraints = [
            models.CheckConstraint(
                condition=Q(width__gte=1) & Q(count__gte=1) & Q(first__regex=r"^[0-9]+$") & Q(last__regex=r"^[0-9]+$"),
                name="certificate_range_digits",
            ),
            models.CheckConstraint(
                condition=Exact(Length("first"), F("width")) & Exact(Length("last"), F("width")),
                name="certificate_range_width",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        first = f"{self.stem}{self.first}"
        return first if self.first == self.last else f"{first}~{self.stem}{self.last}"
