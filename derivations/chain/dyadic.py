"""Exact complex dyadic rationals (:class:`_Dyadic`): the first, fastest arithmetic of the exact
re-check in :mod:`.exact_eval` (every float64 of a point is such a number)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np


class _Inexact(Exception):
    """The expression leaves the current exact arithmetic: try the next (see :func:`_exact_differs`)."""


class _Dyadic:
    """An exact complex dyadic rational ``(re + i·im)·2**e`` (Python ints ``re``, ``im``, ``e``).

    Every float is one, and +, -, * keep them exact with plain integer arithmetic (no gcds,
    unlike general rationals, which makes the exact re-check ~10x cheaper); a division leaves
    them (:class:`_Inexact`) and the Gaussian rationals ``QQ_I`` take over."""

    __slots__ = ("re", "im", "e")

    def __init__(self, re: int, im: int, e: int) -> None:
        self.re, self.im, self.e = re, im, e

    @staticmethod
    def of(z) -> "_Dyadic":
        z = complex(z)
        (rp, rq), (ip, iq) = z.real.as_integer_ratio(), z.imag.as_integer_ratio()  # q: powers of 2
        re_, im_ = _Dyadic(rp, 0, 1 - rq.bit_length()), _Dyadic(0, ip, 1 - iq.bit_length())
        return re_ + im_

    @staticmethod
    def _coerce(o) -> "_Dyadic | None":
        if isinstance(o, _Dyadic):
            return o
        if isinstance(o, int):
            return _Dyadic(o, 0, 0)
        return None

    def __add__(self, other):
        o = _Dyadic._coerce(other)
        if o is None:
            return NotImplemented
        a, b = (self, o) if self.e <= o.e else (o, self)
        shift = b.e - a.e
        return _Dyadic(a.re + (b.re << shift), a.im + (b.im << shift), a.e)

    __radd__ = __add__

    def __neg__(self):
        return _Dyadic(-self.re, -self.im, self.e)

    def __sub__(self, other):
        o = _Dyadic._coerce(other)
        return NotImplemented if o is None else self + (-o)

    def __rsub__(self, other):
        o = _Dyadic._coerce(other)
        return NotImplemented if o is None else o + (-self)

    def __mul__(self, other):
        o = _Dyadic._coerce(other)
        if o is None:
            return NotImplemented
        return _Dyadic(self.re * o.re - self.im * o.im, self.re * o.im + self.im * o.re, self.e + o.e)

    __rmul__ = __mul__

    def __pow__(self, k: int):
        if k < 0:
            raise _Inexact("a negative power")
        out = _Dyadic(1, 0, 0)
        for _ in range(k):
            out = out * self
        return out

    def __bool__(self) -> bool:
        return bool(self.re) or bool(self.im)

    def __abs__(self) -> float:
        scale = Fraction(2) ** self.e
        return float(np.hypot(float(self.re * scale), float(self.im * scale)))
