"""What the numbers mean: emission factors, published figures and stored roll-up runs."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outbox.models import EmailClaim
from suppliers.models import Site, Supplier
from suppliers.provinces import PROVINCE_CHOICES, Region

TONNES = {"max_digits": 24, "decimal_places": 6}


def factor_place_choices() -> list[tuple[str, str]]:
    """A factor's place: NATIONAL, a regional grid, or a province (its GB/T 2260 code)."""
    return [*Region.choices, *((code, f"{code} {name}") for code, name in PROVINCE_CHOICES)]


class EmissionFactor(models.Model):
    class Kind(models.TextChoices):
        AVERAGE = "average", _("Average (the grid's average factor)")
        RESIDUAL = "residual", _("Residual (electricity without a green claim)")

    # The file column is `region`; a factor's place may also be a province.
    region = models.CharField(_("place"), max_length=10, choices=factor_place_choices)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind, default=Kind.AVERAGE)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    tco2_per_mwh = models.DecimalField(
        _("tCO2/MWh"),
        max_digits=8,
        decimal_places=6,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(2))],
    )
    source = models.TextField(_("source"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "kind", "region"]
        verbose_name = _("emission factor")
        verbose_name_plural = _("emission factors")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "kind"], name="emission_factor_unique_per_place_year_kind"
            ),
            models.CheckConstraint(
                condition=Q(tco2_per_mwh__gte=0) & Q(tco2_per_mwh__lte=2), name="emission_factor_plausible"
            ),
            models.CheckConstraint(condition=~Q(source=""), name="emission_factor_has_source"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year} {self.kind}: {self.tco2_per_mwh}"


