"""Render the film: every scene in parallel, cached, joined, chaptered and captioned.

``python render.py --all`` renders each scene of ``scenes/order.py`` in its own Manim
process (``--jobs N`` at a time, or on a Dask cluster with ``--dask ADDRESS``), keeps each
finished scene in a cache under ``DIR/scenes/``, and joins them without re-encoding the
video into ``DIR/gradient-descent-explained.mp4`` with one chapter per storyboard section,
one AAC audio track, ``DIR/gradient-descent-explained.srt`` and ``DIR/chapters.txt``.

Exit codes: 0 done, 1 a scene failed (the others are kept), 2 bad input, 130 interrupted.
"""
