"""The environments the tests build settings from."""

from __future__ import annotations

import os

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_ADMIN_URL = os.environ.get(
    "IDEAS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
TEST_ENVIRON = {"IDEAS_ENV": "test", "SECRET_KEY": "t" * 40, "IDEAS_TIMEZONE": "UTC"}
# Production needs its public origin and a sign-in provider; this one is never
# contacted by these tests.
PRODUCTION_ENVIRON = {
    **TEST_ENVIRON,
    "IDEAS_ENV": "production",
    "IDEAS_BASE_URL": "https://ideas.example.org",
    "GITHUB_CLIENT_ID": "test-client",
    "GITHUB_CLIENT_SECRET": "test-secret",
}
# Redis for the tests that need one (live pages across processes); skipped when it does
# not answer, except under CI=true.
REDIS_TEST_URL = os.environ.get("IDEAS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
