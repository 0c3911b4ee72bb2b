"""lassokit: certified penalized regression (Lasso, Elastic Net, Ridge; squared,
logistic, Poisson and Huber losses).

State *what* to solve with :class:`Problem` and penalties built from
:func:`L1` and :func:`L2`; pick *how* with a backend name. Every
:class:`Solution` carries a duality gap computed by lassokit itself.
"""

from . import matrix  # noqa: F401 - registers the matrix problems with Problem
from ._path_api import enet_path, lasso_path
from ._shortcuts import elastic_net, lasso, logistic, ridge
from ._version import __version__
from .backends import (
    Backend,
    BackendResult,
    Capabilities,
    available_backends,
    register_backend,
)
from .certificate import Certificate
from .group import GroupL2, GroupPenalty
from .losses import Huber, Logistic, Loss, Multinomial, Poisson, Squared
from .path import Path, alpha_grid, path
from .penalty import L1, L2, Penalty
from .problem import Problem
from .solution import Solution
from .verify import VerifyReport, verify

# Names whose modules import scikit-learn or matplotlib (slow) load on first use.
_ESTIMATORS = ("Lasso", "ElasticNet", "Ridge", "LassoCV", "ElasticNetCV", "LassoIC",
               "LogisticRegression", "LogisticRegressionCV", "PoissonRegressor", "RidgeCV",
               "MultiTaskLasso", "MultiTaskElasticNet", "MultiTaskLassoCV",
               "MultiTaskElasticNetCV", "GroupLasso", "GroupLassoCV")
_LAZY = {
    "ConvergenceWarning": ("lassokit.solution", "ConvergenceWarning"),
    "plot_cv": ("lassokit.plotting", "plot_cv"),
    **{name: ("lassokit.estimators", name) for name in _ESTIMATORS},
}


def __getattr__(name):
    if name in _LAZY:
        from importlib import import_module

        module, attr = _LAZY[name]
        value = getattr(import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'lassokit' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "L1",
    "L2",
    "Backend",
    "BackendResult",
    "Capabilities",
    "Certificate",
    "ConvergenceWarning",
    "ElasticNet",
    "ElasticNetCV",
    "GroupL2",
    "GroupLasso",
    "GroupLassoCV",
    "GroupPenalty",
    "Huber",
    "Lasso",
    "LassoCV",
    "LassoIC",
    "Logistic",
    "LogisticRegression",
    "LogisticRegressionCV",
    "Loss",
    "MultiTaskElasticNet",
    "MultiTaskElasticNetCV",
    "MultiTaskLasso",
    "MultiTaskLassoCV",
    "Multinomial",
    "Path",
    "Penalty",
    "Poisson",
    "PoissonRegressor",
    "Problem",
    "Ridge",
    "RidgeCV",
    "Solution",
    "Squared",
    "VerifyReport",
    "__version__",
    "alpha_grid",
    "available_backends",
    "elastic_net",
    "enet_path",
    "lasso",
    "lasso_path",
    "logistic",
    "path",
    "plot_cv",
    "register_backend",
    "ridge",
    "verify",
]
