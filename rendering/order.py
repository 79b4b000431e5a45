"""The running order: which scenes make the film, and where their files are."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from rendering.errors import UsageError


def load_order(spec: str, root: Path) -> tuple[Any, ...]:
    """``MODULE:ATTR`` or ``path/to/file.py:ATTR`` -> the sequence of entries it names."""
    module_name, _, attr = spec.partition(":")
    attr = attr or "ORDER"
    try:
        if module_name.endswith(".py"):
            path = Path(module_name)
            if not path.is_absolute() and not path.exists():
                path = root / path
        else:
            # By file under root: a module of that name may already be imported from
            # another project (render.py's own scenes package, when --root is another).
            path = root.joinpath(*module_name.split(".")).with_suffix(".py")
            if not path.is_file():
                raise UsageError(f"cannot load the scene order {spec!r}: no {path}")
        mod_spec = importlib.util.spec_from_file_location(f"_gde_order_{path.stem}", path)
        if mod_spec is None or mod_spec.loader is None or not path.exists():
            raise UsageError(f"--order: no such file: {path}")
        module = importlib.util.module_from_spec(mod_spec)
        sys.modules[mod_spec.name] = module  # dataclasses look their module up
        mod_spec.loader.exec_module(module)
        order = tuple(getattr(module, attr))
    except UsageError:
        raise
    except Exception as exc:
        raise UsageError(f"cannot load the scene order {spec!r}: {exc}") from None
    for entry in order:
        for name in ("scene", "path", "section", "section_title"):
            if not hasattr(entry, name):
                raise UsageError(f"scene order {spec!r}: entry {entry!r} has no {name!r}")
    names = [e.scene for e in order]
    if len(set(names)) != len(names):
        raise UsageError(f"scene order {spec!r} names a scene twice")
    return order


def scene_file(entry: Any, root: Path) -> Path:
    path = Path(entry.path)
    return path if path.is_absolute() else root / path
