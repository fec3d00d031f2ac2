"""Helpers that build what tests need, one module per concept; test modules import
from here, never from one another.

Test data is made the way a real round makes it: through the services, each at
a moment its phase allows. A service refuses what its phase does not allow, so
a factory never writes rows behind a service's back: it picks a moment when the
action is allowed, and calls the service then. The conftest fixtures
(``make_user``, ``make_challenge``, ``make_idea``) are thin wrappers over these.
"""
