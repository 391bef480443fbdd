"""``solve``: the plan model to a ``Solution`` with the chosen solver.

The flow is check -> build -> solve -> extract (``engine.optimize.optimize``); this is the solve.
``solve`` keeps the HiGHS session on the model, so a caller can change a bound
(``PlanModel.set_budget``) and call ``solve`` again without rebuilding.
"""

from __future__ import annotations

from engine.optimize.cbc import solve_cbc
from engine.optimize.highs import HighsSession
from engine.optimize.model import PlanModel
from engine.optimize.options import OptimizeOptions
from engine.optimize.solution import Solution


def solve(m: PlanModel, options: OptimizeOptions | None = None,
          start: PlanModel | None = None) -> Solution:
    """Solve ``m`` with the chosen solver; HiGHS sessions are kept for re-solves. ``start``: a
    model of the same shape solved before, whose final basis HiGHS starts from (a warm start;
    the answer is the same)."""
    opts = options or OptimizeOptions()
    gap = opts.mip_gap if opts.mip_gap is not None else m.inputs.scenario.policy.mip_gap
    if opts.solver == "cbc":
        return solve_cbc(m, opts, gap)
    if m.session is None:
        m.session = HighsSession(m)
        if start is not None and start.session is not None:
            m.session.start_from(start.session)
    return m.session.run(opts, gap)
