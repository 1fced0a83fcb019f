"""Sums of a Dask array on a local cluster: Dask's own ``x.sum()`` against ``sum_array(x)``
and ``parallel_sum(x)``, which take a ``dask.array.Array`` and return a lazy 0-d sum.

Dask sums each chunk with NumPy, then adds the chunks' sums in a tree of its own: where the
chunks end changes its bits. Ours send from each chunk the sums of the nodes of NumPy's
pairwise tree that lie inside it, and the values of the leaves its edges cut; one task
combines them into ``np.sum``'s bits, for any chunking and any number of workers.

The cluster: worker processes of one thread each on this machine, started once for the table.
The arrays are generated on the workers and persisted there before the timing, so the times
are the sums': the graph sent, each chunk summed where it lies, the few values sent back,
``.compute()`` included. Every path sums the same array in the same chunks (Dask's "auto")."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import progress, timing
from .arrays import measure, ratio, tabulate
from .peers import Peer, Unavailable, module_function
from .results import SectionResult

SIZES = [10**7, 10**8, 10**9]  # 80 MB, 800 MB, 8 GB
QUICK_SIZES = [10**6, 10**7]
# np.sum's bits are checked where this process can hold a copy of the array (twice: it may
# arrive misaligned, see ``reference``); above, each sum is checked against Dask's only.
CHECKED_UP_TO = 10**8
WORKERS = 2
# The timing budget per size (see timing.time_rounds): a call is one round trip to the cluster.
ROUNDS_SECONDS = 20.0
QUICK_ROUNDS_SECONDS = 2.0
# The share of memory an array may take: of the machine's free memory, and of each worker's
# limit for its even share of the chunks: under distributed's spilling threshold
# (distributed.worker.memory.target, 0.6 by default), with room for a chunk or two more.
HEADROOM = 0.5


def lazy(load_sum):
    """A Peer's load: ``fn(x).compute()`` for the function ``load_sum()`` returns, once it has
    been seen to take a small Dask array and return a lazy sum (a Dask collection); Unavailable
    otherwise (a build without Dask support would read the whole array into this process and
    return a float: not a path to time on an 8 GB array). A sum that raises anything else on
    the small array is loaded all the same: its check shows WRONG."""

    def load():
        import dask
        import dask.array as da

        sum_ = load_sum()

        def computed(x):
            return sum_(x).compute()

        name = getattr(sum_, "__name__", "it")
        try:
            got = sum_(da.ones(1000, chunks=300))
        except TypeError as error:
            raise Unavailable(f"{name} takes no Dask array: {error}") from error
        except Exception:
            return computed
        if not dask.is_dask_collection(got):
            raise Unavailable(
                f"the installed {name} takes no Dask array: it returned a "
                f"{type(got).__name__}, not a lazy sum"
            )
        return computed

    return load


def reference(x) -> float:
    """``np.sum`` of ``x``'s values, computed in this process by its own threads. (An array
    that arrives from a worker may be misaligned, not on an 8-byte boundary: NumPy sums such
    an array through its buffers, in another order, with other bits; hence the aligned copy.)"""
    return float(np.sum(np.require(x.compute(scheduler="threads"), requirements=["C", "A"])))


def room(n: int, limits: list[float]) -> str | None:
    """Why an array of ``n`` float64 values should not be made now, or None if it fits: within
    ``HEADROOM`` of the machine's free memory, and of each worker's memory limit."""
    import psutil

    need = 8 * n
    free = psutil.virtual_memory().available
    if need > HEADROOM * free:
        return f"skipped: {need / 1e9:.0f} GB of values, {free / 1e9:.0f} GB free here"
    if any(limit and need / len(limits) > HEADROOM * limit for limit in limits):
        return (
            f"skipped: {need / len(limits) / 1e9:.1f} GB of values per worker, workers' "
            f"memory limit {min(limits) / 1e9:.1f} GB"
        )
    return None


@dataclass(frozen=True)
class ClusterSection:
    """Every peer is called as ``fn(x)`` for a ``dask.array.Array`` ``x`` persisted on the
    cluster's workers, each size's array made only when its turn comes and released before the
    next. A path's answer is checked first: WRONG if it lies further from the reference (np.sum
    of the array's values, up to ``checked_up_to`` values; Dask's ``x.sum()`` above) than two
    sums of ``n`` values in different orders can, then whether its bits are np.sum's. The paths
    are timed one call each per round (see ``timing.time_rounds``)."""

    key: str
    title: str
    baseline: str  # Dask's own x.sum(): "vs Dask"
    peers: list[Peer]
    sizes: list[int]
    quick_sizes: list[int]
    chunks: str | int = "auto"
    checked_up_to: int = CHECKED_UP_TO

    def cases(self, settings: timing.Settings, client, limits: list[float]):
        """``({"n", "chunks"}, (x, expected, nearby))``: ``expected`` np.sum's value (None
        above ``checked_up_to``), ``nearby`` Dask's (what every sum is checked against when
        np.sum's is None); or ``(fields, why)`` for a size that does not fit (see ``room``)."""
        import dask.array as da
        from dask.distributed import wait

        for n in settings.sizes_for(self.sizes, self.quick_sizes):
            x = da.random.default_rng(n).random(n, chunks=self.chunks)
            fields = {"n": n, "chunks": f"{x.numblocks[0]} x {x.chunksize[0]}"}
            why = room(n, limits)
            if why:
                yield fields, why
                continue
            # np.sum's value from the same values made here (the generator is seeded per
            # chunk): x.compute() of the persisted array would move its chunks between workers.
            expected = reference(x) if n <= self.checked_up_to else None
            progress.note(f"  n={n:.0e}: generating {fields['chunks']} values on the workers")
            x = client.persist(x)
            wait(x)
            yield fields, (x, expected, float(x.sum().compute()))
            # Every use of x is over (tabulate has made its rows): free the workers' memory
            # before the next array, though measure and tabulate still hold x.
            client.cancel(x)
            del x

    @staticmethod
    def check(_name, fn, inputs) -> dict:
        if isinstance(inputs, str):  # the size does not fit
            return {"status": inputs}
        x, expected, nearby = inputs
        try:
            got = float(fn(x))
        except Exception as error:
            return {"status": f"WRONG: raised {type(error).__name__}: {error}"}
        anchor = nearby if expected is None else expected
        # Two sums of n values of one sign, in two orders: each within (n - 1) half-ulps of
        # the exact sum, so within (n - 1) ulps of each other.
        if not abs(got - anchor) <= (x.size - 1) * np.finfo(np.float64).eps * abs(anchor):
            against = "Dask's x.sum()" if expected is None else "np.sum"
            return {"status": f"WRONG: {got!r}, {against} {anchor!r}"}
        bits = (
            "not checked"
            if expected is None
            else ("same" if got.hex() == expected.hex() else "differs")
        )
        return {
            "status": "ok",
            "value": got.hex(),
            "bits": bits,
            "chunk_values": x.chunksize[0],
            "chunk_count": x.numblocks[0],
        }

    def cells(self, record, inputs, timed) -> list[str]:
        x = inputs[0]
        seconds = record["seconds"]
        record["gbps"] = x.nbytes / seconds / 1e9
        return [
            f"{seconds * 1e3:.2f}",
            f"{record['gbps']:.1f}",
            ratio(timed.get(self.baseline, {}).get("seconds"), seconds),
            record["bits"],
        ]

    def steps(self, settings: timing.Settings) -> int:
        """Paths times sizes: the progress line's steps (see ``progress``)."""
        return len(settings.sizes_for(self.sizes, self.quick_sizes)) * len(self.peers)

    def run(self, settings: timing.Settings, roofline: dict) -> SectionResult:
        progress.heading(self.title)
        headers = ["n", "chunks", "path", "ms", "GB/s", "vs Dask", "bits"]
        try:
            import dask
            from dask.distributed import Client, LocalCluster
        except ImportError as error:
            return self.skipped(headers, f"no Dask cluster: {error}", settings)
        budget = QUICK_ROUNDS_SECONDS if settings.quick else ROUNDS_SECONDS
        try:
            cluster = LocalCluster(
                n_workers=WORKERS,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
        except Exception as error:
            return self.skipped(
                headers, f"no Dask cluster: {type(error).__name__}: {error}", settings
            )
        try:
            with Client(cluster) as client:
                limits = list(
                    client.run(lambda dask_worker: dask_worker.memory_manager.memory_limit).values()
                )
                rows, records = tabulate(
                    measure(
                        self.key,
                        self.peers,
                        settings,
                        self.cases(settings, client, limits),
                        self.check,
                        timed=lambda inputs: inputs[0],
                        time=lambda calls, s: timing.time_rounds(calls, s, budget),
                    ),
                    self.cells,
                )
        finally:
            cluster.close()
        limit = f"memory limit {min(limits) / 1e9:.1f} GB" if all(limits) else "no memory limit"
        note = (
            f"a LocalCluster of {WORKERS} worker processes of 1 thread each ({limit} each); "
            f"float64 uniform in [0, 1), generated on the workers "
            f"(da.random.default_rng(n).random(n, chunks={self.chunks!r})) and persisted before "
            f"timing; chunks = count x values per chunk (the last may hold fewer; 'auto': "
            f"array.chunk-size {dask.config.get('array.chunk-size')}); one call of each path a "
            f"round, .compute() included, median of as many rounds as fit in {budget:.0f} s "
            f"(3 to {timing.FEW_CALLS_FACTOR * settings.repeats}); GB/s = 8n bytes / time; "
            f"vs Dask = {self.baseline}'s time / path time; bits: the result's against "
            f"np.sum(x.compute()) (summed aligned), checked up to {self.checked_up_to:.0e} values"
        )
        return SectionResult(
            self.key,
            self.title,
            note,
            headers,
            rows,
            {0, 3, 4, 5},
            records,
            roofline=roofline.get("read"),
            baseline=self.baseline,
        )

    def skipped(self, headers: list[str], why: str, settings: timing.Settings) -> SectionResult:
        """The table when no cluster could start: a row per path, saying why."""
        progress.note(f"  {why}")
        progress.advance(self.steps(settings))  # nothing to time
        records = [
            {
                "section": self.key,
                "path": peer.name,
                "how": peer.how,
                "ours": peer.ours,
                "status": f"unavailable: {why}",
            }
            for peer in self.peers
        ]
        rows = [["", "", record["path"], record["status"]] for record in records]
        return SectionResult(
            self.key,
            self.title,
            f"skipped: {why}",
            headers,
            rows,
            {0, 3, 4, 5},
            records,
            unit="table",
        )


SECTION = ClusterSection(
    key="dask",
    title=f"Sums of a float64 Dask array on a local cluster ({WORKERS} worker processes)",
    baseline="Dask + NumPy",
    peers=[
        Peer(
            "Dask + NumPy",
            "x.sum(): np.sum of each chunk, then Dask's tree over the chunks' sums",
            lambda: lambda x: x.sum().compute(),
        ),
        Peer(
            "sum_array",
            "fast_operations.sum_array(x): each chunk's nodes of NumPy's tree "
            "and cut leaves, combined in one task",
            lazy(module_function("fast_operations", "sum_array")),
            ours=True,
        ),
        Peer(
            "parallel_sum",
            "parallel_sum.parallel_sum(x): the same nodes, each chunk's summed by parallel_sum",
            lazy(module_function("parallel_sum", "parallel_sum")),
            ours=True,
        ),
    ],
    sizes=SIZES,
    quick_sizes=QUICK_SIZES,
)
