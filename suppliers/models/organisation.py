"""Who reports: suppliers, their sites and the people who log in."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from suppliers.models.common import code_validator
from suppliers.provinces import PROVINCE_CHOICES, PROVINCES_BY_CODE, Region
from suppliers.uscc import validate_uscc


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
