"""A slot's students' user rows and roles in the cache shortly before it starts.

Every request of a signed-in user reads their row and the policy reads their roles (eight
queries); both are cached (``access.backends``, ``access.policy.UserRoles``) and cleared by any
change. Signing in fills them (the landing page asks the policy). A student who signed in hours
before — or whose roles were cleared since by an administrator's change — would be read afresh in
the very minute their slot starts with everyone else's: so the slot's own task fills them
:data:`BEFORE` its start, off the pages' processes.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django_tasks import task, task_backends

from access.backends import remember_user
from access.models import User
from access.policy import UserRoles
from attestation.models import Slot
from core import clock

logger = logging.getLogger(__name__)

BEFORE = timedelta(minutes=15)


@task()
def warm_slot(slot_id: int) -> int:
    """Cache the slot's students' rows and roles; how many. A slot deleted or moved meanwhile warms
    whoever it holds now (nothing, or its new students)."""
    users = list(User.objects.filter(student__exam_sessions__slot_id=slot_id, is_active=True))
    for user in users:
        remember_user(user)
        UserRoles.cached(user)
    logger.info("Warmed %s students of slot %s", len(users), slot_id)
    return len(users)


def schedule(slot: Slot) -> None:
    """After the caller's transaction commits: the slot's warming, due :data:`BEFORE` its start (at
    once when that is past and the slot has not ended). Only where the queue can defer a task: the
    tests' immediate backend would warm inside the request that schedules the slot."""
    if not task_backends[warm_slot.backend].supports_defer:
        return
    now = clock.now()
    if slot.ends_at <= now:
        return
    due = max(slot.starts_at - BEFORE, now)
    transaction.on_commit(lambda: warm_slot.using(run_after=due).enqueue(slot.pk))
