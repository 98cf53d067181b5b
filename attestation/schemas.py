"""What the exam page's JSON endpoints accept, checked at the edge before any rule runs.

pydantic parses the raw body itself: its JSON parser bounds nesting (a 5,000-deep array is a
validation error, not a RecursionError), and strict types refuse 1e308, Infinity or true as a
version instead of letting them overflow a database integer.
"""

from pydantic import BaseModel, ConfigDict, Field, ValidationError

# A draft's version is stored in a 32-bit integer column on every database.
VERSION_MAX = 2**31 - 1


class DraftIn(BaseModel):
    """X-1: one autosave. The text's length is judged after sanitising (``answers.draft_too_long``)."""

    model_config = ConfigDict(strict=True, extra="ignore")

    version: int = Field(default=0, ge=0, le=VERSION_MAX)
    text: str = ""


def parse_draft(body: bytes) -> DraftIn | None:
    """The autosave's payload, or None when it is not a well-formed draft."""
    try:
        return DraftIn.model_validate_json(body or b"{}")
    except (ValidationError, ValueError):
        return None
