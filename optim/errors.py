"""Typed exceptions of the optimizer core."""


class OptimError(ValueError):
    """An optimizer or run was asked for something it cannot do."""


class UnknownOptimizerError(OptimError, KeyError):
    """No optimizer of that name is registered."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class InvalidParameterError(OptimError):
    """A hyperparameter, start point or step budget is out of range."""
