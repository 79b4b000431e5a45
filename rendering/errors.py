"""The error the command line reports as bad input."""


class UsageError(Exception):
    """Bad input: reported as one line with exit code 2."""
