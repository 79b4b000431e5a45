"""Text, formulas and live readouts in the film's typography."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from manim import RIGHT, DecimalNumber, MathTex, Text, VGroup, VMobject

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
                # The zero's own left side bearing is the origin: added back by next_to.
            pen += advance
        group = VGroup(*parts).set_fill(color, opacity=1).set_stroke(width=0)
        group.text = s  # as a Text keeps it
        return group


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
        self.name = Text(name, font=style.FONT, font_size=size, color=color, disable_ligatures=True)
        self.value = Typesetter.get(style.FONT, size).set(self._format(getter()), color)
        self.size, self.color_ = size, color
        self.value.next_to(self.name, RIGHT, buff=0.15)
        self.add(self.name, self.value)
        self.since = 0.0
        self.value.add_updater(self._tick)

    def _format(self, v: float) -> str:
        if self.integer:
            return f"{round(v):,d}"
        if abs(v) < 0.5 * 10 ** (-self.decimals):
            v = 0.0  # "-0.00" and "9.04 × 10⁻⁹" both mean zero on screen
        if abs(v) >= 1e4:
            mantissa, exp = f"{v:.2e}".split("e")
            return f"{mantissa} × 10{str(int(exp)).translate(_SUPERSCRIPT)}"
        return f"{v:,.{self.decimals}f}"

    #: Most refreshes per second of video: a number changing faster cannot be read.
    RATE = 10

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
            new = Typesetter.get(style.FONT, self.size).set(text, self.color_)
            new.next_to(self.name, RIGHT, buff=0.15)
            mob.become(new)
            mob.text = text


class QuickDecimal(DecimalNumber):
    """A :class:`~manim.DecimalNumber` whose ``set_value`` costs a fraction of a millisecond.

    Manim deep-copies a cached TeX glyph for every character of every new value
    (about 5 ms a character: the copy walks the glyph's TeX template and SVG
    settings); a table of numbers redrawn each frame spent most of a scene's render
    there. Here each character is rebuilt from the cached glyph's outline points
    alone, which is all Cairo draws.
    """

    _glyphs: dict = {}

    def _string_to_mob(self, string: str, mob_class=None, **kwargs) -> VMobject:
        mob_class = mob_class or self.mob_class
        key = (mob_class, string, tuple(sorted(kwargs.items(), key=lambda kv: kv[0])))
        glyph = self._glyphs.get(key)
        if glyph is None:
            glyph = self._glyphs[key] = mob_class(string, **kwargs)
        outline = VGroup(
            *[
                VMobject().set_points(part.points.copy()).match_style(part)
                for part in glyph.family_members_with_points()
            ]
        )
        if glyph.height > 0:
            outline.scale(self._font_size / glyph.font_size, about_point=glyph.get_center())
        return outline
