"""A small college loaded through the upsert engine with external IDs (shared by API and import tests)."""

from imports.entities import ENTITIES
from tests import factories as f

BASE = {
    "departments": [{"external_id": "D1", "name": "IT department (ext)"}],
    "pccs": [{"external_id": "P1", "name": "Programming PCC (ext)"}],
    "specialties": [{"external_id": "S1", "code": "X0613", "name": "Software"}],
    "qualifications": [{"external_id": "Q1", "code": "X4S0613", "name": "Developer", "specialty": "S1"}],
    "study-periods": [{"external_id": "SP1", "name": "1 y 10 m", "months": 22}],
    "groups": [
        {
            "external_id": "G1",
            "name": "PO-99",
            "department": "D1",
            "specialty": "S1",
            "qualification": "Q1",
            "study_period": "SP1",
            "technology": "credit",
            "language": "ru",
            "course": 2,
        }
    ],
    "students": [
        {
            "external_id": f"ST{n}",
            "last_name": f"Surname{n}",
            "first_name": f"Name{n}",
            "patronymic": "",
            "email": f"st{n}@example.kz",
            "record_book_number": f"ZK-{n:03d}",
            "group": "G1",
        }
        for n in range(1, 4)
    ],
    "staff": [{"external_id": "T1", "last_name": "Teacherova", "first_name": "Aigul", "pcc": "P1"}],
    "disciplines": [{"external_id": "DS1", "name": "Algorithms", "pcc": "P1"}],
    "streams": [
        {
            "external_id": "STR1",
            "name": "Algorithms — PO-99",
            "discipline": "DS1",
            "teacher": "T1",
            "academic_year": "2026-2027",
            "academic_period": 1,
            "groups": ["G1"],
        }
    ],
    "journals": [{"stream": "STR1", "final_form": "oral", "conduct_online": True}],
    "admissions": [{"stream": "STR1", "student": "ST3", "admitted": False, "reason": "Debt"}],
    "schedules": [
        {
            "group": "G1",
            "academic_year": "2026-2027",
            "academic_period": 1,
            "attestation_starts_on": "2026-12-20",
            "attestation_ends_on": "2027-01-05",
        }
    ],
}


def ensure_period():
    return f.AcademicPeriodFactory()


def seed(actor=None):
    """Upsert every entity of BASE; returns {kind: Outcome}."""
    ensure_period()
    outcomes = {}
    for kind, rows in BASE.items():
        outcome = ENTITIES[kind].run(list(enumerate(rows, start=1)), actor=actor)
        assert outcome.ok, (kind, outcome.errors)
        outcomes[kind] = outcome
    return outcomes
