"""Normalize batches of rows in worker processes, in order, with a bounded number of batches in flight.

Normalizing (email-validator, phonenumbers) is most of an import's CPU time; the main process meanwhile reads the
file, computes blind indexes and writes. Workers come from a forkserver, which is safe next to threads.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from processor.errors import ValidationFailed
from processor.normalize import normalize_participant

Result = tuple[dict | None, list[dict] | None]  # (clean, None) or (None, errors)


def normalize_batch(raws: list[dict], region: str | None) -> list[Result]:
    """Normalize each raw participant; a bad one gives its field errors instead of raising."""
    results: list[Result] = []
    for raw in raws:
        try:
            results.append((normalize_participant(raw, default_region=region), None))
        except ValidationFailed as exc:
            results.append((None, exc.errors))
    return results


def normalized(batches: Iterable[tuple[object, list[dict]]], region: str | None,
               workers: int) -> Iterator[tuple[object, list[Result]]]:
    """Yield (tag, results) for each (tag, raws) in input order; in this process when workers < 2."""
    if workers < 2:
        for tag, raws in batches:
            yield tag, normalize_batch(raws, region)
        return
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque = deque()
        for tag, raws in batches:
            pending.append((tag, pool.submit(normalize_batch, raws, region)))
            if len(pending) > 2 * workers:
                tag, future = pending.popleft()
                yield tag, future.result()
        while pending:
            tag, future = pending.popleft()
            yield tag, future.result()
