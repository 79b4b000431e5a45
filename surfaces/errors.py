"""Typed exceptions of the surfaces package."""


class SurfaceError(ValueError):
    """A surface cannot be built or evaluated as asked."""


class UnknownSurfaceError(SurfaceError, KeyError):
    """No surface of that name is registered."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class UnsafeExpressionError(SurfaceError):
    """A custom expression uses something other than arithmetic in x and y."""
