"""scikit-learn estimators backed by lassokit problems and backends.

They take every constructor parameter of their scikit-learn 1.9 namesakes
(same names and defaults) plus ``backend=``; see the documentation's "Estimators" page for
the mapping of their parameters onto lassokit's objective.

The cross-validated and information-criterion estimators, and those with a
coefficient matrix (``MultiTask*``, ``GroupLasso*``), load on first use
(PEP 562): their modules import joblib and scikit-learn's model selection,
which ``from lassokit import Lasso`` does not need.
"""

from .linear import ElasticNet, Lasso, Ridge
from .logistic import LogisticRegression
from .poisson import PoissonRegressor

_LAZY = {"ElasticNetCV": ".cv", "LassoCV": ".cv", "LassoIC": ".ic",
         "LogisticRegressionCV": "._logistic_cv", "RidgeCV": ".ridge_cv",
         "GroupLasso": ".group_lasso", "GroupLassoCV": ".group_lasso",
         "MultiTaskElasticNet": ".multitask", "MultiTaskElasticNetCV": ".multitask",
         "MultiTaskLasso": ".multitask", "MultiTaskLassoCV": ".multitask"}


def __getattr__(name):
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


__all__ = ["ElasticNet", "ElasticNetCV", "GroupLasso", "GroupLassoCV", "Lasso", "LassoCV",
           "LassoIC", "LogisticRegression", "LogisticRegressionCV", "MultiTaskElasticNet",
           "MultiTaskElasticNetCV", "MultiTaskLasso", "MultiTaskLassoCV", "PoissonRegressor",
           "Ridge", "RidgeCV"]
