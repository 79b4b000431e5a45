"""The film's running order: every scene, in order, with its storyboard section.

render.py renders exactly this list and makes one chapter per section.
Each entry renders on its own with ``manim render scenes/<file>.py <Scene>``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """One scene: its file under ``scenes/``, its class, and its storyboard section."""

    file: str
    scene: str
    section: int

    @property
    def path(self) -> str:
        return f"scenes/{self.file}"

    @property
    def section_title(self) -> str:
        return SECTIONS[self.section]


#: Storyboard sections (../shared/STORYBOARD.md), by number: the video's chapters.
SECTIONS = {
    0: "Gradient descent, explained",
    1: "The blindfolded mountain climber",
    2: "Derivatives and gradients",
    3: "The learning rate: a Goldilocks problem",
    4: "Landscapes: local minima, saddles and plateaus",
    5: "Beyond plain descent: SGD, Momentum, Adam",
    6: "Neural networks: how AI actually learns",
    7: "From scratch: linear regression on real weather data",
    8: "Batch, stochastic and mini-batch",
    9: "Limitations and what comes next",
}

ORDER: tuple[Entry, ...] = (
    Entry("title.py", "Title", 0),
    Entry("hook.py", "Hook", 1),
    Entry("derivatives.py", "Derivative1D", 2),
    Entry("derivatives.py", "Partials", 2),
    Entry("derivatives.py", "GradientField", 2),
    Entry("learning_rate.py", "LearningRate", 3),
    Entry("landscapes.py", "RastriginClimbers", 4),
    Entry("landscapes.py", "SaddleCrawl", 4),
    Entry("landscapes.py", "PlateauStall", 4),
    Entry("landscapes.py", "RosenbrockZigzag", 4),
    Entry("beyond_descent.py", "SGDEscape", 5),
    Entry("beyond_descent.py", "HeavyBall", 5),
    Entry("beyond_descent.py", "AdamMoments", 5),
    Entry("beyond_descent.py", "OptimizerRace", 5),
    Entry("neural_networks.py", "NetworkLearns", 6),
    Entry("regression.py", "WeatherLine", 7),
    Entry("regression.py", "WeatherBowl", 7),
    Entry("batches.py", "BatchSizes", 8),
    Entry("limitations.py", "DeepGradients", 9),
    Entry("limitations.py", "Conditioning", 9),
    Entry("limitations.py", "BeyondGradients", 9),
    Entry("limitations.py", "Closing", 9),
)
