"""X-12: schemathesis fuzzes every endpoint of the live schema with the token of every persona that
can hold one (every user: students, teachers, registrar, heads, read-mode staff, the administrator,
a user with no role): no 5xx, and every response matches the documented status, type and schema.

Budget (this runs in CI): schemathesis sends each operation its coverage cases (boundary values,
~50–150 per operation, most of them invalid on purpose) and ``max_examples`` random ones.
*Valid* requests (positive cases) go to every persona — that is where what a persona may do
differs. *Invalid* requests (negative cases) are refused by validation before the persona matters,
so each goes to the administrator and to one other persona in turn: every persona still receives
its share of them (about 1/9), at a quarter of the cost of sending all of them to everyone.
"""

import itertools

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import ApiToken
from tests.api.seed import seed
from tests.personas import PERSONAS

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# Every persona but "anonymous" is a user, and any active user can be given a token.
TOKEN_PERSONAS = [persona for persona in PERSONAS if persona != "anonymous"]
OTHERS = [persona for persona in TOKEN_PERSONAS if persona != "admin"]
_turn = itertools.count()


def personas_for(case) -> list[str]:
    meta = case.meta
    if meta is None or meta.generation.mode.is_positive:
        return TOKEN_PERSONAS
    return ["admin", OTHERS[next(_turn) % len(OTHERS)]]


@pytest.fixture
def fuzz_tokens(college, settings):
    settings.API_RATE_LIMIT = 100_000
    # As Django's test client does: the WSGI handler must not close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    seed()
    yield {
        persona: ApiToken.issue(name=f"fuzz {persona}", user=college.users[persona])[1]
        for persona in TOKEN_PERSONAS
    }
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Loaded at collection from the live app (the schema view touches no database): one test per operation.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


@pytest.mark.req("X-12")
@schema.parametrize()
@settings(max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_api_fuzz(case, fuzz_tokens):
    for persona in personas_for(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_tokens[persona]}"}, checks=CHECKS)
