"""Fixtures of the accounts tests."""

from node_testing import redis_prefix  # noqa: F401  (a fixture: the test's own Redis keys)
