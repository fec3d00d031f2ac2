"""Plumbing for the tests: environments, databases, ports and commands."""
