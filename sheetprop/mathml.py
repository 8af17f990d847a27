"""A rule of the graph as MathML: typeset math that a browser draws with no script and no network.

MathML is a tree (a fraction holds its numerator and denominator, a power its base and
exponent), not a string of operators, so it is drawn here by walking the rule's nodes
rather than through expr.py's operator table; precedence and the nodes' meaning stay in
expr.py. A resolver turns each id into the markup shown for it: its symbol, or a number.
"""

from __future__ import annotations

from html import escape
from typing import Callable

from .expr import Add, Div, Expr, Func, Mul, Neg, Num, Pow, Ref, Relu, Sigmoid, Step, Sub

_FUNCTION_NAMES = {"exp": "exp", "ln": "ln", "tanh": "tanh"}
_SUBSCRIPT_DIGITS = "₀₁₂₃₄₅₆₇₈₉"
_PLAIN_DIGITS = str.maketrans(_SUBSCRIPT_DIGITS, "0123456789")


def mi(name: str) -> str:
    return f"<mi>{escape(name)}</mi>"


def mo(op: str) -> str:
    return f"<mo>{escape(op)}</mo>"


def mn(text: str) -> str:
    return f"<mn>{escape(text)}</mn>"


def row(*parts: str) -> str:
    return "<mrow>" + "".join(parts) + "</mrow>"


def paren(body: str) -> str:
    return row(mo("("), body, mo(")"))


def symbol(sym: str) -> str:
    """Mazur's symbols as MathML: out_h1 -> out with subscript h1, ∂E_total/∂w₅ as a fraction."""
    if "/" in sym:
        top, bottom = sym.split("/", 1)
        return f"<mfrac>{symbol(top)}{symbol(bottom)}</mfrac>"
    if sym.endswith("⁺"):
        return f"<msup>{symbol(sym[:-1])}{mo('+')}</msup>"
    lead = ""
    if sym.startswith("∂"):
        lead, sym = mo("∂"), sym[1:]
    base, _, sub = sym.partition("_")
    digits = len(base) - len(base.rstrip(_SUBSCRIPT_DIGITS))
    if not sub and digits:  # w₅: a subscript written as a character
        body = f"<msub>{mi(base[:-digits])}{mn(base[-digits:].translate(_PLAIN_DIGITS))}</msub>"
    else:
        body = f"<msub>{mi(base)}{mi(sub)}</msub>" if sub else mi(base)
    return row(lead, body) if lead else body


def number(v: float, digits: int = 6) -> str:
    """A number to substitute: negative ones in parentheses, as they are written by hand."""
    text = f"{v:.{digits}g}".replace("-", "−")
    return paren(mn(text)) if v < 0 else mn(text)


def render(expr: Expr, resolve: Callable[[str], str]) -> str:
    """The rule's MathML body (an <mrow>), without the enclosing <math>."""
    return _node(expr, resolve)


def _wrap(child: Expr, need: int, resolve) -> str:
    body = _node(child, resolve)
    return paren(body) if child.prec < need else body


def _node(e: Expr, resolve) -> str:
    if isinstance(e, Ref):
        return resolve(e.id)
    if isinstance(e, Num):
        text = (str(int(e.v)) if float(e.v).is_integer() else repr(float(e.v))).replace("-", "−")
        return mn(text)
    if isinstance(e, Add):
        return row(*_joined(mo("+"), (_wrap(t, Add.prec, resolve) for t in e.terms)))
    if isinstance(e, Sub):
        return row(_wrap(e.a, Add.prec, resolve), mo("−"), _wrap(e.b, Mul.prec, resolve))
    if isinstance(e, Mul):
        return row(*_joined(mo("·"), (_wrap(f, Mul.prec, resolve) for f in e.factors)))
    if isinstance(e, Div):  # a fraction bar groups both sides: no parentheses needed
        return f"<mfrac>{_node(e.a, resolve)}{_node(e.b, resolve)}</mfrac>"
    if isinstance(e, Neg):
        return row(mo("−"), _wrap(e.a, Pow.prec + 1, resolve))
    if isinstance(e, Pow):
        return f"<msup>{_wrap(e.a, Pow.prec + 1, resolve)}{mn(str(e.n))}</msup>"
    if isinstance(e, Sigmoid):
        exponent = row(mo("−"), _wrap(e.a, Pow.prec + 1, resolve))
        power = f"<msup>{mi('e')}{exponent}</msup>"
        return f"<mfrac>{mn('1')}{row(mn('1'), mo('+'), power)}</mfrac>"
    if isinstance(e, Func):
        if e.name == "exp":
            return f"<msup>{mi('e')}{_node(e.a, resolve)}</msup>"
        return row(mi(_FUNCTION_NAMES[e.name]), paren(_node(e.a, resolve)))
    if isinstance(e, Relu):
        return row(mi("max"), paren(row(mn("0"), mo(","), _node(e.a, resolve))))
    if isinstance(e, Step):  # ReLU's derivative: 1 where net > 0, else 0
        cond = row(_node(e.a, resolve), mo(">"), mn("0"))
        return row(mo("["), cond, mo("]"))
    raise TypeError(f"no MathML for {type(e).__name__}")


def _joined(sep: str, parts) -> list[str]:
    out: list[str] = []
    for p in parts:
        if out:
            out.append(sep)
        out.append(p)
    return out


def math(body: str, display: bool = False) -> str:
    attrs = ' display="block"' if display else ""
    return f"<math{attrs}>{body}</math>"
