"""Render the film: every scene in parallel, cached, joined, chaptered and captioned.

``python render.py --all`` (``--list``, ``--scene NAME ...``, ``--help``). The code lives in
the ``rendering`` package; this script is its entry point, and ``import render`` keeps giving
the names below.
"""

from __future__ import annotations

from rendering.cache import Cache, scene_key, shared_digest
from rendering.captions import format_srt, join_captions, parse_srt, srt_time
from rendering.chapters import Chapter, chapters_for, chapters_text, ffmetadata, youtube_timestamp
from rendering.checks import SceneCheck, check_scene
from rendering.cli import build_parser, main
from rendering.errors import UsageError
from rendering.join import JoinError, join, verify
from rendering.order import load_order, scene_file
from rendering.settings import NAME, PROG, ROOT, VIDEO_TITLE
from rendering.sources import bundle_path, make_bundle
from rendering.worker import render_scene

__all__ = [
    "NAME",
    "PROG",
    "ROOT",
    "VIDEO_TITLE",
    "Cache",
    "Chapter",
    "JoinError",
    "SceneCheck",
    "UsageError",
    "build_parser",
    "bundle_path",
    "chapters_for",
    "chapters_text",
    "check_scene",
    "ffmetadata",
    "format_srt",
    "join",
    "join_captions",
    "load_order",
    "main",
    "make_bundle",
    "parse_srt",
    "render_scene",
    "scene_file",
    "scene_key",
    "shared_digest",
    "srt_time",
    "verify",
    "youtube_timestamp",
]

if __name__ == "__main__":
    raise SystemExit(main())
