"""Compiled (numba) inner loops of the solvers.

Kernels are plain functions of arrays and scalars: they import nothing from
the rest of lassokit, and nothing here is imported by ``import lassokit`` —
backends import the kernel modules lazily inside ``solve``, each only the
modules its call needs (a dense solve never imports the sparse, path or
ADMM kernels; see :func:`lassokit._kernel_time.load`), so that numba (and
loading its on-disk cache) is paid only when a solver runs, and is
reported apart from the solve's time.

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
_compile_notice
    Says on stderr, once per kernel family, when numba compiles (a cold
    cache) rather than loads them, and counts the seconds spent; times
    every cache load and compilation for :mod:`lassokit._kernel_time`.

Cold compile cost is kept down by compiling each kernel once per X dtype
and storage: the adapters of :mod:`lassokit.backends._cd_ops` hand every
argument with one fixed writability (a writable and a read-only array would
compile a kernel twice), the certificate's dual has one explicit signature
that every caller converts to, and kernels that only kernels call have no
Python wrapper (``_common.HELPER``).
"""

from . import _compile_notice

# Before any kernel module runs: _common compiles (or loads) its dual at import.
_compile_notice.install()
