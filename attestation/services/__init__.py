"""Use cases of the module: one function each, with an explicit actor.

Each checks the actor's permission and the time rules itself, so views, the API and commands
behave the same. A refused action raises :class:`Refused` with a translated message and changes
nothing.
"""


class Refused(Exception):
    """The action is not allowed or the input is wrong; ``message`` is shown to the user."""

    def __init__(self, message, field=None):
        super().__init__(str(message))
        self.message = message
        self.field = field
