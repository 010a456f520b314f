"""Helpers of the tests that are not tests (docs/testing.md, "Where the tests live").
Fixtures live in conftest.py, where pytest finds them; nothing here is a test."""
