"""A tiny expression language for the local rule of one quantity.

Each rule is written once, as a tree of these nodes, and rendered in a style: as an
Excel formula (the solution workbook), as text for a hint, and later in other
styles; or evaluated as a number from any values at hand (follow-through marking
on a student's own numbers). One definition, so the renderings cannot drift apart.

A resolver turns an id into what the style shows for it: a defined name in a
formula (the default), a cell address (a training sheet's row), a symbol in text.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

# Binding strength, weakest first. Excel's unary minus binds tighter than '^'
# (=-2^2 is 4), so negation is always written around an atom or a parenthesis.
_CMP, _ADD, _MUL, _NEG, _POW, _ATOM = range(6)


class Style(NamedTuple):
    """How the operators of one rendering look."""

    name: str
    add: str
    sub: str
    mul: str
    div: str
    neg: str
    cmp: str  # the "greater than" of a condition
    arg_sep: str

    def pow(self, base: str, n) -> str:
        if self.name == "text" and n in (2, 3):
            return base + {2: "²", 3: "³"}[n]
        return f"{base}^{n}"


EXCEL = Style("excel", "+", "-", "*", "/", "-", ">", ",")
TEXT = Style("text", " + ", " − ", "·", " / ", "−", " > ", ", ")
STYLES = {"excel": EXCEL, "text": TEXT}

# Expr.fields() of each node class.
_FIELDS: dict[type, tuple[str, ...]] = {}

# refs() of each node asked, by id (see Expr.refs).
_REFS: dict[int, tuple["Expr", tuple[str, ...]]] = {}

# In a formula an id is its defined name; in text, as is, unless a resolver says otherwise.
_SAME: Callable[[str], str] = lambda qid: qid  # noqa: E731


class Expr:
    """A node of a rule. Immutable by convention; compared and hashed by its structure."""

    __slots__ = ()
    prec = _ATOM

    def _key(self):
        return (type(self).__name__,) + tuple(getattr(self, f) for f in self.fields())

    def __eq__(self, other):
        return isinstance(other, Expr) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(repr(getattr(self, f)) for f in self.fields())})"

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        """The node's own data, in constructor order: the slots of its class and of its bases."""
        found = _FIELDS.get(cls)
        if found is None:
            found = _FIELDS[cls] = tuple(f for klass in reversed(cls.__mro__) for f in getattr(klass, "__slots__", ()))
        return found

    def __add__(self, other):
        return Add((self, lift(other)))

    def __radd__(self, other):
        return Add((lift(other), self))

    def __sub__(self, other):
        return Sub(self, lift(other))

    def __rsub__(self, other):
        return Sub(lift(other), self)

    def __mul__(self, other):
        return Mul((self, lift(other)))

    def __rmul__(self, other):
        return Mul((lift(other), self))

    def __truediv__(self, other):
        return Div(self, lift(other))

    def __rtruediv__(self, other):
        return Div(lift(other), self)

    def __neg__(self):
        return Neg(self)

    def __pow__(self, n):
        return Pow(self, n)

    # Renderings -------------------------------------------------------------
    def render(self, style: Style | str = EXCEL, resolve: Callable[[str], str] = _SAME) -> str:
        """The rule in a style; resolve turns each id into a name, an address or a symbol."""
        style = STYLES[style] if isinstance(style, str) else style
        return self._render(style, resolve)

    def _render(self, style: Style, resolve) -> str:
        raise NotImplementedError

    def excel(self, resolve: Callable[[str], str] = _SAME) -> str:
        """The formula body (without '='), over the workbook's defined names by default."""
        return self.render(EXCEL, resolve)

    def text(self, symbols: dict[str, str]) -> str:
        """The rule as a person writes it, with each id shown as its symbol."""
        return self.render(TEXT, lambda qid: symbols.get(qid, qid))

    def value(self, env: dict[str, float]) -> float:
        """The number this rule gives on the values in env (a missing id raises KeyError)."""
        raise NotImplementedError

    def magnitude(self, env: dict[str, float]) -> float:
        """How far the result moves when every cell it reads is off by one unit of relative error.

        A first-order error bound: a result that cancels (0.61 - 0.60) keeps the rounding
        error of its terms, not one relative to itself, so tolerances scale with this as
        well as with the result. Constants are exact; cells may have been rounded.
        """
        return abs(self.value(env))

    def rounding_effect(self, env: dict[str, float], half_units: dict[str, float]) -> float:
        """How far the result can move when each cell in half_units is off by up to that much
        (the rounding of a number typed by hand): a first-order bound like magnitude's, taken
        by nudging each cell in turn, so that it holds for every kind of node."""
        base = self.value(env)
        total = 0.0
        for qid, u in half_units.items():
            if u:
                kept = env[qid]
                try:  # nudged in place and put back: cheaper than a copy of env per call
                    env[qid] = kept + u
                    up = self.value(env)
                    env[qid] = kept - u
                    down = self.value(env)
                finally:
                    env[qid] = kept
                total += max(abs(up - base), abs(down - base))
        return total

    def refs(self) -> tuple[str, ...]:
        """The ids this rule reads, in order of first appearance (kept: a rule is asked often,
        by grading and by the screening of every drawn variant, and never changes)."""
        found = _REFS.get(id(self))
        if found is None or found[0] is not self:
            seen: dict[str, None] = {}
            self._collect(seen)
            found = _REFS[id(self)] = (self, tuple(seen))  # the node kept alive: its id stays its own
        return found[1]

    def children(self) -> tuple["Expr", ...]:
        return ()

    def _collect(self, seen):
        for c in self.children():
            c._collect(seen)

    def _wrap(self, child: "Expr", need: int, style: Style, resolve) -> str:
        body = child._render(style, resolve)
        return f"({body})" if child.prec < need else body


