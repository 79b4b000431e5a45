"""What a scene's picture depends on, read from the source without running it.

A scene depends on its own class and what that class reaches in its file (base classes,
helpers, constants, the imports it uses), on every project module those imports reach,
transitively (whole modules: a package's ``__init__`` included), on the data files those
modules name, and on the versions of the third-party packages they import. A *project
module* is any module under the project folder, found by where its file is, not by a
list of package names.

Code is hashed as its syntax tree without docstrings, so comments, docstrings and
formatting change nothing.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

#: Statements that bind names; any other top-level statement of a scene file is kept
#: whole (it runs when the file is loaded, whatever the scene).
_BINDING = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Assign,
    ast.AnnAssign,
    ast.AugAssign,
    ast.Import,
    ast.ImportFrom,
)


def normalized(tree: ast.AST) -> str:
    """A syntax tree as text, without docstrings, positions or comments.

    Parameters
    ----------
    tree : ast.AST
        A parsed module or statement; it is not changed.

    Returns
    -------
    str
        Equal for two sources that differ only in comments, docstrings and layout.
    """
    tree = ast.parse(ast.unparse(tree))  # a copy, to strip
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree, annotate_fields=False, include_attributes=False)


def digest(text: str | bytes) -> str:
    """A short SHA-256 of text or bytes."""
    data = text.encode() if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()[:32]


@dataclass
class Module:
    """A project module, read once: its file, its tree (None if it does not parse)."""

    name: str
    path: Path
    tree: ast.Module | None
    raw: bytes

    @property
    def package(self) -> str:
        """The package relative imports start from."""
        if self.path.name == "__init__.py":
            return self.name
        return self.name.rpartition(".")[0]

    @cached_property
    def code(self) -> str:
        """The hash of the module's code: its normalized tree, or its bytes if it won't parse."""
        return digest(normalized(self.tree) if self.tree is not None else self.raw)


@dataclass
class Dependencies:
    """What one scene depends on.

    Attributes
    ----------
    parts : dict
        ``label -> hash`` of each piece of code: ``scene:<Class>`` for the scene's own
        statements, ``module:<name>`` for each project module reached.
    data : dict
        ``path (relative to the project) -> hash`` of each data file those read.
    packages : dict
        ``distribution -> version`` of the third-party packages they import.
    modules : list of str
        The project modules reached, sorted.
    """

    parts: dict[str, str] = field(default_factory=dict)
    data: dict[str, str] = field(default_factory=dict)
    packages: dict[str, str] = field(default_factory=dict)
    modules: list[str] = field(default_factory=list)


class Project:
    """The project's Python sources under ``root``, each parsed at most once."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self._modules: dict[str, Module | None] = {}
        self._places: dict[str, bool] = {}

    # -- finding modules ------------------------------------------------------------------------

    def module(self, name: str) -> Module | None:
        """The project module called ``name``, or None if it is not in the project."""
        if name not in self._modules:
            self._modules[name] = self._load(name)
        return self._modules[name]

    def _load(self, name: str) -> Module | None:
        base = self.root.joinpath(*name.split("."))
        for path in (base.with_suffix(".py"), base / "__init__.py"):
            if path.is_file():
                return _read(name, path)
        return None

    def is_project(self, name: str) -> bool:
        """Whether an absolute module name lives in the project (a file, or a folder of them)."""
        if name not in self._places:
            base = self.root.joinpath(*name.split("."))
            self._places[name] = base.with_suffix(".py").is_file() or (
                base.is_dir() and any(base.glob("*.py"))
            )
        return self._places[name]

    def module_for_file(self, path: Path) -> Module:
        """The module of a file: named by its place in the project, or by its stem outside."""
        path = Path(path).resolve()
        try:
            name = ".".join(path.relative_to(self.root).with_suffix("").parts)
        except ValueError:
            name = path.stem
        if name.endswith(".__init__"):
            name = name.removesuffix(".__init__")
        known = self._modules.get(name)
        if known is not None and known.path == path:
            return known
        module = _read(name, path)
        if known is None and self.is_project(name):
            self._modules[name] = module
        return module

    def imports(self, module: Module, nodes: Iterable[ast.AST]) -> tuple[set[str], set[str]]:
        """What the import statements in ``nodes`` load: (project modules, other top names).

        Importing ``a.b.c`` runs ``a``, ``a.b`` and ``a.b.c``; ``from a import b`` also
        runs ``a.b`` when that is a module.
        """
        project: set[str] = set()
        other: set[str] = set()

        def load(name: str) -> None:
            parts = name.split(".")
            if not self.is_project(parts[0]):
                other.add(parts[0])
                return
            for i in range(1, len(parts) + 1):
                if self.module(".".join(parts[:i])) is not None:
                    project.add(".".join(parts[:i]))

        for node in nodes:
            for stmt in ast.walk(node):
                if isinstance(stmt, ast.Import):
                    for alias in stmt.names:
                        load(alias.name)
                elif isinstance(stmt, ast.ImportFrom):
                    base = self._absolute(module, stmt)
                    if base is None:
                        continue
                    load(base)
                    for alias in stmt.names:
                        sub = f"{base}.{alias.name}"
                        if alias.name != "*" and self.is_project(base) and self.module(sub):
                            project.add(sub)
        return project, other

    @staticmethod
    def _absolute(module: Module, stmt: ast.ImportFrom) -> str | None:
        if not stmt.level:
            return stmt.module
        package = module.package.split(".") if module.package else []
        if stmt.level - 1 > len(package):
            return None
        base = package[: len(package) - (stmt.level - 1)]
        if stmt.module:
            base.append(stmt.module)
        return ".".join(base) or None

    # -- what a scene depends on --------------------------------------------------------------

    def scene(self, path: Path, cls: str) -> Dependencies:
        """What the scene class ``cls`` of the file ``path`` depends on."""
        scene_module = self.module_for_file(path)
        deps = Dependencies()
        if scene_module.tree is None:
            deps.parts[f"scene:{cls}"] = digest(scene_module.raw)
            return deps
        statements = scene_statements(scene_module.tree, cls)
        deps.parts[f"scene:{cls}"] = digest(
            "\n".join(normalized(ast.Module([s], [])) for s in statements)
        )
        project, other = self.imports(scene_module, statements)
        reached = self.reach(project)
        reached.discard(scene_module.name)  # a scene file importing itself adds nothing
        sources = [(scene_module, statements)]
        for name in sorted(reached):
            module = self.module(name)
            if module is None:
                continue
            deps.parts[f"module:{name}"] = module.code
            sources.append((module, [module.tree] if module.tree is not None else []))
            other |= self.imports(module, sources[-1][1])[1]
        deps.modules = sorted(reached)
        for module, nodes in sources:
            for f in self.data_files(module, nodes):
                rel = f.relative_to(self.root).as_posix()
                deps.data[rel] = digest(f.read_bytes())
        deps.packages = package_versions(other)
        return deps

    def reach(self, names: Iterable[str]) -> set[str]:
        """Every project module that loading ``names`` loads, ``names`` included."""
        seen: set[str] = set()
        todo = list(names)
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            module = self.module(name)
            if module is not None and module.tree is not None:
                todo.extend(self.imports(module, [module.tree])[0] - seen)
        return seen

    def data_files(self, module: Module, nodes: Iterable[ast.AST]) -> Iterator[Path]:
        """Project files (not Python) whose path appears as a string in ``nodes``.

        A path is tried beside the module and from the project folder, as code usually
        writes them (``Path(__file__).parent / "x.csv"``, ``"data/x.csv"``).
        """
        for node in nodes:
            for const in ast.walk(node):
                if not (isinstance(const, ast.Constant) and isinstance(const.value, str)):
                    continue
                text = const.value
                if not text or len(text) > 200 or "\n" in text or "\0" in text:
                    continue
                for base in (module.path.parent, self.root):
                    try:
                        f = (base / text).resolve()
                        if f.suffix != ".py" and f.is_file() and f.is_relative_to(self.root):
                            yield f
                    except (OSError, ValueError):
                        continue

    def bundle_inputs(self, path: Path) -> set[Path]:
        """The files and folders a scene process needs to load the scene file ``path``.

        Manim runs the whole file, so every module it imports must be there, each with its
        whole top-level package (and whatever data sits in it), and the data files the
        modules name elsewhere in the project.
        """
        module = self.module_for_file(path)
        nodes = [module.tree] if module.tree is not None else []
        found = {module.path}
        for name in self.reach(self.imports(module, nodes)[0]):
            top = self.root / name.split(".")[0]
            found.add(top if top.is_dir() else top.with_suffix(".py"))
            reached = self.module(name)
            if reached is not None and reached.tree is not None:
                found.update(self.data_files(reached, [reached.tree]))
        found.update(self.data_files(module, nodes))
        return found


