"""scikit-learn estimators backed by lassokit problems and backends.

They take every constructor parameter of their scikit-learn 1.9 namesakes
(same names and defaults) plus ``backend=``; see the documentation's "Estimators" page for
the mapping of their parameters onto lassokit's objective.
"""

from .cv import ElasticNetCV, LassoCV
from .ic import LassoIC
from .linear import ElasticNet, Lasso, Ridge

__all__ = ["ElasticNet", "ElasticNetCV", "Lasso", "LassoCV", "LassoIC", "Ridge"]
