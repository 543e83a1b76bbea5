"""Fakes shipped for tests: hand-written stand-ins for the ports (no mock.patch)."""
