"""Shared visual language: palette, typography and reusable mobjects."""
