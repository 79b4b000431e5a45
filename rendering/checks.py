"""Static checks of a scene file before any rendering, and the sibling scenes it imports."""

from __future__ import annotations

import ast
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rendering.order import scene_file
from rendering.sources import _under


@dataclass
class SceneCheck:
    """A scene's file, read once: its class is there, and which sibling scenes it imports."""

    ok: bool
    error: str = ""
    imports: list[Path] = field(default_factory=list)


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
    return SceneCheck(True, imports=_sibling_imports(path, tree, root))


def _sibling_imports(path: Path, tree: ast.Module, root: Path) -> list[Path]:
    """Scene modules (``scenes/x.py``, not ``scenes/common``) that a scene file imports."""
    found: list[Path] = []
    todo = [(path, tree)]
    seen = {path}
    while todo:
        current, node_tree = todo.pop()
        for node in ast.walk(node_tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = (
                        ".".join(current.parent.relative_to(root).parts)
                        if _under(current, root)
                        else ""
                    )
                    mod = f"{base}.{node.module}" if node.module else base
                else:
                    mod = node.module or ""
                names = [mod] + [f"{mod}.{a.name}" for a in node.names]
            for name in names:
                parts = name.split(".")
                if len(parts) < 2 or parts[0] != "scenes" or parts[1] == "common":
                    continue
                cand = root / "scenes" / f"{parts[1]}.py"
                if cand.is_file() and cand not in seen:
                    seen.add(cand)
                    found.append(cand)
                    with contextlib.suppress(SyntaxError, OSError):
                        todo.append((cand, ast.parse(cand.read_bytes())))
    return sorted(found)
