"""The ``--loss`` of the command line: the loss object, its words, its model record, its scores.

``fit``, ``path`` and ``verify`` state their problem with the loss that
``--loss`` (and ``--delta`` for Huber) name; a model file records it, so
that ``predict`` returns the model's mean through the loss's inverse link
(the probability of class 1, the expected count) and scores it with the
loss's own measure.
"""

from __future__ import annotations

import numpy as np

from .common import HUBER_DELTA, CLIError

__all__ = ["loss_from_args", "loss_from_record", "loss_record", "loss_words", "score_words"]


def loss_from_args(args):
    """The :class:`~lassokit.Loss` that ``--loss`` and ``--delta`` name.

    Parameters
    ----------
    args : argparse.Namespace
        With ``loss`` (a name) and ``delta`` (a float or None).

    Returns
    -------
    Loss
        Huber's threshold is ``--delta``, or lassokit's default.

    Raises
    ------
    CLIError
        For ``--delta`` with a loss other than Huber.
    """
    name = getattr(args, "loss", "squared")
    delta = getattr(args, "delta", None)
    if name == "huber":
        return _loss_classes()["huber"](HUBER_DELTA if delta is None else delta)
    if delta is not None:
        raise CLIError(f"--delta applies to --loss huber only, not {name}")
    return _loss_classes()[name]()


def _loss_classes():
    """The loss classes by the names ``--loss`` and a model file use."""
    import lassokit as lk

    return {"squared": lk.Squared, "logistic": lk.Logistic, "poisson": lk.Poisson,
            "huber": lk.Huber}


def loss_words(loss):
    """``"squared loss"``, ``"logistic loss"``, ``"Huber loss (delta=1.35)"``: the loss in the output."""
    if loss.name == "huber":
        return f"Huber loss (delta={loss.delta:g})"
    return f"{loss.name} loss"


def loss_record(loss):
    """The loss as a model file records it: ``{"loss": name}``, plus ``"delta"`` for Huber.

    Parameters
    ----------
    loss : Loss

    Returns
    -------
    dict
    """
    record = {"loss": loss.name}
    if loss.name == "huber":
        record["delta"] = float(loss.delta)
    return record


def loss_from_record(model, path):
    """The loss of a model read from ``path`` (the squared one when it names none).

    Parameters
    ----------
    model : dict
        The model file's contents.
    path : str
        The model file, for messages.

    Returns
    -------
    Loss

    Raises
    ------
    CLIError
        When the file names a loss this lassokit does not know, or a bad ``delta``.
    """
    name = model.get("loss", "squared")
    known = _loss_classes()
    if not isinstance(name, str) or name not in known:
        raise CLIError(f"{path} names the loss {name!r}, which this lassokit does not know "
                       f"(it knows {', '.join(known)})")
    if name != "huber":
        return known[name]()
    delta = model.get("delta", HUBER_DELTA)
    try:
        return known["huber"](delta)
    except (TypeError, ValueError) as exc:
        raise CLIError(f"{path} is damaged: {exc}") from None


def score_words(loss, y, z, target):
    """How well the mean at ``z`` predicts ``y``, in the loss's own measure (one phrase).

    Squared and Huber: mean squared error and R^2 of ``z``; logistic: log
    loss and accuracy (class 1 when the probability is above 1/2); Poisson:
    mean Poisson deviance (twice the mean loss, as scikit-learn's
    ``mean_poisson_deviance``). A target the loss cannot take (labels
    other than 0/1 or -1/+1, negative counts) is not scored, and the
    phrase says why.

    Parameters
    ----------
    loss : Loss
    y : ndarray of shape (n,)
        The target column as read (not coded).
    z : ndarray of shape (n,)
        The linear predictions ``X w + b``.
    target : str
        The target column's name.

    Returns
    -------
    str
    """
    where = f"against column {target!r}"
    if loss.name in ("squared", "huber"):
        mse = float(np.mean((y - z) ** 2))
        var = float(np.var(y))
        r2 = 1.0 - mse / var if var > 0 else float("nan")
        return f"{where}: mean squared error {mse:.6g}, R^2 {r2:.4f}"
    try:
        coded = loss.check_y(y)
    except ValueError as exc:
        return f"not scored {where}: {str(exc).rstrip('.')}"
    with np.errstate(over="ignore", invalid="ignore"):
        mean_loss = float(np.mean(loss.value(coded, z)))
    if loss.name == "logistic":
        accuracy = float(np.mean((z > 0) == (coded > 0)))
        return f"{where}: log loss {mean_loss:.6g}, accuracy {accuracy:.4f}"
    if loss.name == "poisson":
        return f"{where}: mean Poisson deviance {2 * mean_loss:.6g}"
    return f"{where}: mean loss {mean_loss:.6g}"
