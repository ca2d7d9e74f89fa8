from tests.security.world import world  # noqa: F401  (the fixture, shared by the modules)
