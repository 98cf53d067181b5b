"""X-12: schemathesis fuzzes every endpoint of the live schema with an administrator's and a
teacher's token: no 5xx, and every response matches the documented status, type and schema."""

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

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def fuzz_tokens(college, settings):
    settings.API_RATE_LIMIT = 100_000
    # As Django's test client does: the WSGI handler must not close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    seed()
    yield [
        ApiToken.issue(name=f"fuzz {persona}", user=college.users[persona])[1]
        for persona in ("admin", "teacher")
    ]
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Loaded at collection from the live app (the schema view touches no database): one test per operation.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


@pytest.mark.req("X-12")
@schema.parametrize()
@settings(max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_api_fuzz(case, fuzz_tokens):
    for secret in fuzz_tokens:
        case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)
