"""Ideas: communities tackle social problems together."""

__version__ = "0.1.0"