def _read(name: str, path: Path) -> Module:
    raw = path.read_bytes()
    try:
        tree = ast.parse(raw, filename=str(path))
    except SyntaxError:  # hashed as bytes; the run reports the error when it renders
        tree = None
    return Module(name, path, tree, raw)


def scene_statements(tree: ast.Module, cls: str) -> list[ast.stmt]:
    """The top-level statements of a scene file that the class ``cls`` needs.

    The class itself, every statement binding a name it uses (base classes, helpers,
    constants, imports), transitively, and the statements that bind nothing (they run
    whatever the scene). Other scene classes and what only they use are left out.
    """
    body = [
        s
        for s in tree.body
        if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))  # docstrings
    ]
    # A statement that binds no name (``config.frame_rate = 30``) runs for every scene.
    binds = [(_bound(s) or None) if isinstance(s, _BINDING) else None for s in body]
    keep = {
        i
        for i, s in enumerate(body)
        if binds[i] is None
        or (isinstance(s, ast.ClassDef) and s.name == cls)
        or (isinstance(s, ast.ImportFrom) and any(a.name == "*" for a in s.names))
        or (isinstance(s, ast.ImportFrom) and s.module == "__future__")
    }
    needed: set[str] = set()
    for i in keep:
        needed |= _used(body[i])
    changed = True
    while changed:
        changed = False
        for i, s in enumerate(body):
            if i not in keep and binds[i] and binds[i] & needed:
                keep.add(i)
                needed |= _used(s)
                changed = True
    return [body[i] for i in sorted(keep)]


def _bound(stmt: ast.stmt) -> set[str]:
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {stmt.name}
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).split(".")[0] for a in stmt.names}
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    return {
        n.id
        for t in targets
        for n in ast.walk(t)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }


def _used(stmt: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)}


@cache
def _distributions() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


def package_versions(names: Iterable[str]) -> dict[str, str]:
    """``distribution -> version`` for top-level module names (the standard library left out)."""
    versions = {}
    for name in names:
        if name in sys.stdlib_module_names or name == "__future__":
            continue
        for dist in _distributions().get(name, [name]):
            try:
                versions[dist] = importlib.metadata.version(dist)
            except importlib.metadata.PackageNotFoundError:
                versions[dist] = "not installed"
    return dict(sorted(versions.items()))
