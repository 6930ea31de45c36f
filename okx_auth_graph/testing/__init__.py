"""A faithful emulator of the ``okx`` CLI (>= 1.3.1-beta.17) for tests, demos and users."""
