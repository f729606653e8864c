"""Guards on chain input (issue 13): unbalanced parentheses (which one, where), exponents too large
to evaluate (``10**10**10`` is refused at once instead of hanging), sums too long for Python's
compiler (parsed in chunks instead of raising ``RecursionError``), and values that are not finite
expressions (``x/0``, relations, booleans).  Every refusal is a one-line ``ValueError`` naming the
input, what is wrong and what is expected."""

from __future__ import annotations

import ast
import io
import math
import tokenize

import sympy as sp

#: Largest |exponent| a constant exponent may have: ``A**1000`` is evaluated exactly at small sizes
#: within the step budget; ``x**(10**10)`` or ``10**10**10`` could never be.
MAX_EXPONENT = 1000
#: Terms of a top-level sum parsed at once (Python's compiler recurses once per operator).
CHUNK_TERMS = 100


def check_parentheses(text: str) -> None:
    """Refuse an unbalanced ``(`` or ``)``, naming it and its position (1-based)."""
    opened: list[int] = []
    for k, ch in enumerate(text):
        if ch == "(":
            opened.append(k)
        elif ch == ")":
            if not opened:
                raise ValueError(
                    f"step {_short(text)}: the ')' at character {k + 1} closes nothing; expected balanced parentheses"
                )
            opened.pop()
    if opened:
        k = opened[-1]
        raise ValueError(
            f"step {_short(text)}: the '(' at character {k + 1} is never closed "
            f"({len(opened)} unclosed); expected balanced parentheses"
        )


def _short(text: str) -> str:
    return repr(text) if len(text) <= 80 else f"{text[:60]!r}... ({len(text)} characters)"


def _constant(node: ast.AST) -> float | None:
    """The value of a constant subexpression (floats; inf where it overflows), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value) if abs(node.value) < 1e308 else math.inf
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _constant(node.operand)
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    if isinstance(node, ast.BinOp):
        a, b = _constant(node.left), _constant(node.right)
        if a is None or b is None:
            return None
        try:
            if isinstance(node.op, ast.Pow):
                if abs(b) > MAX_EXPONENT:
                    return math.inf
                return float(a) ** b if a >= 0 or float(b).is_integer() else None
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                return a * b
            if isinstance(node.op, ast.Div):
                return a / b if b else None
        except (OverflowError, ZeroDivisionError):
            return math.inf
    return None


def check_exponents(text: str) -> None:
    """Refuse a constant exponent over :data:`MAX_EXPONENT` in absolute value (before SymPy tries it)."""
    try:
        tree = ast.parse(text.replace("^", "**"), mode="eval")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return  # the parser proper reports it
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            e = _constant(node.right)
            if e is not None and not abs(e) <= MAX_EXPONENT:
                shown = ast.get_source_segment(text.replace("^", "**"), node.right) or "?"
                raise ValueError(
                    f"step {_short(text)}: the exponent {shown} is too large to evaluate; "
                    f"expected |exponent| <= {MAX_EXPONENT}"
                )


def top_level_terms(text: str) -> list[str] | None:
    """``text`` split before every binary ``+``/``-`` outside parentheses, in chunks of
    :data:`CHUNK_TERMS` terms; None if it has fewer terms than that (parse it whole)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    cuts, depth, prev = [], 0, None
    for tok in tokens:
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        elif (
            tok.type == tokenize.OP
            and tok.string in ("+", "-")
            and depth == 0
            and tok.start[0] == 1
            and prev is not None
            and (prev.type in (tokenize.NAME, tokenize.NUMBER) or prev.string == ")")
        ):
            cuts.append(tok.start[1])
        if tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.INDENT):
            prev = tok
    if len(cuts) < CHUNK_TERMS or "\n" in text.strip():
        return None
    bounds = [0] + cuts[CHUNK_TERMS - 1 :: CHUNK_TERMS] + [len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:]) if text[a:b].strip()]


def check_value(expr, what: str) -> None:
    """Refuse a step that is not a finite expression: relations, booleans, infinities, NaN."""
    boolean = isinstance(expr, sp.logic.boolalg.Boolean) and not isinstance(expr, (sp.Expr, sp.MatrixExpr))
    if (
        isinstance(expr, bool) or boolean or isinstance(expr, sp.core.relational.Relational)
    ):  # a Symbol is a Boolean too
        raise ValueError(
            f"{what} is a {type(expr).__name__} ({sp.sstr(expr)[:60]}), not an expression; "
            "expected the sides as separate steps, e.g. ['x + x', '2*x']"
        )
    if isinstance(expr, sp.Basic) and expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise ValueError(
            f"{what} is undefined or infinite ({sp.sstr(expr)[:60]}: a division by zero or an "
            "infinity); expected a finite expression"
        )
