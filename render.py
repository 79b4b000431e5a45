"""Render the film: every scene in parallel, cached, joined, chaptered and captioned.

``python render.py --all`` (``--list``, ``--scene NAME ...``, ``--help``). The code lives in
the ``rendering`` package; this script is its entry point.
"""

from __future__ import annotations

from rendering.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
