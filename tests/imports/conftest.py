import pytest

from tests.api.seed import seed


@pytest.fixture(autouse=True)
def _imports_inline(settings):
    """Confirmed imports run inside the request here, so a test reads the finished job at once.

    ``test_jobs.py`` turns this off where the real background thread is the point.
    """
    settings.IMPORTS_RUN_INLINE = True


@pytest.fixture
def admin_client(college, login):
    """The administrator signed in, with the small seeded college (group G1) to import into."""
    seed()
    return login(college.users["admin"])
