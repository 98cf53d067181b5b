"""Signals the college's data sends for the layers above it to act on.

``students_moved`` — students joined or left groups by a single edit (Django's admin): ``moves``
maps a student's pk to (the group before or None for a new student, the group now), ``actor`` is
who made the change. The attestation module keeps the streams built on those groups up to date
(``attestation.services.membership``); bulk changes (the import, the API) call it themselves.
"""

from django.dispatch import Signal

students_moved = Signal()
