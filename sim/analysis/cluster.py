"""Running replications on an existing Dask distributed cluster (the optional `dask` extra).

Dask is imported only when a cluster address is given. The cluster runs the very same
module-level task functions as local processes, addressed by (seed, replication), so results are
identical to a local run with the same seed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager

from sim.errors import ClusterError

ENVIRONMENT_VARIABLE = "HEROSIM_DASK"
CONNECT_TIMEOUT_SECONDS = 10


def cluster_address(option: str | None) -> str | None:
    """The scheduler address: the option, else $HEROSIM_DASK, else None (run locally)."""
    return option or os.environ.get(ENVIRONMENT_VARIABLE) or None


@contextmanager
def dask_executor(address: str) -> Iterator[tuple[Executor, int]]:
    """A `concurrent.futures` executor on the Dask scheduler at `address`, and how many
    tasks it runs at once (its workers' threads, for sizing batches).

    Raises:
        ClusterError: Dask is not installed, or the scheduler cannot be reached.
    """
    try:
        from distributed import Client
        from distributed.comm import get_address_host_port
    except ImportError:
        raise ClusterError(
            f"--dask {address!r}: "
            "running on a Dask cluster needs the optional extra: pip install 'herosim[dask]'",
        ) from None
    try:
        # A malformed address is refused here: handed to Client, it leaves a half-built client
        # whose clean-up hangs for 20 s at exit and prints a traceback.
        get_address_host_port(address)
    except ValueError as error:
        raise ClusterError(
            f"--dask {address!r}: "
            f"not a Dask scheduler address ({error}); give tcp://host:port of a running "
            f"scheduler, or unset {ENVIRONMENT_VARIABLE} to run on local processes",
        ) from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise ClusterError(
            f"--dask {address!r}: "
            f"could not reach a Dask scheduler there within {CONNECT_TIMEOUT_SECONDS} s "
            f"({type(error).__name__}: {error}); give tcp://host:port of a running scheduler, "
            f"or unset {ENVIRONMENT_VARIABLE} to run on local processes",
        ) from None
    try:
        # pure=False: two batches are never merged as "the same" task by Dask's caching.
        slots = sum(client.nthreads().values()) or 1
        yield client.get_executor(pure=False), slots
    finally:
        client.close()