def lift(x) -> Expr:
    return x if isinstance(x, Expr) else Num(float(x))


def _fmt_num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


class Ref(Expr):
    __slots__ = ('id',)

    def __init__(self, id):
        self.id = id

    def _render(self, style, resolve):
        return resolve(self.id)

    def value(self, env):
        return float(env[self.id])

    def _collect(self, seen):
        seen.setdefault(self.id, None)


class Num(Expr):
    __slots__ = ('v',)

    def __init__(self, v):
        self.v = v

    @property
    def prec(self):
        # A negative constant is written with its minus sign: it binds like a negation.
        return _NEG if self.v < 0 else _ATOM

    def _render(self, style, resolve):
        return _fmt_num(self.v)

    def value(self, env):
        return self.v

    def magnitude(self, env):
        return 0.0


class Add(Expr):
    __slots__ = ('terms',)
    prec = _ADD

    def __init__(self, terms):
        self.terms = tuple(terms)

    def children(self):
        return self.terms

    def _render(self, style, resolve):
        return style.add.join(self._wrap(t, _ADD, style, resolve) for t in self.terms)

    def value(self, env):
        return math.fsum(t.value(env) for t in self.terms)

    def magnitude(self, env):
        return math.fsum(t.magnitude(env) for t in self.terms)


class Sub(Expr):
    __slots__ = ('a', 'b',)
    prec = _ADD

    def __init__(self, a, b):
        self.a = a
        self.b = b

    def children(self):
        return (self.a, self.b)

    def _render(self, style, resolve):
        return f"{self._wrap(self.a, _ADD, style, resolve)}{style.sub}{self._wrap(self.b, _MUL, style, resolve)}"

    def value(self, env):
        return self.a.value(env) - self.b.value(env)

    def magnitude(self, env):
        return self.a.magnitude(env) + self.b.magnitude(env)


class Mul(Expr):
    __slots__ = ('factors',)
    prec = _MUL

    def __init__(self, factors):
        self.factors = tuple(factors)

    def children(self):
        return self.factors

    def _render(self, style, resolve):
        return style.mul.join(self._wrap(f, _MUL, style, resolve) for f in self.factors)

    def value(self, env):
        out = 1.0
        for f in self.factors:
            out *= f.value(env)
        return out

    def magnitude(self, env):
        values = [f.value(env) for f in self.factors]
        total = 0.0
        for i, f in enumerate(self.factors):
            others = 1.0
            for j, v in enumerate(values):
                if j != i:
                    others *= abs(v)
            total += f.magnitude(env) * others
        return total


class Div(Expr):
    __slots__ = ('a', 'b',)
    prec = _MUL

    def __init__(self, a, b):
        self.a = a
        self.b = b

    def children(self):
        return (self.a, self.b)

    def _render(self, style, resolve):
        # The divisor binds tighter than anything but an atom: a/(b*c), a/(b/c), a/(-b).
        return f"{self._wrap(self.a, _MUL, style, resolve)}{style.div}{self._wrap(self.b, _POW, style, resolve)}"

    def value(self, env):
        b = self.b.value(env)
        return self.a.value(env) / b if b != 0 else math.nan

    def magnitude(self, env):
        b = self.b.value(env)
        if b == 0:
            return math.inf
        return self.a.magnitude(env) / abs(b) + abs(self.a.value(env)) * self.b.magnitude(env) / b ** 2


