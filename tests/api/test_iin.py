"""#18.7: a student's IIN through the API — 12 digits with a valid check digit, else a row error;
a valid one is stored and exported (X-12)."""

import pytest

from college import models as c
from tests.api.seed import BASE, seed

pytestmark = pytest.mark.req("X-12")

V1 = "/api/v1"


def put_students(client, rows):
    return client.put(f"{V1}/students", {"items": rows}, content_type="application/json")


def test_the_api_refuses_a_wrong_check_digit_and_stores_a_valid_iin(college, token_client):
    seed()
    client = token_client("admin")
    row = dict(BASE["students"][0], iin="000101500018")  # the check digit should be 1
    response = put_students(client, [row])
    assert response.status_code == 422
    detail = response.json()["details"][0]
    assert (detail["column"], detail["message"]) == (
        "iin",
        "An IIN is 12 digits with a valid check digit: 000101500018",
    )
    assert put_students(client, [dict(row, iin="12345")]).status_code == 422  # not 12 digits
    assert put_students(client, [dict(row, iin="000101500011")]).status_code == 200
    assert c.Student.objects.get(record_book_number="ZK-001").iin == "000101500011"
    export = client.get(f"{V1}/export/students").content.decode()
    assert "000101500011" in export
