"""Prepare batches of rows in worker processes, in order, with a bounded number of batches in flight.

Preparing a row is normalizing it (email-validator, phonenumbers), indexing its email and, for a commit, sealing
it (AES-GCM per field under a fresh row id): nearly all of an import's CPU time. The main process meanwhile reads
the file, decides duplicates and writes. Workers come from a forkserver, which is safe next to threads; they get
the organizer's write and index subkeys with each batch (see `SealingKeys`) and nothing else.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import pickle
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import NamedTuple

from processor.csv_import import collector
from processor.csv_import import mapping as mappings
from processor.csv_import.reader import Limits, shape_problem
from processor.field_crypto import SealingKeys
from processor.normalize import index_form_of_normalized, normalize_participants, normalize_participants_leniently
from processor.processes import die_with_parent
from processor.registries.rows import Sealed, seal

# Per row: (errors, None, None, (), None) for a bad row, else (None, email index, sealed row or None, the names of
# its custom fields, warnings or None). Plain tuples, bytes and strings: the main process unpickles hundreds of
# thousands of these.
Result = tuple[list[dict] | None, bytes | None, Sealed | None, tuple[str, ...], list[dict] | None]


class Recipe(NamedTuple):
    """How to read a file's rows: its header, the mapping, the limits, the organizer's country for phones, and
    whether the main process may need the rows' clean values (to update participants already there)."""

    header: list[str]
    mapping: list[str]
    limits: Limits
    region: str | None
    keep_clean: bool = False
    strict: bool = False  # a bad optional value rejects the row instead of being left empty with a warning


class Prepared(NamedTuple):
    """A prepared batch: a result per row and (when the recipe keeps them) the valid rows' clean values pickled
    whole, so the main process unpickles them only for a batch that updates someone."""

    results: list[Result]
    cleans: bytes | None = None

    def clean_values(self) -> list[dict | None]:
        if self.cleans is None:
            raise RuntimeError("this batch was prepared without its clean values")
        return pickle.loads(self.cleans)  # noqa: S301 (our own worker's output, over the pool's local pipe)


def prepare_batch(rows: list[list[str]], recipe: Recipe, keys: SealingKeys, encrypt: bool) -> Prepared:
    """Check each row's shape, map and normalize its cells and index its email, sealing it too when `encrypt`;
    a bad row gives its errors instead of raising. Each step runs over the whole batch before the next (see
    normalize_participants)."""
    header, mapping, limits, region, keep_clean, strict = recipe
    # The length limit applies to what is stored: the mapped columns (the email's only, when other fields may be
    # left empty with a warning: their own limits then apply); an unmapped cell is never read.
    checked = tuple(
        i for i, target in enumerate(mapping) if target != mappings.IGNORE and (strict or target == "email")
    )
    problems = [shape_problem(cells, header, limits, checked) for cells in rows]
    raws = [
        mappings.raw_participant(cells, header, mapping)
        for cells, problem in zip(rows, problems, strict=True)
        if problem is None
    ]
    if strict:
        normalized = ((clean, errors, None) for clean, errors in normalize_participants(raws, default_region=region))
    else:
        normalized = iter(normalize_participants_leniently(raws, default_region=region))
    cipher, index, sign = keys.cipher() if encrypt else None, keys.indexer(), keys.signer() if encrypt else None
    results: list[Result] = []
    cleans: list[dict | None] = []
    for problem in problems:
        clean, errors, warnings = (None, [{"detail": problem}], None) if problem else next(normalized)
        cleans.append(clean)
        if clean is None:
            results.append((errors, None, None, (), None))
            continue
        names = tuple(clean["custom_fields"]) if clean.get("custom_fields") else ()
        if cipher is None:
            results.append((None, index(index_form_of_normalized(clean["email"])), None, names, warnings))
        else:
            sealed = seal(index, cipher, clean, sign)
            results.append((None, sealed[1], sealed, names, warnings))
    return Prepared(results, pickle.dumps(cleans, pickle.HIGHEST_PROTOCOL) if keep_clean else None)


def _forkserver():
    """The context workers come from: a server that imports this module (normalization's and encryption's
    libraries) once and forks each worker from it, so workers start ready (takes effect when it starts)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["processor.csv_import.forkserver_init", __name__])
    return context


def _worker_started() -> None:
    """A pool worker dies with the forkserver it came from, and collects garbage as a pass does (collector.py)."""
    die_with_parent()
    collector.worker_started()


def start_server() -> None:
    """Start the server workers fork from now, in the background: it imports this module's libraries (a second
    or two) while the file is still being counted, instead of while the first batch waits.

    Started from the calling thread, not a short-lived one: the forkserver's PR_SET_PDEATHSIG fires when the
    thread that started it ends. Starting it returns at once; the preload runs in the new process."""
    _forkserver()
    multiprocessing.forkserver.ensure_running()


def prepared(
    batches: Iterable[tuple[object, list[list[str]]]], recipe: Recipe, keys: SealingKeys, encrypt: bool, workers: int
) -> Iterator[tuple[object, Prepared]]:
    """Yield (tag, results) for each (tag, rows) in input order; in this process when workers < 2."""
    if workers < 2:
        for tag, rows in batches:
            yield tag, prepare_batch(rows, recipe, keys, encrypt)
        return
    # A worker's garbage collections skip the libraries' objects it was forked with and run less often (collector.py).
    with ProcessPoolExecutor(max_workers=workers, mp_context=_forkserver(), initializer=_worker_started) as pool:
        pending: deque = deque()
        for tag, rows in batches:
            pending.append((tag, pool.submit(prepare_batch, rows, recipe, keys, encrypt)))
            if len(pending) > 2 * workers:
                tag, future = pending.popleft()
                yield tag, future.result()
        while pending:
            tag, future = pending.popleft()
            yield tag, future.result()