class Unary(Expr):
    """A node of one operand, a."""

    __slots__ = ('a',)

    def __init__(self, a):
        self.a = a

    def children(self):
        return (self.a,)


class Neg(Unary):
    __slots__ = ()
    prec = _NEG

    def _render(self, style, resolve):
        return f"{style.neg}{self._wrap(self.a, _ATOM, style, resolve)}"

    def value(self, env):
        return -self.a.value(env)

    def magnitude(self, env):
        return self.a.magnitude(env)


class Pow(Expr):
    __slots__ = ('a', 'n',)
    prec = _POW

    def __init__(self, a, n):
        self.a = a
        self.n = n

    def children(self):
        return (self.a,)

    def _render(self, style, resolve):
        return style.pow(self._wrap(self.a, _ATOM, style, resolve), self.n)

    def value(self, env):
        try:
            return self.a.value(env) ** self.n
        except OverflowError:
            return math.inf

    def magnitude(self, env):
        try:
            return self.n * abs(self.a.value(env)) ** (self.n - 1) * self.a.magnitude(env)
        except OverflowError:
            return math.inf


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    ex = math.exp(x)
    return ex / (1.0 + ex)


class Sigmoid(Unary):
    """The logistic function, written out in the sheet as 1/(1+EXP(-x)) so it reads like the math.

    Rendered, it is a division: it binds like one (a/σ(x) needs parentheses)."""

    __slots__ = ()
    prec = _MUL

    def _render(self, style, resolve):
        inner = self._wrap(self.a, _ATOM, style, resolve)
        if style is EXCEL:
            return f"1/(1+EXP(-{inner}))"
        return f"1 / (1 + e^(−{inner}))"

    def value(self, env):
        return _sigmoid(self.a.value(env))

    def magnitude(self, env):
        s = self.value(env)
        return s * (1.0 - s) * self.a.magnitude(env)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _ln(x: float) -> float:
    return math.log(x) if x > 0 else math.nan


# name: (Excel function, text name, value, derivative for the error bound)
_FUNCTIONS = {
    "exp": ("EXP", "exp", _exp, _exp),
    "ln": ("LN", "ln", _ln, lambda x: 1.0 / x if x > 0 else math.inf),
    "tanh": ("TANH", "tanh", math.tanh, lambda x: 1.0 - math.tanh(x) ** 2),
}


class Func(Expr):
    """A function every spreadsheet has with the same meaning: EXP, LN, TANH."""

    __slots__ = ('name', 'a')

    def __init__(self, name, a):
        if name not in _FUNCTIONS:
            raise ValueError(name)
        self.name = name
        self.a = a

    def children(self):
        return (self.a,)

    def _render(self, style, resolve):
        excel, text_name = _FUNCTIONS[self.name][:2]
        inner = self.a._render(style, resolve)
        return f"{excel}({inner})" if style is EXCEL else f"{text_name}({inner})"

    def value(self, env):
        return _FUNCTIONS[self.name][2](self.a.value(env))

    def magnitude(self, env):
        return abs(_FUNCTIONS[self.name][3](self.a.value(env))) * self.a.magnitude(env)


def exp(a) -> Expr:
    return Func("exp", lift(a))


def ln(a) -> Expr:
    return Func("ln", lift(a))


def tanh(a) -> Expr:
    return Func("tanh", lift(a))


class Relu(Unary):
    """max(0, x): MAX(0,x) in every spreadsheet."""

    __slots__ = ()

    def _render(self, style, resolve):
        inner = self.a._render(style, resolve)
        return f"MAX(0,{inner})" if style is EXCEL else f"max(0, {inner})"

    def value(self, env):
        return max(0.0, self.a.value(env))

    def magnitude(self, env):
        return self.a.magnitude(env) if self.a.value(env) > 0 else 0.0


class Step(Unary):
    """1 where x > 0, else 0 (ReLU's derivative): IF(x>0,1,0)."""

    __slots__ = ()

    def _render(self, style, resolve):
        inner = self.a._render(style, resolve)
        if style is EXCEL:
            return f"IF({inner}>0,1,0)"
        return f"[{inner} > 0]"  # Iverson's bracket: 1 where true, 0 where not (the hint says so in words)

    def value(self, env):
        return 1.0 if self.a.value(env) > 0 else 0.0

    def magnitude(self, env):
        return 0.0  # a step moves only where its input crosses 0, which the exercise avoids


def sum_of(terms) -> Expr:
    terms = tuple(terms)
    return terms[0] if len(terms) == 1 else Add(terms)
