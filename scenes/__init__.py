"""Manim scenes of the explainer, one file per storyboard section."""
