"""What an external verifier does with a run: samples of its lines and what each showed."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reports.models import TONNES, RollupRun
from suppliers.models import Line
from suppliers.roles import AUDITOR

MAX_SAMPLE_SIZE = 1000
MIN_AUDIT_YEAR, MAX_AUDIT_YEAR = 2000, 2100


class AssuranceSample(models.Model):
    """A monetary-unit sample of a run's lines (assurance/sampling.py): the same run, size and
    seed always draw the same lines."""

    run = models.ForeignKey(RollupRun, on_delete=models.PROTECT, related_name="samples", verbose_name=_("roll-up run"))
    size = models.PositiveIntegerField(_("size"), validators=[MinValueValidator(1), MaxValueValidator(MAX_SAMPLE_SIZE)])
    seed = models.BigIntegerField(_("seed"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("drawn by"),
    )
    drawn_at = models.DateTimeField(_("drawn"), auto_now_add=True)
    # Σ a·G·EF of the year's lines the sample was drawn from (the population), tCO2e.
    population_tco2e = models.DecimalField(_("population (tCO2e)"), **TONNES)
    population_lines = models.PositiveIntegerField(_("lines with avoided emissions"))

    class Meta:
        ordering = ["-drawn_at", "-id"]
        verbose_name = _("assurance sample")
        verbose_name_plural = _("assurance samples")
        constraints = [
            models.CheckConstraint(condition=Q(size__gte=1) & Q(size__lte=MAX_SAMPLE_SIZE), name="sample_size_range")
        ]

    def __str__(self) -> str:
        return f"sample #{self.pk} of run #{self.run_id} (size {self.size}, seed {self.seed})"


class SampledLine(models.Model):
    class Result(models.TextChoices):
        PENDING = "pending", _("Not yet checked")
        AGREED = "agreed", _("Agreed")
        EXCEPTION = "exception", _("Exception")

    sample = models.ForeignKey(AssuranceSample, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("drawn as"))  # 1 for the first line drawn
    line = models.ForeignKey(
        Line, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("line")
    )
    # What the line was when drawn, kept if the line is later replaced.
    supplier_code = models.CharField(_("supplier code"), max_length=20)
    site_code = models.CharField(_("site code"), max_length=20)
    period = models.CharField(_("period"), max_length=7)
    avoided_tco2e = models.DecimalField(_("avoided (tCO2e)"), **TONNES)
    tco2_per_mwh = models.DecimalField(_("factor (tCO2/MWh)"), max_digits=8, decimal_places=6)
    result = models.CharField(_("result"), max_length=10, choices=Result, default=Result.PENDING)
    comment = models.TextField(_("comment"), blank=True, max_length=4000)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("checked by"),
    )  # fmt: skip
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)

    class Meta:
        ordering = ["sample", "position"]
        verbose_name = _("sampled line")
        verbose_name_plural = _("sampled lines")
        constraints = [
            models.UniqueConstraint(fields=["sample", "position"], name="sampled_line_position_once"),
            models.CheckConstraint(
                condition=~Q(result="exception") | ~Q(comment=""), name="sampled_line_exception_has_comment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_code}/{self.site_code} {self.period}"


class AuditAssignment(models.Model):
    """A year an administrator lets an auditor (an external verifier) read: an auditor reads the
    runs, lines, evidence and samples of the years assigned, and nothing of the others
    (suppliers.roles.audit_years)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audit_assignments", verbose_name=_("auditor")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(MIN_AUDIT_YEAR), MaxValueValidator(MAX_AUDIT_YEAR)]
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("assigned by"),
    )  # fmt: skip
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)

    class Meta:
        ordering = ["user__email", "-year"]
        verbose_name = _("audit assignment")
        verbose_name_plural = _("audit assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "year"], name="audit_assignment_once_per_year"),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_AUDIT_YEAR) & Q(year__lte=MAX_AUDIT_YEAR), name="audit_assignment_year_range"
            ),
        ]
        # The auditor role's mark (suppliers/roles.py): whoever holds it reads only the years assigned.
        permissions = [("audit_auditassignment", _("Reads only the years assigned to them (auditor)"))]

    def __str__(self) -> str:
        return f"{self.user} {self.year}"

    def clean(self) -> None:
        if self.user_id is not None and not (self.user.is_staff and self.user.groups.filter(name=AUDITOR).exists()):
            raise ValidationError(
                {"user": _("%(user)s is not an auditor: give them the auditor role first.") % {"user": self.user}}
            )