class PublishedFigure(models.Model):
    """The reduction the company published for a year: what the roll-up is compared with."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    tco2e = models.DecimalField(_("tCO2e"), max_digits=18, decimal_places=3, validators=[MinValueValidator(Decimal(0))])
    source = models.TextField(_("source"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year"]
        verbose_name = _("published figure")
        verbose_name_plural = _("published figures")
        constraints = [models.CheckConstraint(condition=~Q(source=""), name="published_figure_has_source")]

    def __str__(self) -> str:
        return f"{self.year}: {self.tco2e} tCO2e"


class RollupRun(models.Model):
    """One computed roll-up, written whole in one transaction and never changed afterwards.

    A run with the same inputs as the newest run of its year is not written again (a task that
    runs twice gives one result); changed inputs give a new run beside the old one.
    """

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.SUCCEEDED)
    error = models.TextField(_("error"), blank=True)
    method_version = models.CharField(_("method version"), max_length=20)
    # The settings the run used (method version 2 on; blank for runs of version 1).
    irec_last_year = models.PositiveSmallIntegerField(_("last year of I-RECs"), null=True, blank=True)
    input_fingerprint = models.CharField(_("input fingerprint"), max_length=64)
    line_count = models.PositiveIntegerField(_("lines used"), default=0)
    factors_used = models.JSONField(_("factor values used"), default=list, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    trigger = models.CharField(_("trigger"), max_length=100, blank=True)
    task_id = models.CharField(_("task ID"), max_length=255, blank=True)

    # The portfolio's figures, exact (runs of version 1: as their JSON holds them, to 3 decimals; empty
    # for failed runs and for the figures version 1 did not have):
    # what the pages, reports and exports read. `result` is the same as the JSON of docs/formats.md.
    suppliers_reporting = models.PositiveIntegerField(_("suppliers reporting"), null=True, blank=True)
    suppliers_with_baseline = models.PositiveIntegerField(_("suppliers with a baseline"), null=True, blank=True)
    baseline_suppliers_not_reporting = models.PositiveIntegerField(
        _("baseline suppliers not reporting"), null=True, blank=True
    )
    electricity_mwh = models.DecimalField(_("electricity (MWh)"), **TONNES, null=True, blank=True)
    green_mwh = models.DecimalField(_("green electricity (MWh)"), **TONNES, null=True, blank=True)
    attributable_electricity_mwh = models.DecimalField(
        _("attributable electricity (MWh)"), **TONNES, null=True, blank=True
    )
    attributable_green_mwh = models.DecimalField(
        _("attributable green electricity (MWh)"), **TONNES, null=True, blank=True
    )
    location_based_tco2e = models.DecimalField(_("location-based (tCO2e)"), **TONNES, null=True, blank=True)
    market_based_tco2e = models.DecimalField(_("market-based (tCO2e)"), **TONNES, null=True, blank=True)
    avoided_tco2e = models.DecimalField(_("avoided (tCO2e)"), **TONNES, null=True, blank=True)
    baseline_avoided_tco2e = models.DecimalField(
        _("avoided in the baseline year (tCO2e)"), **TONNES, null=True, blank=True
    )
    green_reduction_tco2e = models.DecimalField(_("green-power reduction (tCO2e)"), **TONNES, null=True, blank=True)
    absolute_reduction_tco2e = models.DecimalField(_("absolute reduction (tCO2e)"), **TONNES, null=True, blank=True)
    like_for_like_green_tco2e = models.DecimalField(_("like-for-like green (tCO2e)"), **TONNES, null=True, blank=True)
    baseline_factor_change_tco2e = models.DecimalField(
        _("baseline factor change (tCO2e)"), **TONNES, null=True, blank=True
    )
    new_entrants_avoided_tco2e = models.DecimalField(_("new entrants (tCO2e)"), **TONNES, null=True, blank=True)
    double_claimed_mwh = models.DecimalField(_("double-claimed (MWh)"), **TONNES, null=True, blank=True)
    ineligible_irec_mwh = models.DecimalField(_("ineligible I-RECs (MWh)"), **TONNES, null=True, blank=True)
    double_claimed_tco2e = models.DecimalField(_("double-claimed (tCO2e)"), **TONNES, null=True, blank=True)
    ineligible_irec_tco2e = models.DecimalField(_("ineligible I-RECs (tCO2e)"), **TONNES, null=True, blank=True)
    activity_tco2e = models.DecimalField(_("activity effect (tCO2e)"), **TONNES, null=True, blank=True)
    green_share_tco2e = models.DecimalField(_("green share effect (tCO2e)"), **TONNES, null=True, blank=True)
    grid_factor_tco2e = models.DecimalField(_("grid factor effect (tCO2e)"), **TONNES, null=True, blank=True)
    reported_tco2e = models.DecimalField(_("published figure (tCO2e)"), **TONNES, null=True, blank=True)
    variance_pct = models.DecimalField(_("variance (%)"), **TONNES, null=True, blank=True)
    range_low_tco2e = models.DecimalField(_("range, low (tCO2e)"), **TONNES, null=True, blank=True)
    range_high_tco2e = models.DecimalField(_("range, high (tCO2e)"), **TONNES, null=True, blank=True)

    class Meta:
        ordering = ["-year", "-finished_at", "-id"]
        get_latest_by = ["finished_at", "id"]
        verbose_name = _("roll-up run")
        verbose_name_plural = _("roll-up runs")
        indexes = [
            models.Index(fields=["year", "baseline_year", "method_version", "-finished_at"], name="rollup_run_latest")
        ]

    def __str__(self) -> str:
        return f"{self.year} run #{self.pk}"


class RollupSensitivity(models.Model):
    """The headline of a run under one alternative choice (docs/method.md, sensitivity)."""

    class Variant(models.TextChoices):
        REGIONAL_FACTORS = "regional_factors", _("Regional factors (province factors left out)")
        AVERAGE_FACTOR_MARKET_BASED = "average_factor_market_based", _("Average factor for market-based figures")
        IREC_WITHOUT_CUTOFF = "irec_without_cutoff", _("I-RECs without the cut-off year")

    run = models.ForeignKey(RollupRun, on_delete=models.CASCADE, related_name="sensitivity")
    variant = models.CharField(max_length=40, choices=Variant)
    green_reduction_tco2e = models.DecimalField(**TONNES)
    absolute_reduction_tco2e = models.DecimalField(**TONNES)

    class Meta:
        ordering = ["run", "variant"]
        constraints = [models.UniqueConstraint(fields=["run", "variant"], name="rollup_sensitivity_once_per_run")]

    def __str__(self) -> str:
        return f"run #{self.run_id} {self.variant}"


class RollupSupplierResult(models.Model):
    run = models.ForeignKey(RollupRun, on_delete=models.CASCADE, related_name="supplier_results")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="+")
    has_baseline = models.BooleanField()
    attributable_electricity_mwh = models.DecimalField(**TONNES)
    attributable_green_mwh = models.DecimalField(**TONNES)
    location_based_tco2e = models.DecimalField(**TONNES)
    market_based_tco2e = models.DecimalField(**TONNES)
    avoided_tco2e = models.DecimalField(**TONNES)
    baseline_avoided_tco2e = models.DecimalField(**TONNES)
    green_reduction_tco2e = models.DecimalField(**TONNES)
    absolute_reduction_tco2e = models.DecimalField(**TONNES, null=True)
    like_for_like_green_tco2e = models.DecimalField(**TONNES, null=True)
    activity_tco2e = models.DecimalField(**TONNES, null=True)
    green_share_tco2e = models.DecimalField(**TONNES, null=True)
    grid_factor_tco2e = models.DecimalField(**TONNES, null=True)

    class Meta:
        ordering = ["run", "supplier__code"]
        constraints = [models.UniqueConstraint(fields=["run", "supplier"], name="rollup_supplier_once_per_run")]

    def __str__(self) -> str:
        return f"run #{self.run_id} supplier #{self.supplier_id}"


class RollupSiteResult(models.Model):
    """One site's figures in a run: the basis of the per-site and per-region breakdowns."""

    run = models.ForeignKey(RollupRun, on_delete=models.CASCADE, related_name="site_results")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    region = models.CharField(max_length=10, choices=Region)
    electricity_mwh = models.DecimalField(**TONNES)
    green_mwh = models.DecimalField(**TONNES)
    attributable_electricity_mwh = models.DecimalField(**TONNES)
    attributable_green_mwh = models.DecimalField(**TONNES)
    location_based_tco2e = models.DecimalField(**TONNES)
    market_based_tco2e = models.DecimalField(**TONNES)
    avoided_tco2e = models.DecimalField(**TONNES)
    baseline_avoided_tco2e = models.DecimalField(**TONNES)
    green_reduction_tco2e = models.DecimalField(**TONNES)

    class Meta:
        ordering = ["run", "site"]
        constraints = [models.UniqueConstraint(fields=["run", "site"], name="rollup_site_once_per_run")]

    def __str__(self) -> str:
        return f"run #{self.run_id} site #{self.site_id}"


