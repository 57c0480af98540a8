"""Who reports and what they reported."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Lower
from django.db.models.lookups import Exact, GreaterThanOrEqual
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.exact import Micro, micro_sum
from suppliers.periods import Period, PeriodKind, period_make
from suppliers.provinces import PROVINCE_CHOICES, PROVINCES_BY_CODE, Region
from suppliers.units import EnergyUnit
from suppliers.uscc import validate_uscc

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$",
    _("Use up to 20 letters, digits, dots, dashes or underscores."),
)

# MWh with six decimals holds a kWh figure to the Wh; 14 integer digits are far beyond any site.
MWH = {"max_digits": 20, "decimal_places": 6}
NON_NEGATIVE = [MinValueValidator(Decimal(0))]


class SupplierCategory(models.TextChoices):
    BATTERY_CELLS = "battery_cells", _("Battery cells")
    CATHODE_MATERIALS = "cathode_materials", _("Cathode materials")
    ANODE_MATERIALS = "anode_materials", _("Anode materials")
    ALUMINIUM = "aluminium", _("Aluminium")
    STEEL = "steel", _("Steel")
    GLASS = "glass", _("Glass")
    PLASTICS = "plastics", _("Plastics")
    ELECTRONICS = "electronics", _("Electronics")
    SEATS = "seats", _("Seats and interiors")
    TYRES = "tyres", _("Tyres")
    CASTINGS = "castings", _("Castings and forgings")
    OTHER = "other", _("Other")


class Supplier(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")

    code = models.CharField(_("supplier code"), max_length=20, unique=True, validators=[code_validator])
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    uscc = models.CharField(_("USCC"), max_length=18, unique=True, validators=[validate_uscc])
    category = models.CharField(_("category"), max_length=30, choices=SupplierCategory, default=SupplierCategory.OTHER)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        constraints = [
            models.CheckConstraint(condition=~Q(name_zh="") | ~Q(name_en=""), name="supplier_has_a_name"),
            models.CheckConstraint(
                condition=Q(uscc__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$"), name="supplier_uscc_alphabet"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh or self.name_en}"

    def name_in_language(self) -> str:
        """The name in the reader's language, the other one when that is missing."""
        if get_language() == "zh-hans":
            return self.name_zh or self.name_en
        return self.name_en or self.name_zh


class Site(models.Model):
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="sites", verbose_name=_("supplier"))
    code = models.CharField(_("site code"), max_length=20, validators=[code_validator])
    name = models.CharField(_("site name"), max_length=200)
    province = models.CharField(_("province"), max_length=6, choices=PROVINCE_CHOICES)
    # Derived from the province on save; stored so that roll-ups can group by it in SQL.
    region = models.CharField(_("regional grid"), max_length=10, choices=Region, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["supplier__code", "code"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(fields=["supplier", "code"], name="site_code_unique_per_supplier"),
            models.CheckConstraint(condition=~Q(region=Region.NATIONAL) & ~Q(region=""), name="site_region_is_a_grid"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier.code}/{self.code} {self.name}"

    def save(self, *args, **kwargs) -> None:
        self.region = PROVINCES_BY_CODE[self.province].region
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.province in PROVINCES_BY_CODE:
            self.region = PROVINCES_BY_CODE[self.province].region


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


def commitment_upload_to(instance: "Commitment", filename: str) -> str:
    return f"commitments/{instance.supplier_id}/{uuid.uuid4().hex}"


class Commitment(models.Model):
    """A supplier's public commitment: a green share of its attributable electricity by a year."""

    supplier = models.OneToOneField(
        Supplier, on_delete=models.CASCADE, related_name="commitment", verbose_name=_("supplier")
    )
    committed_on = models.DateField(_("committed on"))
    target_year = models.PositiveSmallIntegerField(
        _("target year"), validators=[MinValueValidator(2019), MaxValueValidator(2060)]
    )
    target_green_share_percent = models.DecimalField(
        _("target green share (%)"),
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("Of the supplier's attributable electricity, 0 to 100."),
    )
    source = models.CharField(_("source"), max_length=500, help_text=_("Where the commitment was made public."))
    evidence = models.FileField(_("evidence file"), upload_to=commitment_upload_to, max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["supplier__code"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_green_share_percent__gte=0) & Q(target_green_share_percent__lte=100),
                name="commitment_share_is_a_percentage",
            ),
            models.CheckConstraint(
                condition=Q(target_year__gte=2019) & Q(target_year__lte=2060), name="commitment_target_year_range"
            ),
        ]

    def __str__(self) -> str:
        return _("%(supplier)s: %(share)s %% by %(year)d") % {
            "supplier": self.supplier.code,
            "share": f"{self.target_green_share_percent.normalize():f}",
            "year": self.target_year,
        }


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: object) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractUser):
    """A person who logs in by email: staff, or a user of exactly one supplier."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    supplier = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name=_("supplier")
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ignoring_case"),
            # Staff see every supplier; a supplier's user sees one. Never both.
            models.CheckConstraint(
                condition=Q(is_staff=False) | Q(supplier__isnull=True), name="user_staff_has_no_supplier"
            ),
        ]

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name or self.email


# The conversation on a submission (its own module; imported here so that Django finds the models).
from suppliers.conversation import MessageDelivery, SubmissionMessage  # noqa: E402, F401
