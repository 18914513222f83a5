"""The command line's own error: a mistake the user can fix, printed as one line with exit code 1."""


class UserError(Exception):
    """A mistake the user can fix; printed as one line, exit code 1."""
