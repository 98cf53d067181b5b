"""API tokens (X-12). The map from the college's own external IDs to our rows, which the API's
upserts share with the file import, is the import engine's: ``imports.models.ExternalRef``."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX_LENGTH = 8


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A per-integration token: only its sha256 is stored; the secret is shown once at creation.

    The token acts as its user: the user's roles decide, through the one access policy, what it
    may read and write.
    """

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    prefix = models.CharField(_("prefix"), max_length=TOKEN_PREFIX_LENGTH, db_index=True)
    secret_hash = models.CharField(_("secret hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None

    @classmethod
    def issue(cls, *, name: str, user, created_by=None) -> tuple["ApiToken", str]:
        """Create a token; returns it with its secret, which is never stored nor shown again."""
        prefix = secrets.token_hex(TOKEN_PREFIX_LENGTH // 2)
        secret = f"{prefix}.{secrets.token_urlsafe(32)}"
        token = cls.objects.create(
            name=name, user=user, prefix=prefix, secret_hash=hash_secret(secret), created_by=created_by
        )
        return token, secret

    @classmethod
    def find_active(cls, secret: str):
        token = (
            cls.objects.filter(secret_hash=hash_secret(secret), revoked_at__isnull=True)
            .select_related("user")
            .first()
        )
        if token is None or not token.user.is_active:
            return None
        return token

    def revoke(self):
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
