"""Section 0: the title card, over a real descent drawn faintly behind it."""

from manim import *

from optim import run
from scenes.common import style
from scenes.common.labels import heading, label
from scenes.common.landscape import ContourMap
from scenes.common.narration import NarratedScene
from scenes.common.paths import PathTracer
from surfaces import get


class Title(NarratedScene, Scene):
    surface = "rosenbrock"
    optimizer = "momentum"
    optimizer_params = {"lr": 1.5e-3, "momentum": 0.9}

    def construct(self):
        surface = get(self.surface)
        # The valley sits below the title, so the descent never draws through the letters.
        backdrop = (
            ContourMap(
                surface, heights="log", levels=16, x_length=13, y_length=5.2, stroke_width=1.5
            )
            .set_stroke(opacity=0.35)
            .to_edge(DOWN, buff=0.15)
        )
        traj = run(surface, self.optimizer, steps=400, **self.optimizer_params)
        tracer = PathTracer(
            traj.positions, backdrop.to_scene, color=style.OPTIMIZER_COLORS[self.optimizer]
        )
        tracer.set_stroke(opacity=0.7)
        title = heading("Gradient Descent, Explained", size=style.TITLE_SIZE + 8)
        promise = label(
            "How machines learn by feeling their way downhill", color=style.MUTED, size=28
        )
        card = VGroup(title, promise).arrange(DOWN, buff=0.35).to_edge(UP, buff=0.55)
        plate = BackgroundRectangle(card, color=style.BACKGROUND, fill_opacity=0.75, buff=0.35)

        with self.narrate(
            "Gradient descent: how machines learn by feeling their way downhill."
        ) as beat:
            self.add(backdrop, tracer)
            self.play(
                tracer.walk(run_time=beat.duration * 0.9),
                FadeIn(plate),
                Write(title, run_time=1.5),
                FadeIn(promise, shift=UP * 0.2, run_time=1.5, lag_ratio=0.1),
            )
        self.play(FadeOut(Group(*self.mobjects)), run_time=0.6)
