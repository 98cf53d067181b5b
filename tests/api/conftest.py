import pytest
from django.core.cache import cache
from django.test import Client

from api.models import ApiToken


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token_client(college):
    """``token_client("teacher")`` → a test client sending that persona's new API token."""

    def _make(persona, secret=None):
        if secret is None:
            _token, secret = ApiToken.issue(name=f"{persona} integration", user=college.users[persona])
        return Client(headers={"Authorization": f"Bearer {secret}"})

    return _make
