"""Custom surfaces from text, parsed without evaluating any code.

``sympy.sympify`` and ``parse_expr`` call Python's ``eval``; a surface typed on
a command line must not reach it. Instead the text is parsed by :mod:`ast` and
the tree is translated node by node into SymPy, accepting only numbers, the
variables ``x`` and ``y``, the constants ``pi`` and ``e``, arithmetic operators
and a fixed list of elementary functions. Everything else is refused.
"""

from __future__ import annotations

import ast

import sympy as sp

from surfaces.errors import UnsafeExpressionError

X, Y = sp.symbols("x y", real=True)

MAX_LENGTH = 500
# Nesting deeper than this (x**x**...**x) would exhaust SymPy's recursion.
MAX_DEPTH = 32
# Constants beyond float range cannot be evaluated; SymPy would also try to compute
# exp(2**99*log(3)) = 3**(2**99) exactly, which never finishes.
MAX_MAGNITUDE = 1e300
# Constant powers like 9**9**9 would make SymPy build an enormous integer.
MAX_CONSTANT_EXPONENT = 100
# A bounded exponent on a huge base does too: (((9**99)**99)**99)**99. A constant
# power may have at most this natural log of its magnitude (about 10**1000).
MAX_CONSTANT_LOG = 2303

FUNCTIONS = {
    name: getattr(sp, name)
    for name in ("sin cos tan asin acos atan sinh cosh tanh exp log sqrt Abs atan2 Min Max".split())
}
FUNCTIONS["abs"] = sp.Abs
#: How many arguments each function takes: (fewest, most).
ARITY = {name: (1, 1) for name in FUNCTIONS} | {"atan2": (2, 2), "Min": (2, 8), "Max": (2, 8)}
NAMES = {"x": X, "y": Y, "pi": sp.pi, "e": sp.E, "E": sp.E}

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}
_UNARY = {ast.USub: lambda a: -a, ast.UAdd: lambda a: a}


def _check_constant(value: sp.Expr, text: str) -> None:
    """Refuse a constant too large to evaluate, before SymPy tries to compute it exactly."""
    try:
        magnitude = abs(complex(sp.N(value, 15)))
    except (TypeError, ValueError, OverflowError):
        raise UnsafeExpressionError(f"constant {text[:40]!r} cannot be evaluated") from None
    if not magnitude < MAX_MAGNITUDE:
        raise UnsafeExpressionError(f"constant {text[:40]!r} is too large")


def _depth(node: ast.AST) -> int:
    """Nesting depth of the tree, without recursion (a deep tree must not crash the check)."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        n, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((c, d + 1) for c in ast.iter_child_nodes(n))
    return deepest


def _build(node: ast.AST) -> sp.Expr:
    if isinstance(node, ast.Expression):
        return _build(node.body)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise UnsafeExpressionError(
                f"only numbers are allowed as constants, not {node.value!r}"
            )
        if isinstance(node.value, int) and node.value.bit_length() > 996:  # about 1e300
            raise UnsafeExpressionError("a number in the expression is too large")
        # The decimal as typed, exactly: 0.1 is 1/10, not the nearest binary float.
        return (
            sp.Rational(repr(node.value))
            if isinstance(node.value, float)
            else sp.Integer(node.value)
        )
    if isinstance(node, ast.Name):
        if node.id in NAMES:
            return NAMES[node.id]
        raise UnsafeExpressionError(
            f"unknown name {node.id!r}: use x, y, pi, e and the functions {', '.join(sorted(FUNCTIONS))}"
        )
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _build(node.left), _build(node.right)
        if isinstance(node.op, ast.Pow) and right.is_number:
            if abs(complex(right)) > MAX_CONSTANT_EXPONENT:
                raise UnsafeExpressionError(f"exponent {right} is too large")
            if left.is_number and left != 0:
                size = abs(complex(right)) * abs(float(sp.log(abs(left)).evalf()))
                if size > MAX_CONSTANT_LOG:
                    raise UnsafeExpressionError("constant power is too large")
        out = _BINARY[type(node.op)](left, right)
        if out.is_number:
            _check_constant(out, ast.unparse(node))
        return out
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_build(node.operand))
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            what = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise UnsafeExpressionError(f"unknown function {what!r}")
        if node.keywords:
            raise UnsafeExpressionError("keyword arguments are not allowed")
        name, (fewest, most) = node.func.id, ARITY[node.func.id]
        if not fewest <= len(node.args) <= most:
            wanted = str(fewest) if fewest == most else f"{fewest} to {most}"
            raise UnsafeExpressionError(f"{name} takes {wanted} argument(s), got {len(node.args)}")
        args = [_build(a) for a in node.args]
        for a, arg_node in zip(args, node.args, strict=True):
            if a.is_number:
                _check_constant(a, ast.unparse(arg_node))
        if name == "exp" and args[0].is_number and sp.re(sp.N(args[0], 15)) > 690:
            raise UnsafeExpressionError(f"exp({ast.unparse(node.args[0])[:40]}) is too large")
        return FUNCTIONS[name](*args)
    raise UnsafeExpressionError(f"not allowed in a surface expression: {ast.unparse(node)!r}")


def parse_expression(text: str) -> sp.Expr:
    """Parse ``text`` (e.g. ``"x**2 + 3*sin(y)"``) into a SymPy expression in x, y.

    Raises
    ------
    UnsafeExpressionError
        On anything but arithmetic of numbers, x, y, pi, e and elementary functions,
        on syntax errors, and on expressions that are not finite real functions.
    """
    if not isinstance(text, str) or not text.strip():
        raise UnsafeExpressionError("empty expression")
    if len(text) > MAX_LENGTH:
        raise UnsafeExpressionError(f"expression longer than {MAX_LENGTH} characters")
    if not text.isascii():
        # Python folds look-alikes (a full-width x is read as x): refuse them instead.
        raise UnsafeExpressionError("only plain ASCII characters are allowed in an expression")
    # "x^2" means a power to anyone typing maths. Rewritten before parsing, not
    # mapped from Python's XOR, which binds looser than + ("x^2 + 1" is x^(2 + 1)).
    source = text.strip().replace("^", "**")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise UnsafeExpressionError(f"cannot parse {text[:60]!r}: {exc.msg}") from None
    if _depth(tree) > MAX_DEPTH:
        raise UnsafeExpressionError(f"expression nested deeper than {MAX_DEPTH} levels")
    try:
        expr = sp.sympify(_build(tree))
    except TypeError as exc:  # wrong number of arguments to a function
        raise UnsafeExpressionError(f"cannot use {text!r}: {exc}") from None
    if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise UnsafeExpressionError(f"{text!r} is not finite")
    # sqrt(-1), log(-1), asin(2): complex constants would be cast to real, or fail, later.
    if any(a.is_number and a.is_real is False for a in sp.preorder_traversal(expr)):
        raise UnsafeExpressionError(f"{text!r} is not real")
    if not expr.free_symbols <= {X, Y}:
        raise UnsafeExpressionError("only x and y may appear")
    return expr
