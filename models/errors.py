"""The typed error of :mod:`models`."""


class ModelError(ValueError):
    """A network that cannot be built: bad layer sizes, activation, loss, init or data."""
