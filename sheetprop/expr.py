"""A tiny expression language for the local rule of one quantity.

Each rule is written once, as a tree of these nodes, and rendered three ways:
as an Excel formula over defined names (the solution workbook), as a number from
any values at hand (follow-through marking on a student's own numbers), and as
text for a hint. Having one definition means the three cannot drift apart.
"""

from __future__ import annotations

import math

# Binding strength, weakest first. Excel's unary minus binds tighter than '^'
# (=-2^2 is 4), so negation is always written around an atom or a parenthesis.
_ADD, _MUL, _NEG, _POW, _ATOM = range(5)


class Expr:
    """A node of a rule. Immutable by convention; compared and hashed by its structure."""

    __slots__ = ()
    prec = _ATOM

    def _key(self):
        return (type(self).__name__,) + tuple(getattr(self, f) for f in self.__slots__)

    def __eq__(self, other):
        return isinstance(other, Expr) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(repr(getattr(self, f)) for f in self.__slots__)})"

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

    def __neg__(self):
        return Neg(self)

    def __pow__(self, n):
        return Pow(self, n)

    # Renderings -------------------------------------------------------------
    def excel(self) -> str:
        """The formula body (without '='), over the workbook's defined names."""
        raise NotImplementedError

    def text(self, symbols: dict[str, str]) -> str:
        """The rule as a person writes it, with each id shown as its symbol."""
        raise NotImplementedError

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
        """The ids this rule reads, in order of first appearance."""
        seen: dict[str, None] = {}
        self._collect(seen)
        return tuple(seen)

    def _collect(self, seen):
        pass

    def _wrap(self, child: "Expr", need: int, render) -> str:
        body = render(child)
        return f"({body})" if child.prec < need else body


def lift(x) -> Expr:
    return x if isinstance(x, Expr) else Num(float(x))


def _fmt_num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


class Ref(Expr):
    __slots__ = ('id',)

    def __init__(self, id):
        self.id = id

    def excel(self):
        return self.id

    def text(self, symbols):
        return symbols.get(self.id, self.id)

    def value(self, env):
        return float(env[self.id])

    def _collect(self, seen):
        seen.setdefault(self.id, None)


class Num(Expr):
    __slots__ = ('v',)

    def __init__(self, v):
        self.v = v

    def excel(self):
        return _fmt_num(self.v)

    def text(self, symbols):
        return _fmt_num(self.v)

    def value(self, env):
        return self.v

    def magnitude(self, env):
        return 0.0


class Add(Expr):
    __slots__ = ('terms',)

    def __init__(self, terms):
        self.terms = terms

    prec = _ADD

    def excel(self):
        return "+".join(self._wrap(t, _ADD, _excel) for t in self.terms)

    def text(self, symbols):
        return " + ".join(self._wrap(t, _ADD, lambda e: e.text(symbols)) for t in self.terms)

    def value(self, env):
        return math.fsum(t.value(env) for t in self.terms)

    def magnitude(self, env):
        return math.fsum(t.magnitude(env) for t in self.terms)

    def _collect(self, seen):
        for t in self.terms:
            t._collect(seen)


class Sub(Expr):
    __slots__ = ('a', 'b',)

    def __init__(self, a, b):
        self.a = a
        self.b = b

    prec = _ADD

    def excel(self):
        return f"{self._wrap(self.a, _ADD, _excel)}-{self._wrap(self.b, _MUL, _excel)}"

    def text(self, symbols):
        r = lambda e: e.text(symbols)  # noqa: E731
        return f"{self._wrap(self.a, _ADD, r)} − {self._wrap(self.b, _MUL, r)}"

    def value(self, env):
        return self.a.value(env) - self.b.value(env)

    def magnitude(self, env):
        return self.a.magnitude(env) + self.b.magnitude(env)

    def _collect(self, seen):
        self.a._collect(seen)
        self.b._collect(seen)


class Mul(Expr):
    __slots__ = ('factors',)

    def __init__(self, factors):
        self.factors = factors

    prec = _MUL

    def excel(self):
        return "*".join(self._wrap(f, _MUL, _excel) for f in self.factors)

    def text(self, symbols):
        return "·".join(self._wrap(f, _MUL, lambda e: e.text(symbols)) for f in self.factors)

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

    def _collect(self, seen):
        for f in self.factors:
            f._collect(seen)


class Div(Expr):
    __slots__ = ('a', 'b',)

    def __init__(self, a, b):
        self.a = a
        self.b = b

    prec = _MUL

    def excel(self):
        return f"{self._wrap(self.a, _MUL, _excel)}/{self._wrap(self.b, _NEG, _excel)}"

    def text(self, symbols):
        r = lambda e: e.text(symbols)  # noqa: E731
        return f"{self._wrap(self.a, _MUL, r)} / {self._wrap(self.b, _NEG, r)}"

    def value(self, env):
        b = self.b.value(env)
        return self.a.value(env) / b if b != 0 else math.nan

    def magnitude(self, env):
        b = self.b.value(env)
        if b == 0:
            return math.inf
        return self.a.magnitude(env) / abs(b) + abs(self.a.value(env)) * self.b.magnitude(env) / b ** 2

    def _collect(self, seen):
        self.a._collect(seen)
        self.b._collect(seen)


class Neg(Expr):
    __slots__ = ('a',)

    def __init__(self, a):
        self.a = a

    prec = _NEG

    def excel(self):
        return f"-{self._wrap(self.a, _ATOM, _excel)}"

    def text(self, symbols):
        return f"−{self._wrap(self.a, _ATOM, lambda e: e.text(symbols))}"

    def value(self, env):
        return -self.a.value(env)

    def magnitude(self, env):
        return self.a.magnitude(env)

    def _collect(self, seen):
        self.a._collect(seen)


class Pow(Expr):
    __slots__ = ('a', 'n',)

    def __init__(self, a, n):
        self.a = a
        self.n = n

    prec = _POW

    def excel(self):
        return f"{self._wrap(self.a, _ATOM, _excel)}^{self.n}"

    def text(self, symbols):
        sup = {2: "²", 3: "³"}.get(self.n, f"^{self.n}")
        return f"{self._wrap(self.a, _ATOM, lambda e: e.text(symbols))}{sup}"

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

    def _collect(self, seen):
        self.a._collect(seen)


class Sigmoid(Expr):
    """The logistic function, written out in the sheet as 1/(1+EXP(-x)) so it reads like the math."""

    __slots__ = ('a',)

    def __init__(self, a):
        self.a = a



    def excel(self):
        return f"1/(1+EXP(-{self._wrap(self.a, _ATOM, _excel)}))"

    def text(self, symbols):
        return f"1 / (1 + e^(−{self._wrap(self.a, _ATOM, lambda e: e.text(symbols))}))"

    def value(self, env):
        x = self.a.value(env)
        if x >= 0:
            return 1.0 / (1.0 + math.exp(-x))
        ex = math.exp(x)
        return ex / (1.0 + ex)

    def magnitude(self, env):
        s = self.value(env)
        return s * (1.0 - s) * self.a.magnitude(env)

    def _collect(self, seen):
        self.a._collect(seen)


def sum_of(terms) -> Expr:
    terms = tuple(terms)
    return terms[0] if len(terms) == 1 else Add(terms)


def _excel(e: Expr) -> str:
    return e.excel()
