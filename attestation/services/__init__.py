"""Use cases of the module: one function each, with an explicit actor.

Each checks the actor's permission and the time rules itself, so views, the API and commands
behave the same. A refused action raises :class:`Refused` with a translated message and changes
nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from access.models import User
    from college.models import Stream


class Refused(Exception):
    """The action is not allowed or the input is wrong; ``message`` is shown to the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        # Per-field (name) or per-cell ((column id, student id)) reasons, when a form refuses several at once.
        self.errors: dict[str | tuple[int, int], str] = {}


class NotAllowed(Refused):
    """The actor may not do this at all (read mode, no grading right): views answer 403, whereas a
    plain :class:`Refused` (wrong input, wrong time) answers 400 with the form kept."""


def require_edit(actor: User, stream: Stream) -> None:
    """X-10, ADM-3: a change to the stream's exam needs edit mode on the stream."""
    from access.policy import access_for

    if not access_for(actor).can_edit_stream(stream):
        raise NotAllowed(_("Read mode: you cannot change anything here."))
