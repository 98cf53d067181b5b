"""Any change the policy reads starts a new generation of the cached roles (access.policy.UserRoles);
a saved or deleted user is forgotten by the signed-in users' cache (access.backends)."""

from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

from access.backends import forget_users
from access.models import License, Role, RoleModule, User
from access.policy import policy_changed

# A user's signed-in sessions ended: a staff member reset their password, or they changed it
# themselves (``keep_session_key``: the session that stays). Higher apps end what those sessions
# held open (the live streams, ``attestation.live_logins``). Sent after the change is committed.
sessions_ended = Signal()  # sender: User; user, keep_session_key


def _changed(sender: Any, **kwargs: Any) -> None:
    # Now, and again once committed: a request that read the old rows while the transaction was
    # open must not keep them cached under the new generation.
    policy_changed()
    transaction.on_commit(policy_changed)


def _user_changed(sender: Any, instance: User, **kwargs: Any) -> None:
    # Now and once committed, as above: the cached signed-in user must be re-read (access.backends).
    forget_users([instance.pk])
    transaction.on_commit(lambda: forget_users([instance.pk]))


def connect() -> None:
    from college.models import Department, Pcc

    post_save.connect(_user_changed, sender=User, dispatch_uid="auth-user-save")
    post_delete.connect(_user_changed, sender=User, dispatch_uid="auth-user-delete")

    for model in (License, Role, RoleModule, Department, Pcc):
        post_save.connect(_changed, sender=model, dispatch_uid=f"policy-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"policy-delete-{model.__name__}")
    for through in (
        Role.users.through,
        RoleModule.study_periods.through,
        RoleModule.departments.through,
        RoleModule.pccs.through,
    ):
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"policy-m2m-{through.__name__}")
