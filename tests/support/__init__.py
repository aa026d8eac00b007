"""Helpers shared by the tests: loopback servers, feed builders, scenarios."""
