"""Errors a user can fix. The CLI prints their message as one sentence, never a traceback."""


class UserError(Exception):
    """A mistake in input, configuration or environment that the user can correct."""
