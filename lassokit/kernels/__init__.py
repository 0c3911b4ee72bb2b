"""Compiled (numba) inner loops of the solvers.

Kernels are plain functions of arrays and scalars: they import nothing from
the rest of lassokit, and nothing here is imported by ``import lassokit`` —
backends import the kernel modules lazily inside ``solve`` so that numba
(and loading its on-disk cache) is paid only when a solver runs.

Modules
-------
_common
    Coordinate update, the optimal dual scaling, the working-set duality
    gap and the Anderson extrapolation weights, shared by every storage.
cd_dense
    Coordinate descent on a dense column-major (Fortran) X.
cd_sparse
    Coordinate descent on a CSC X, with implicit centring.
cd_gram
    Coordinate descent on a precomputed (working-set) Gram matrix.
admm
    The ADMM inner loop (see that module).
"""
