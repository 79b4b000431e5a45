"""Seattle daily weather 2012-2015 (NOAA public-domain records), prepared with pandas.

Carried offline by the ``vega_datasets`` package (``seattle-weather``): no
download at run time. The task is to predict tomorrow's maximum temperature
from today's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

SOURCE = (
    "Seattle daily weather 2012-2015, NOAA public-domain records (vega_datasets 'seattle-weather')"
)


@dataclass(frozen=True, eq=False)
class Dataset:
    """Inputs ``x`` and targets ``y`` (1-D arrays of equal length) and where they come from."""

    x: np.ndarray
    y: np.ndarray
    source: str
    x_label: str
    y_label: str

    def __len__(self) -> int:
        return len(self.x)

    @property
    def X(self) -> np.ndarray:
        """The inputs as a design matrix ``(n, 1)``, as a network takes them."""
        return self.x[:, None]

    def least_squares(self) -> tuple[float, float]:
        """``(w, b)`` minimizing the MSE, from :func:`numpy.linalg.lstsq`."""
        design = np.column_stack([self.x, np.ones_like(self.x)])
        (w_, b_), *_ = np.linalg.lstsq(design, self.y, rcond=None)
        return float(w_), float(b_)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``x``, ``y`` and ``source``."""
        return {"x": self.x.tolist(), "y": self.y.tolist(), "source": self.source}


@cache
def seattle_weather() -> Dataset:
    """Today's ``temp_max`` (x) against tomorrow's (y), in degrees Celsius.

    Prepared with pandas as a user would: sort by date, shift the column by one
    day for the target, and drop the last row, which has no tomorrow.
    """
    from vega_datasets import local_data  # imported lazily: pandas is slow to load

    df = local_data.seattle_weather().sort_values("date").reset_index(drop=True)
    df["temp_max_tomorrow"] = df["temp_max"].shift(-1)
    df = df.iloc[:-1]
    return Dataset(
        x=df["temp_max"].to_numpy(dtype=float),
        y=df["temp_max_tomorrow"].to_numpy(dtype=float),
        source=SOURCE,
        x_label="today's max temperature (°C)",
        y_label="tomorrow's max temperature (°C)",
    )
