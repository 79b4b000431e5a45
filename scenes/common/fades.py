"""Ending a 2D scene: everything fades together."""

from __future__ import annotations

from manim import FadeIn, FullScreenRectangle, Scene

from scenes.common import style


def fade_out_all(scene: Scene, run_time: float = 0.6) -> None:
    """Fade the whole picture to the background, everything together.

    Updaters are stopped first, and the fade is a full-frame cover rather than
    ``FadeOut`` on each mobject: a live readout rebuilds its text (at full
    opacity) and a path tracer its arrow, and either would stay lit through a
    per-mobject fade.
    """
    for m in scene.mobjects:
        m.clear_updaters()
    cover = FullScreenRectangle(fill_color=style.BACKGROUND, fill_opacity=1, stroke_width=0)
    scene.play(FadeIn(cover), run_time=run_time)
    scene.clear()
