"""The static figures build from the same math, into any folder, and never half-written."""

from __future__ import annotations

import runpy
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_figures_are_written_as_pngs(tmp_path):
    main = runpy.run_path(str(ROOT / "assets" / "figures.py"))["main"]
    assert main(["--out", str(tmp_path)]) == 0
    for name in ("weather_fit.png", "optimizer_race.png"):
        data = (tmp_path / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        assert width > 600 and height > 400
    assert sorted(p.name for p in tmp_path.iterdir()) == ["optimizer_race.png", "weather_fit.png"]


def test_figures_refuse_a_missing_folder(tmp_path, capsys):
    main = runpy.run_path(str(ROOT / "assets" / "figures.py"))["main"]
    assert main(["--out", str(tmp_path / "nope")]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_figures_take_the_palette_without_manim():
    # Importing Manim costs seconds and a Cairo stack; the figures need neither.
    code = "import runpy, sys; runpy.run_path('assets/figures.py'); print('manim' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
