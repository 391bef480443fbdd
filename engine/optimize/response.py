"""Response curves as concave piecewise-linear pieces, so the plan stays a linear programme.

A channel's curve in a region of potential ``P`` is ``leads(s) = P * max_leads * g(s / (P * h))``
with ``g`` the normalised Hill or exponential saturation (see ``ResponseCurve``). Each curve is
replaced by the chords between breakpoints ``0 = s_0 < s_1 < ... < s_K = U`` (``U`` the most the
pair may spend). The chords lie below the concave curve; their slopes fall, so the linear model
fills them in order and reaches the global optimum of the approximated problem.

Breakpoints equidistribute ``sqrt(|g''|)`` over ``[0, U]``, which makes the largest chord error
about equal on every piece (the interpolation error of a piece of width ``d`` is
``d**2 * |g''| / 8``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.scenario.schema import ResponseCurve

DEFAULT_SEGMENTS = 24
"""Pieces per curve when neither the options nor the scenario choose. On every bundled
scenario the exact concave optimum lies between the plan's objective and the objective on the
tangent (outer) pieces, which differ by less than 0.07% (base: 0.05%); see
``tests/validation/test_optimize_scenarios.py``."""
TAIL_WEIGHT = 0.25
"""Weight of the breakpoint density where spending no longer pays for itself."""
_GRID = 600


@dataclass(frozen=True)
class Pieces:
    """Piecewise-linear response of one region x channel.

    Attributes
    ----------
    base:
        Leads per week at zero spend (the ``fixed`` curve's rate, else 0).
    breaks:
        Spend at the breakpoints, ``K + 1`` values from 0 (money per quarter).
    leads:
        Leads per week at the breakpoints, including ``base``.
    """

    base: float
    breaks: np.ndarray
    leads: np.ndarray

    @property
    def widths(self) -> np.ndarray:
        """Spend each piece covers (money per quarter)."""
        return np.diff(self.breaks)

    @property
    def slopes(self) -> np.ndarray:
        """Leads per week bought by one more unit of money on each piece."""
        widths = self.widths
        rise = np.diff(self.leads)
        return np.divide(rise, widths, out=np.zeros_like(rise), where=widths > 0)

    def value(self, spend: float) -> float:
        """Leads per week at ``spend`` on the chords (pieces filled in order; the last one
        extends in a straight line, as in the model)."""
        if spend > self.breaks[-1] and len(self.breaks) > 1:
            return float(self.leads[-1] + self.slopes[-1] * (spend - self.breaks[-1]))
        return float(np.interp(spend, self.breaks, self.leads))


def normalised(curve: ResponseCurve, x: np.ndarray) -> np.ndarray:
    """``g(x)``: share of saturation leads at spend ``x`` in units of ``P * half_saturation``."""
    if curve.kind == "exponential":
        return 1.0 - np.exp2(-x)
    xa = np.power(x, curve.shape)
    return xa / (xa + 1.0)


def _curvature(curve: ResponseCurve, x: np.ndarray) -> np.ndarray:
    """``|g''(x)|`` for ``x > 0``."""
    if curve.kind == "exponential":
        return np.log(2.0) ** 2 * np.exp2(-x)
    a = curve.shape
    xa = np.power(x, a)
    return (
        np.abs(a * np.power(x, a - 2.0) * ((a - 1.0) * (1.0 + xa) - 2.0 * a * xa)) / (1.0 + xa) ** 3
    )


def _breakpoints(curve: ResponseCurve, hi: float, segments: int, useful: float) -> np.ndarray:
    """Normalised breakpoints on ``[0, hi]`` equidistributing ``sqrt(|g''|)``, weighted down by
    ``TAIL_WEIGHT`` beyond ``useful``."""
    grid = np.geomspace(hi * 1e-7, hi, _GRID)
    density = np.sqrt(_curvature(curve, grid)) * np.where(grid <= useful, 1.0, TAIL_WEIGHT)
    steps = 0.5 * (density[1:] + density[:-1]) * np.diff(grid)
    mass = np.concatenate([[0.0, density[0] * grid[0]], density[0] * grid[0] + np.cumsum(steps)])
    grid = np.concatenate([[0.0], grid])
    if not mass[-1] > 0:
        return np.linspace(0.0, hi, segments + 1)
    points = np.interp(np.linspace(0.0, mass[-1], segments + 1), mass, grid)
    points[0], points[-1] = 0.0, hi
    return np.maximum.accumulate(points)


_SLOPE_GRID = np.geomspace(1e-9, 1e6, 1500)


def worthwhile(curve: ResponseCurve, potential: float, value: float) -> float:
    """Spend (money per quarter) beyond which one more lead cannot pay for its cost: where
    ``value * leads'(s) = 1`` for ``value`` the most a lead per week can earn (money); inf when
    the curve does not saturate."""
    if curve.kind in ("linear", "fixed") or value <= 0:
        return float("inf") if value > 0 else 0.0
    scale = potential * curve.half_saturation
    target = scale / (potential * curve.max_leads * value)
    if curve.kind == "exponential":
        return float(max(0.0, np.log2(np.log(2.0) / target)) * scale)
    slope = _slope(curve, _SLOPE_GRID)  # decreasing in x
    if target <= slope[-1]:
        return float("inf")
    return float(np.interp(-target, -slope, _SLOPE_GRID) * scale)


def pieces(
    curve: ResponseCurve,
    potential: float,
    weeks: int,
    upper: float,
    segments: int,
    useful: float = float("inf"),
) -> Pieces:
    """The chords of ``curve`` in a region of ``potential`` for spend in ``[0, upper]``.

    Parameters
    ----------
    curve:
        The channel's response curve.
    potential:
        The region's market potential (dimensionless).
    weeks:
        Weeks in the quarter (the ``linear`` curve spreads its leads over them).
    upper:
        Most the pair may spend (money per quarter).
    segments:
        Pieces for saturating curves (``linear`` and ``fixed`` need one).
    useful:
        Spend beyond which leads cannot pay for themselves (``worthwhile``): pieces are
        sparser beyond it (but still there, for spend a floor such as the pilots' intent
        minimum may force).
    """
    if upper <= 0:
        base = curve.leads_per_week(0.0, potential, weeks)
        return Pieces(base, np.zeros(1), np.full(1, base))
    if curve.kind in ("linear", "fixed"):
        breaks = np.array([0.0, upper])
        leads = np.array([curve.leads_per_week(s, potential, weeks) for s in breaks])
        return Pieces(float(leads[0]), breaks, leads)
    scale = potential * curve.half_saturation
    x = _breakpoints(curve, upper / scale, segments, useful / scale)
    return Pieces(0.0, x * scale, potential * curve.max_leads * normalised(curve, x))


def _slope(curve: ResponseCurve, x: np.ndarray) -> np.ndarray:
    """``g'(x)`` (normalised)."""
    if curve.kind == "exponential":
        return np.log(2.0) * np.exp2(-x)
    a = curve.shape
    return a * np.power(x, a - 1.0) / (np.power(x, a) + 1.0) ** 2


def tangent_pieces(chords: Pieces, curve: ResponseCurve, potential: float) -> Pieces:
    """The outer approximation matching ``chords``: the lower envelope of the tangents at the
    chords' breakpoints (except 0). It lies above the concave curve, so a model built on it
    bounds the exact optimum from above, as the chords bound it from below."""
    if curve.kind in ("linear", "fixed") or len(chords.breaks) < 2:
        return chords
    scale = potential * curve.half_saturation
    top = potential * curve.max_leads
    t = np.unique(chords.breaks[1:]) / scale
    value, slope = top * normalised(curve, t), top * _slope(curve, t) / scale
    intercept = value - slope * t * scale
    cross = np.diff(intercept) / -np.diff(slope)
    breaks = np.concatenate([[0.0], cross, [chords.breaks[-1]]])
    leads = np.min(intercept[None, :] + slope[None, :] * breaks[:, None], axis=1)
    return Pieces(float(leads[0]), breaks, leads)
