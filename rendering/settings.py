"""Names, qualities, inputs and the audio format of the film, in one place."""

from __future__ import annotations

from pathlib import Path

#: The project folder (this package sits in it).
ROOT = Path(__file__).resolve().parents[1]
PROG = "render.py"
NAME = "gradient-descent-explained"
VIDEO_TITLE = "Gradient descent, explained"
DEFAULT_ORDER = "scenes.order:ORDER"
QUALITIES = ("l", "m", "h", "p", "k")
#: Bump when the cached scene format changes, so old entries are not reused.
CACHE_FORMAT = 1

#: What every scene may depend on besides its own file (paths relative to the project root).
#: Their content is part of every scene's cache key and travels to the workers.
SHARED_INPUTS = ("manim.cfg", "scenes/__init__.py", "scenes/common", "optim", "surfaces", "assets")
#: Shipped to the workers as well, but only in a key when a scene imports it.
BUNDLE_INPUTS = (*SHARED_INPUTS, "scenes")

#: The one audio format of the joined film (scenes are normalized to PCM at this rate first).
AUDIO_RATE = 48000
AUDIO_BITRATE = "128k"
