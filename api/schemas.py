"""Request and response schemas of the API; upsert rows are generated from the entity columns."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, create_model

from imports.columns import EXTERNAL_ID_PATTERN, IIN_PATTERN, TEXT_PATTERN, Column
from imports.sync import Entity

MAX_ITEMS = 1000

ExternalId = Annotated[str, Field(pattern=EXTERNAL_ID_PATTERN, max_length=64)]
QueryText = Annotated[str, Field(pattern=TEXT_PATTERN, max_length=50)]


class ErrorDetail(Schema):
    field: str | None = None
    row: int | None = None
    column: str | None = None
    message: str


class Error(Schema):
    code: str
    message: str
    details: list[ErrorDetail] = []


class UpsertedItem(Schema):
    row: int
    key: str
    id: int
    status: Literal["created", "updated", "unchanged"]


class UpsertResult(Schema):
    created: int
    updated: int
    unchanged: int
    items: list[UpsertedItem]


class StreamOut(Schema):
    id: int
    external_id: str | None
    name: str
    discipline: str
    teacher: str
    academic_year: str
    academic_period: int
    groups: list[str]
    is_main: bool
    online: bool
    final_form: str


class SlotOut(Schema):
    id: int
    stream_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    platform: str
    conference_url: str
    students: int


class SessionOut(Schema):
    id: int
    student_id: int
    student_external_id: str | None
    record_book_number: str
    full_name: str
    slot_id: int | None
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None
    ticket_number: int | None
    ticket_at: datetime.datetime | None
    questions_sent_at: datetime.datetime | None
    questions_viewed_at: datetime.datetime | None
    answer_sent_at: datetime.datetime | None
    grade: str | None = Field(None, description="The final-control grade (total); null until graded.")
    grade_written: str | None = Field(None, description="The written part, when the form has one.")
    grade_oral: str | None = Field(None, description="The oral part, when the form has one.")
    absence: str | None = Field(None, description="'excused' or 'unexcused' when the student was absent.")
    graded_at: datetime.datetime | None = None


class GradeRow(Schema):
    stream_id: int
    stream_external_id: str | None
    stream: str
    discipline: str
    academic_year: str
    academic_period: int
    student_id: int
    student_external_id: str | None
    record_book_number: str
    full_name: str
    admitted: bool
    grade: str | None = Field(None, description="The final-control grade (total); null until graded.")
    absence: str | None = Field(None, description="'excused' or 'unexcused' when the student was absent.")


def page_of(item: type, name: str) -> type:
    return create_model(
        name,
        __base__=Schema,
        count=(int, ...),
        limit=(int, ...),
        offset=(int, ...),
        items=(list[item], ...),  # type: ignore[valid-type]
    )


StreamPage = page_of(StreamOut, "StreamPage")
SessionPage = page_of(SessionOut, "SessionPage")
GradePage = page_of(GradeRow, "GradePage")


def _field_type(column: Column) -> Any:
    if column.type == "int":
        return Annotated[int, Field(ge=column.minimum, le=column.maximum)]
    if column.type == "bool":
        return bool
    if column.type == "date":
        return datetime.date
    if column.type == "choice":
        return Literal[column.choices]  # type: ignore[unused-ignore]  # type: ignore[valid-type]
    if column.type == "iin":  # the check digit is the engine's (a row error, like in a file)
        return Annotated[str, Field(pattern=IIN_PATTERN, max_length=12)]
    if column.type == "ref":
        return ExternalId
    if column.type == "refs":
        return Annotated[list[ExternalId], Field(max_length=5000)]
    min_length = 1 if column.required else 0
    return Annotated[str, Field(min_length=min_length, max_length=column.max_length, pattern=TEXT_PATTERN)]


def _camel(kind: str) -> str:
    return "".join(part.title() for part in kind.replace("-", "_").split("_"))


def upsert_schema(entity: Entity) -> type:
    """``{"items": [row, …]}`` with one typed row model per entity."""
    fields = {}
    for column in entity.columns:
        typ = _field_type(column)
        # Another system always names its rows: the API keeps external IDs required (a file from a
        # college without one may omit them and match rows by their natural keys).
        required = column.required or column.name == "external_id"
        fields[column.name] = (typ, ...) if required else (typ | None, None)
    row = create_model(f"{_camel(entity.kind)}Row", __base__=Schema, **fields)  # type: ignore[call-overload]
    return create_model(
        f"{_camel(entity.kind)}Upsert",
        __base__=Schema,
        items=(Annotated[list[row], Field(min_length=1, max_length=MAX_ITEMS)], ...),  # type: ignore[valid-type]
    )
