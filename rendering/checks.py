"""Static checks of a scene file before any rendering."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rendering.order import scene_file


@dataclass
class SceneCheck:
    """Whether a scene can be rendered, and if not, why."""

    ok: bool
    error: str = ""


def check_scene(entry: Any, root: Path) -> SceneCheck:
    """Static checks before any rendering: the file exists, parses, and defines the class.

    (Manim itself would quietly render another scene of a one-scene file.)
    """
    path = scene_file(entry, root)
    shown = entry.path
    if not path.is_file():
        return SceneCheck(False, f"{shown} does not exist")
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except SyntaxError as exc:
        return SceneCheck(False, f"{shown}:{exc.lineno}: SyntaxError: {exc.msg}")
    if not any(isinstance(n, ast.ClassDef) and n.name == entry.scene for n in tree.body):
        return SceneCheck(False, f"{shown} defines no class {entry.scene}")
    return SceneCheck(True)
