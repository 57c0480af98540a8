"""What the numbers mean: emission factors, published figures and stored roll-up runs."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from suppliers.models import Site, Supplier
from suppliers.provinces import Region

TONNES = {"max_digits": 24, "decimal_places": 6}


class EmissionFactor(models.Model):
    region = models.CharField(_("region"), max_length=10, choices=Region)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    tco2_per_mwh = models.DecimalField(
        _("tCO2/MWh"),
        max_digits=8,
        decimal_places=6,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(2))],
    )
    source = models.TextField(_("source"))
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "region"]
        verbose_name = _("emission factor")
        verbose_name_plural = _("emission factors")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="emission_factor_unique_per_region_year"),
            models.CheckConstraint(
                condition=Q(tco2_per_mwh__gte=0) & Q(tco2_per_mwh__lte=2), name="emission_factor_plausible"
            ),
            models.CheckConstraint(condition=~Q(source=""), name="emission_factor_has_source"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}: {self.tco2_per_mwh}"


class PublishedFigure(models.Model):
    """The reduction the company published for a year: what the roll-up is compared with."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    tco2e = models.DecimalField(_("tCO2e"), max_digits=18, decimal_places=3, validators=[MinValueValidator(Decimal(0))])
    source = models.TextField(_("source"))
    updated_at = models.DateTimeField(auto_now=True)
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
    input_fingerprint = models.CharField(_("input fingerprint"), max_length=64)
    line_count = models.PositiveIntegerField(_("lines used"), default=0)
    factors_used = models.JSONField(_("factor values used"), default=list, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    trigger = models.CharField(_("trigger"), max_length=100, blank=True)
    task_id = models.CharField(max_length=255, blank=True)

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
        YOY_OUTLIER = "yoy_outlier", _("Year-on-year outlier")

    run = models.ForeignKey(RollupRun, on_delete=models.CASCADE, related_name="flags")
    code = models.CharField(max_length=30, choices=Code)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="+")
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

    def __str__(self) -> str:
        return f"{self.year}: {'pending' if self.pending_since else 'idle'}"
