"""Errors a user can fix. The CLI prints their message as one sentence, never a traceback."""


class UserError(Exception):
    """A mistake in input, configuration or environment that the user can correct."""


class ProcessFailed(Exception):
    """A child process died or failed (killed, out of memory, a crash): not the user's mistake,
    but still one sentence saying what was kept. The CLI prints it and exits 1; the child's own
    log holds any traceback. `cause` is a short word for job logs, e.g. `crawl_killed_SIGKILL`."""

    def __init__(self, message: str, cause: str):
        super().__init__(message)
        self.cause = cause
