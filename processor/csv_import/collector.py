"""The garbage collector during an import's passes: fewer, cheaper collections for millions of short-lived objects.

A pass allocates a few dozen objects per row (cells, verdicts, sealed tuples) that die within a batch and form
almost no reference cycles. With CPython's defaults the collector runs every 700 net allocations and rescans
whatever is alive each time: about 8% of the writing process's CPU time and 1-2% of a worker's in a
200,000-row import. During a pass it runs every `PASS_THRESHOLD` allocations instead (cycles are still collected,
a few megabytes later), and skips the objects that existed before the pass (gc.freeze: the app's, the libraries').
"""

from __future__ import annotations

import contextlib
import gc
import threading

PASS_THRESHOLD = 50_000  # allocations between young-generation collections during a pass (CPython's default: 700)

_lock = threading.Lock()
_passes = 0  # passes running in this process's threads
_saved: tuple[int, ...] = ()


@contextlib.contextmanager
def spared():
    """For one pass in this process: the long-lived objects frozen out of the scans, collections less frequent.

    Both settings are process-wide: the first pass to start applies them and the last to end restores them, so
    passes overlapping in threads never leave the process with the pass's thresholds. Freezing only changes what
    is scanned, never what is kept alive (what a pass left in a cycle is collected after the last pass ends).
    """
    global _passes, _saved
    with _lock:
        _passes += 1
        if _passes == 1:
            _saved = gc.get_threshold()
            gc.set_threshold(PASS_THRESHOLD, *_saved[1:])
        gc.freeze()
    try:
        yield
    finally:
        with _lock:
            _passes -= 1
            if _passes == 0:
                gc.unfreeze()
                gc.set_threshold(*_saved)


def worker_started() -> None:
    """For a pool worker, which only prepares batches until its pool ends: the same settings for its lifetime."""
    gc.freeze()
    gc.set_threshold(PASS_THRESHOLD, *gc.get_threshold()[1:])
