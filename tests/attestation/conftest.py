"""The attestation tests' fixtures (``clock``, ``scheduled``, ``exam``) are shared with other folders,
so they live in tests/conftest.py; ``at`` and ``NOW`` are in tests/exams.py (kept importable here for
the modules that import them from this file)."""

from tests.exams import NOW, at  # noqa: F401
