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
CACHE_FORMAT = 2

#: Manim's configuration file, read from the project folder (and a scene's own folder).
CONFIG_FILE = "manim.cfg"
#: The module that speaks: scenes that reach it are narrated, and depend on the voice.
VOICE_MODULE = "scenes.common.speech"
#: Where the scene processes keep spoken clips on a Dask worker (``~`` is the worker's home).
REMOTE_VOICE_CACHE = "~/.cache/gradient-descent-explained/voice"
#: Where the scene processes share compiled formulas on a Dask worker.
REMOTE_TEX_STORE = "~/.cache/gradient-descent-explained/tex"

#: The one audio format of the joined film (scenes are normalized to PCM at this rate first).
AUDIO_RATE = 48000
AUDIO_BITRATE = "128k"
