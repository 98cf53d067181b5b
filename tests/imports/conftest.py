import pytest

from tests.api.seed import seed


@pytest.fixture
def admin_client(college, login):
    """The administrator signed in, with the small seeded college (group G1) to import into."""
    seed()
    return login(college.users["admin"])
