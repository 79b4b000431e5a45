"""The typed error of :mod:`datasets`."""


class DatasetError(ValueError):
    """An unknown dataset or an impossible size, noise or seed."""