class RollupFlag(models.Model):
    class Code(models.TextChoices):
        NO_BASELINE = "no_baseline", _("No baseline")
        DUPLICATE_CERTIFICATE = "duplicate_certificate", _("Certificate claimed twice")
        FACTOR_FALLBACK = "factor_fallback", _("Emission factor from a fallback")
        NO_RESIDUAL_FACTOR = "no_residual_factor", _("No residual factor loaded")
        IREC_NOT_ELIGIBLE = "irec_not_eligible", _("I-RECs after the cut-off year")
        YOY_OUTLIER = "yoy_outlier", _("Year-on-year outlier")

    run = models.ForeignKey(RollupRun, on_delete=models.CASCADE, related_name="flags")
    code = models.CharField(max_length=30, choices=Code)
    # None for a flag of the whole roll-up (no_residual_factor).
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, null=True, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, related_name="+")
    year = models.PositiveSmallIntegerField()
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "code", "supplier__code", "year"]

    def __str__(self) -> str:
        return f"{self.code} {self.year}"


class RollupRequest(models.Model):
    """Coalesces triggers: one row per year, marked pending while a run is queued for it."""

    year = models.PositiveSmallIntegerField(unique=True)
    pending_since = models.DateTimeField(null=True)
    # The progress that "ask for a fresh run" shows: asked, started, finished, and the run it gave
    # (the newest run again when nothing had changed).
    requested_at = models.DateTimeField(null=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    run = models.ForeignKey("RollupRun", null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.year}: {'pending' if self.pending_since else 'idle'}"


# --- Scheduled reports, reminders and the emails they send ----------------------------------------


class Report(models.Model):
    """A scheduled report of one kind for one period, made once from one stored roll-up run.

    The row is unique per kind and period and is the lock under which its files are written, so
    a job that runs twice, or in two workers at once, makes one report.
    """

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Monthly status report")
        ANNUAL = "annual", _("Annual report")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    # "2026-11" for the monthly report on November 2026, "2024" for the annual report on 2024.
    period_key = models.CharField(_("period"), max_length=7)
    run = models.ForeignKey(RollupRun, on_delete=models.PROTECT, related_name="reports", verbose_name=_("roll-up run"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("scheduled report")
        verbose_name_plural = _("scheduled reports")
        constraints = [
            models.UniqueConstraint(fields=["kind", "period_key"], name="report_once_per_kind_and_period"),
            models.CheckConstraint(
                condition=Q(kind="annual", period_key__regex=r"^[0-9]{4}$")
                | Q(kind="monthly", period_key__regex=r"^[0-9]{4}-(0[1-9]|1[0-2])$"),
                name="report_period_key_fits_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_key}"


def report_upload_to(instance: "ReportFile", filename: str) -> str:
    # Private storage (var/private); served only through the staff download view.
    report = instance.report
    return f"reports/{report.kind}/{report.period_key}/{instance.language}-{uuid.uuid4().hex[:12]}.{instance.format}"


class ReportFile(models.Model):
    """One document of a report: PDF or XLSX, in one language (reports are read in the recipient's)."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "XLSX"

    CONTENT_TYPES = {
        Format.PDF: "application/pdf",
        Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="files", verbose_name=_("report"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    format = models.CharField(_("format"), max_length=4, choices=Format)
    file = models.FileField(_("file"), upload_to=report_upload_to, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["report", "language", "format"]
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        constraints = [
            models.UniqueConstraint(fields=["report", "language", "format"], name="report_file_once_per_language")
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def filename(self) -> str:
        """The name a download is saved under, e.g. annual-report-2024-en.pdf."""
        return f"{self.report.kind}-report-{self.report.period_key}-{self.language}.{self.format}"

    @property
    def content_type(self) -> str:
        return self.CONTENT_TYPES[self.format]


class ReportDelivery(EmailClaim):
    """A report emailed to one recipient: at most one email per report and recipient."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="deliveries")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        ordering = ["report", "recipient"]
        verbose_name = _("report delivery")
        verbose_name_plural = _("report deliveries")
        constraints = [
            models.UniqueConstraint(fields=["report", "recipient"], name="report_delivery_once_per_recipient")
        ]

    def __str__(self) -> str:
        return f"{self.report} → {self.recipient}"


class Reminder(EmailClaim):
    """A reminder to one user of a supplier: once per kind, period, supplier and user; a returned
    submission's reminder once per return (keyed on the submission's version after the return)."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")
        RETURNED = "returned", _("Returned for correction")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    period = models.ForeignKey(
        "suppliers.ReportingPeriod", on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier"))
    submission = models.ForeignKey(
        "suppliers.Submission", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("submission"),
    )  # fmt: skip
    submission_version = models.PositiveIntegerField(_("submission version"), default=0)

    class Meta:
        ordering = ["-claimed_at", "-id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period", "supplier", "submission_version", "recipient"],
                name="reminder_once_per_period_supplier_and_user",
            ),
            models.CheckConstraint(
                condition=Q(kind="returned", submission_version__gt=0)
                | (~Q(kind="returned") & Q(submission_version=0)),
                name="reminder_version_only_for_a_return",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} {self.supplier.code} → {self.recipient}"
