"""A supplier's public commitment to green electricity."""

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from suppliers.models.organisation import Supplier


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
