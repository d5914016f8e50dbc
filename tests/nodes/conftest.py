"""Fixtures of the several-nodes tests."""

from node_testing import redis_prefix  # noqa: F401  (a fixture)
