"""Prepare batches of rows in worker processes, in order, with a bounded number of batches in flight.

Preparing a row is normalizing it (email-validator, phonenumbers), indexing its email and, for a commit, sealing
it (AES-GCM per field under a fresh row id): nearly all of an import's CPU time. The main process meanwhile reads
the file, decides duplicates and writes. Workers come from a forkserver, which is safe next to threads; they get
the organizer's write and index subkeys with each batch (see `SealingKeys`) and nothing else.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from processor.field_crypto import SealingKeys
from processor.normalize import index_form_of_normalized, normalize_participants
from processor.registries.rows import Sealed, seal

# (clean, None, email index, sealed row or None) or (None, errors, None, None)
Result = tuple[dict | None, list[dict] | None, bytes | None, Sealed | None]


def prepare_batch(raws: list[dict], region: str | None, keys: SealingKeys, encrypt: bool) -> list[Result]:
    """Normalize each raw participant and index its email, sealing it too when `encrypt`; a bad one gives its
    field errors instead of raising. Each step runs over the whole batch before the next (see
    normalize_participants)."""
    normalized = normalize_participants(raws, default_region=region)
    if not encrypt:
        return [(clean, errors, None if clean is None else keys.index(index_form_of_normalized(clean["email"])), None)
                for clean, errors in normalized]
    cipher, results = keys.cipher(), []
    for clean, errors in normalized:
        if clean is None:
            results.append((None, errors, None, None))
        else:
            sealed = seal(keys, cipher, clean)
            results.append((clean, None, sealed.email_index, sealed))
    return results


def prepared(batches: Iterable[tuple[object, list[dict]]], region: str | None, keys: SealingKeys, encrypt: bool,
             workers: int) -> Iterator[tuple[object, list[Result]]]:
    """Yield (tag, results) for each (tag, raws) in input order; in this process when workers < 2."""
    if workers < 2:
        for tag, raws in batches:
            yield tag, prepare_batch(raws, region, keys, encrypt)
        return
    context = multiprocessing.get_context("forkserver")
    # The server imports this module (normalization's and encryption's libraries) once and forks each worker
    # from it, so workers start ready instead of importing it all again (takes effect when the server starts).
    context.set_forkserver_preload([__name__])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque = deque()
        for tag, raws in batches:
            pending.append((tag, pool.submit(prepare_batch, raws, region, keys, encrypt)))
            if len(pending) > 2 * workers:
                tag, future = pending.popleft()
                yield tag, future.result()
        while pending:
            tag, future = pending.popleft()
            yield tag, future.result()
