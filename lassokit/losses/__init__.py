"""Losses ``l(y, z)`` of lassokit's objective ``1/n sum_i s_i l(y_i, z_i) + g(w)``.

A loss carries its own math (value, derivatives, convex conjugate and its
domain, optimal intercept, link), so that solvers and the certificate of
:mod:`lassokit.losses.certificate` ask the loss and never branch on its
type. Adding a loss is one file: a subclass of :class:`Loss`.
"""

from __future__ import annotations

from .base import Loss
from .huber import Huber
from .logistic import Logistic
from .multinomial import Multinomial
from .poisson import Poisson
from .squared import Squared

__all__ = ["LOSSES", "Huber", "Logistic", "Loss", "Multinomial", "Poisson", "Squared", "as_loss"]

#: The loss classes by name, as :func:`as_loss` maps them (default parameters).
LOSSES = {cls.name: cls for cls in (Squared, Logistic, Poisson, Huber)}


def as_loss(loss):
    """The :class:`Loss` named by ``loss``, or ``loss`` itself.

    Parameters
    ----------
    loss : str or Loss
        ``"squared"``, ``"logistic"``, ``"poisson"``, ``"huber"`` (with
        ``delta=1.35``; use ``Huber(delta)`` for another threshold) in any
        letter case, or a :class:`Loss` instance.

    Returns
    -------
    Loss

    Raises
    ------
    ValueError
        For an unknown name (the message lists the known ones).
    TypeError
        For anything that is neither a name nor a loss (a loss class,
        not an instance, included).

    Examples
    --------
    >>> from lassokit.losses import as_loss
    >>> as_loss("logistic")
    Logistic()
    """
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, str):
        cls = LOSSES.get(loss.strip().lower())
        if cls is None:
            raise ValueError(f"unknown loss {loss!r}: use one of "
                             f"{', '.join(repr(k) for k in LOSSES)} or a Loss instance.")
        return cls()
    if isinstance(loss, type) and issubclass(loss, Loss):
        raise TypeError(f"loss must be a Loss instance, got the class {loss.__name__}: "
                        f"write {loss.__name__}() instead.")
    raise TypeError(f"loss must be a name ({', '.join(repr(k) for k in LOSSES)}) or a Loss "
                    f"instance, got {type(loss).__name__}.")
