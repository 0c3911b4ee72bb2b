"""Metadata routing of the cross-validated estimators: ``groups`` to the splitter, and more.

scikit-learn routes ``fit``'s extra arguments only when
``sklearn.set_config(enable_metadata_routing=True)``; without it they are
refused with a sentence that says so, as scikit-learn does.
``LassoCV``/``ElasticNetCV`` route to their CV splitter,
``LogisticRegressionCV`` to its splitter and its scorer.
"""

from __future__ import annotations

from sklearn import get_config
from sklearn.model_selection import check_cv
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)

__all__ = ["SplitterRoutingMixin", "fit_metadata", "routing_enabled", "splitter_router"]


def routing_enabled():
    """Whether scikit-learn's metadata routing is on.

    Returns
    -------
    bool
    """
    return bool(get_config().get("enable_metadata_routing", False))


def splitter_router(estimator, *, classifier=False):
    """A router that sends ``fit``'s metadata to ``estimator.cv``'s ``split``.

    Parameters
    ----------
    estimator : estimator with a ``cv`` parameter
    classifier : bool, default=False
        Whether an int ``cv`` means stratified folds.

    Returns
    -------
    sklearn.utils.metadata_routing.MetadataRouter
    """
    return MetadataRouter(owner=estimator).add_self_request(estimator).add(
        splitter=check_cv(estimator.cv, classifier=classifier),
        method_mapping=MethodMapping().add(caller="fit", callee="split"),
    )


class SplitterRoutingMixin:
    """``get_metadata_routing`` of the estimators that route ``fit`` metadata to ``cv`` only."""

    def get_metadata_routing(self):
        """Route ``fit`` metadata (e.g. ``groups``) to the CV splitter.

        Returns
        -------
        sklearn.utils.metadata_routing.MetadataRouter
        """
        return splitter_router(self)


def fit_metadata(estimator, params, sample_weight, *, unrouted_score=None):
    """``(split_params, score_params)`` of ``estimator.fit(X, y, sample_weight, **params)``.

    Parameters
    ----------
    estimator : estimator
        Routes to a scorer when ``unrouted_score`` is given.
    params : dict
        ``fit``'s extra keyword arguments.
    sample_weight : array-like or None
    unrouted_score : dict, optional
        The scorer's arguments when routing is off (None: no scorer).

    Returns
    -------
    (dict, dict or None)

    Raises
    ------
    ValueError
        For extra arguments while routing is off.
    """
    if routing_enabled():
        routed = process_routing(estimator, "fit", sample_weight=sample_weight, **params)
        score = None if unrouted_score is None else dict(routed.scorer.score)
        return routed.splitter.split, score
    if params:
        target = "the CV splitter" if unrouted_score is None else "the CV splitter or the scorer"
        raise ValueError(
            f"{type(estimator).__name__}.fit got unexpected argument(s) {sorted(params)}; passing "
            f"metadata to {target} needs sklearn.set_config(enable_metadata_routing=True).")
    return {}, unrouted_score
