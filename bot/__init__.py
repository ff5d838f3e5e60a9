"""Composition root of Newsdigest: configuration, wiring, CLI, scheduler and the Telegram adapter."""

import os

# The numerical work here is many small matrix products (story matching, summaries): BLAS
# threads only compete with the event loop and the worker processes, and on a small
# machine a threaded product of a 60 x 300 matrix costs several times a single-threaded
# one. Set before numpy is first imported; the worker processes inherit it.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
