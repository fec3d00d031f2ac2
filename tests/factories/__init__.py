"""Helpers that build what tests need, one module per concept; test modules import
from here, never from one another."""
