"""The administrators' changes to API tokens: issue one (its secret shown once) and revoke one.

One function per change with an explicit actor, like ``attestation/services``: each checks the actor
against the policy, writes, and leaves its audit record in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from access.services import require_administrator
from api.models import ApiToken
from audit.models import record


def issue_token(*, actor: Any, name: str, user: Any) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it and its secret (stored only as a hash)."""
    require_administrator(actor)
    with transaction.atomic():
        token, secret = ApiToken.issue(name=name, user=user, created_by=actor)
        record(
            actor=actor,
            action="api.token.create",
            obj=token,
            after={"name": token.name, "user": token.user.username, "prefix": token.prefix},
        )
    return token, secret


def revoke_token(*, actor: Any, token: ApiToken) -> bool:
    """Revoke an active token; False when it was revoked already (nothing changes)."""
    require_administrator(actor)
    if not token.is_active:
        return False
    with transaction.atomic():
        token.revoke()
        record(
            actor=actor,
            action="api.token.revoke",
            obj=token,
            before={"active": True},
            after={"active": False},
        )
    return True
