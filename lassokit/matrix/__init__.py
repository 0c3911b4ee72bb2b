"""Problems with a coefficient matrix or a group penalty.

``lk.Problem(X, Y, penalty)`` builds a :class:`MatrixProblem` when ``Y`` has
several columns, the penalty holds :func:`lassokit.GroupL2`, or the loss is
``"multinomial"``; it answers with a :class:`MatrixSolution`, and
:func:`lassokit.path` with a :class:`MatrixPath`. The solvers (block
coordinate descent, proximal Newton for the multinomial loss) and the
group certificate live in this package's private modules.
"""

from ._design import MatrixDesign
from ._path import MatrixPath
from .problem import MatrixProblem
from .solution import MatrixSolution

__all__ = ["MatrixDesign", "MatrixPath", "MatrixProblem", "MatrixSolution"]
