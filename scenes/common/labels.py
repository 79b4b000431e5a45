"""Text, formulas and live readouts in the film's typography."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from manim import RIGHT, UP, MathTex, Text, VGroup, VMobject

from scenes.common import style

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def heading(text: str, size: int = style.HEADING_SIZE, color=style.INK) -> Text:
    """A section or beat heading."""
    return Text(text, font=style.FONT, font_size=size, color=color, disable_ligatures=True)


def label(text: str, size: int = style.LABEL_SIZE, color=style.INK) -> Text:
    """A short label (a few words)."""
    return Text(text, font=style.FONT, font_size=size, color=color, disable_ligatures=True)


def formula(latex: str, scale: float = style.FORMULA_SCALE, color=style.INK, **kwargs) -> MathTex:
    """A formula; pass LaTeX that SymPy produced wherever the code has the expression."""
    return MathTex(latex, color=color, **kwargs).scale(scale)


class Typesetter:
    """Sets short strings (a readout's digits) in the film's font, a glyph at a time.

    Pango typesets each new string in about 15 ms; a readout refreshing ten times a
    second spent more time there than Cairo spent drawing the frame. Each character
    is typeset once, beside two zeros that give its advance and its place on the
    baseline; a string is then its characters' outlines placed one after another, as
    Pango places them (no kerning: the film's font has none between digits).
    """

    _shared: dict[tuple[str, int], Typesetter] = {}

    def __init__(self, font: str, size: int):
        self.font, self.size = font, size
        self.glyphs: dict[str, tuple[np.ndarray | None, float]] = {}
        zeros = self._text("00")
        self.zero_advance = zeros[1].get_left()[0] - zeros[0].get_left()[0]

    @classmethod
    def get(cls, font: str = style.FONT, size: int = style.LABEL_SIZE) -> Typesetter:
        """The typesetter of a font and size, made once per process."""
        key = (font, size)
        if key not in cls._shared:
            cls._shared[key] = cls(font, size)
        return cls._shared[key]

    def _text(self, s: str) -> Text:
        return Text(s, font=self.font, font_size=self.size, disable_ligatures=True)

    def glyph(self, c: str) -> tuple[np.ndarray | None, float]:
        """``c``'s outline (points, its pen position at x = 0 on the baseline y = 0, or
        None for a space) and its advance."""
        if c not in self.glyphs:
            ref = self._text(f"0{c}0")
            first, last = ref[0], ref[-1]
            pen = first.get_left()[0] + self.zero_advance
            advance = last.get_left()[0] - pen
            points = None
            if not c.isspace():
                points = ref[1].points - np.array([pen, first.get_bottom()[1], 0])
            self.glyphs[c] = (points, advance)
        return self.glyphs[c]

    def set(self, s: str, color=style.INK) -> VGroup:
        """``s`` as one outline per character, like ``Text(s)`` but in well under a millisecond."""
        parts, pen = [], 0.0
        for c in s:
            points, advance = self.glyph(c)
            if points is not None:
                parts.append(VMobject().set_points(points + np.array([pen, 0, 0])))
            pen += advance
        group = VGroup(*parts).set_fill(color, opacity=1).set_stroke(width=0)
        group.text = s  # as a Text keeps it
        # How far the baseline is above the bottom, kept as the group moves (not scaled).
        group.below_baseline = -min((p.points[:, 1].min() for p in parts), default=0.0)
        return group

    @staticmethod
    def show(target: VGroup, new: VGroup) -> None:
        """Make ``target`` (a group :meth:`set` made) show ``new``'s glyphs, in place.

        Its glyph objects are reused and surplus ones emptied: Manim draws until the
        end of a play the parts a mobject had when the play began, so swapped-out
        glyphs would stay on screen; and ``become`` would pad a shorter string with
        copies of its glyphs, drawn twice over each other.
        """
        old = list(target.submobjects)
        for i, glyph in enumerate(new.submobjects):
            if i < len(old):
                old[i].set_points(glyph.points)
            else:
                target.add(VMobject().set_points(glyph.points))
        for extra in old[len(new.submobjects) :]:
            extra.clear_points()
        fill = new.submobjects[0] if new.submobjects else None
        if fill is not None:
            target.set_fill(fill.get_fill_color(), opacity=target.get_fill_opacity())
            target.set_stroke(width=0)
        target.text, target.below_baseline = new.text, new.below_baseline

    @staticmethod
    def baseline(group: VGroup) -> float:
        """Where a group :meth:`set` made has its baseline now (a y coordinate)."""
        return group.get_bottom()[1] + group.below_baseline


class Readout(VGroup):
    """``name = value``, the value kept live by ``getter`` (a step count, a loss).

    Numbers too large for fixed notation (a diverging loss) switch to
    scientific notation rather than running off the screen.

    The value's opacity follows the name's on every update (``follow_name``, on by
    default), so the number fades in and out with its label instead of showing at
    full strength while the label is still faint (the rebuilt text is opaque).
    """

    def __init__(
        self,
        name: str,
        getter: Callable[[], float],
        decimals: int = 2,
        color=style.INK,
        size: int = style.LABEL_SIZE,
        integer: bool = False,
        follow_name: bool = True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.getter, self.decimals, self.integer = getter, decimals, integer
        self.follow_name = follow_name
        self.setter = Typesetter.get(style.FONT, size)
        # Pango's layout for the name (it kerns letters); the depth of its baseline is
        # the same as the typesetter's, whose glyphs are Pango's.
        self.name = Text(name, font=style.FONT, font_size=size, color=color, disable_ligatures=True)
        self.name.below_baseline = self.setter.set(name).below_baseline
        self.value = self.setter.set(self._format(getter()), color)
        self.size, self.color_ = size, color
        self.place(self.value)
        self.add(self.name, self.value)
        self.since = 0.0
        self.value.add_updater(self._tick)

    def _format(self, v: float) -> str:
        if self.integer:
            text = f"{round(v):,d}"
        else:
            if abs(v) < 0.5 * 10 ** (-self.decimals):
                v = 0.0  # "-0.00" and "9.04 × 10⁻⁹" both mean zero on screen
            text = f"{v:,.{self.decimals}f}"
            # Too long to read at a glance (a diverging loss): scientific notation, before
            # the number outgrows its place.
            if abs(v) >= 1e4 or len(text.lstrip("-")) > self.LONGEST:
                mantissa, exp = f"{v:.2e}".split("e")
                text = f"{mantissa} × 10{str(int(exp)).translate(_SUPERSCRIPT)}"
        return text.replace("-", "−")  # a minus sign, not a hyphen

    #: The longest fixed-point number shown; longer ones switch to scientific notation.
    LONGEST = 9
    #: Most refreshes per second of video: every frame at 480p15, every other at 1080p60.
    RATE = 30

    def place(self, value: VGroup) -> None:
        """Put ``value`` after the name, on the name's baseline."""
        value.next_to(self.name, RIGHT, buff=0.15)
        value.shift(UP * (Typesetter.baseline(self.name) - Typesetter.baseline(value)))

    def _tick(self, mob, dt: float) -> None:
        self.since += dt
        if dt == 0 or self.since >= 1 / self.RATE:
            self.since = 0.0
            self._refresh(mob)
        if self.follow_name:
            lit = self.name.family_members_with_points()
            if lit:
                mob.set_fill(opacity=lit[0].get_fill_opacity())

    def _refresh(self, mob) -> None:
        text = self._format(self.getter())
        if text != mob.text:
            new = self.setter.set(text, self.color_)
            self.place(new)
            Typesetter.show(mob, new)
