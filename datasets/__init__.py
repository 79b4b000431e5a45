"""The data the film trains on, loaded from one place.

- :func:`seattle_weather`: today's maximum temperature against tomorrow's
  (NOAA records, carried offline by ``vega_datasets``), for linear regression.
- :func:`moons` and :func:`circles`: seeded two-class toy sets in the plane,
  generated in NumPy, for the neural network.

>>> from datasets import load
>>> data = load("moons", samples=200, seed=0)
>>> data.X.shape, data.y.shape
((200, 2), (200,))
"""

from __future__ import annotations

from datasets.errors import DatasetError
from datasets.toy import CLASSIFICATION, Labeled, circles, load, moons
from datasets.weather import SOURCE as WEATHER_SOURCE
from datasets.weather import Dataset, seattle_weather

__all__ = [
    "CLASSIFICATION",
    "WEATHER_SOURCE",
    "Dataset",
    "DatasetError",
    "Labeled",
    "circles",
    "load",
    "moons",
    "seattle_weather",
]
