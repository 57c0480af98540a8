"""Tokens for the API: stored as a SHA-256 digest, scoped, expiring, revocable."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """One person's token. The token itself is shown once, when it is made; only its digest
    is stored, so a copy of the database does not give anyone access."""

    class Scope(models.TextChoices):
        SUPPLIER_WRITE = "supplier_write", _("Supplier: read and write the supplier's own figures")
        STAFF_READ = "staff_read", _("Staff: read roll-up runs, results and flags")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("Which system uses it, e.g. “energy management”."))
    scope = models.CharField(_("scope"), max_length=20, choices=Scope)
    # The first characters of the token, shown in lists so that people can tell their tokens apart.
    prefix = models.CharField(_("starts with"), max_length=12)
    digest = models.CharField(_("digest (SHA-256)"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="api_token_expires_later"),
            models.CheckConstraint(condition=Q(digest__regex=r"^[0-9a-f]{64}$"), name="api_token_digest_is_sha256"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
