"""Processes that die with their parent, and no temporary index files left behind by a killed one.

The import's CPU pool comes from a multiprocessing forkserver. Its workers block on a queue whose both ends they
hold, so after a `kill -9` of the process that started them they would live on, re-parented to PID 1, holding an
organizer's field and index subkeys. `PR_SET_PDEATHSIG` asks the kernel to SIGKILL a process when its parent
goes: the forkserver sets it when it starts (its parent is the job worker or the CLI), each pool worker when it
starts (its parent is the forkserver), so the whole tree falls with its root.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import tempfile
from pathlib import Path

PR_SET_PDEATHSIG = 1
SEEN_PREFIX = "processor-seen-"


def die_with_parent() -> None:
    """Have the kernel SIGKILL this process when its parent exits (Linux); exit now if it already has."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return
    libc = ctypes.CDLL(libc_name, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return
    if os.getppid() == 1:  # the parent died before the request was in place
        os._exit(1)


def seen_file_prefix() -> str:
    """The prefix of this process's temporary blind-index files: its pid says whose they are."""
    return f"{SEEN_PREFIX}{os.getpid()}-"


def clean_stale_seen_files(folder: str | None = None) -> int:
    """Delete temporary blind-index files whose process is gone (a killed import); return how many."""
    removed = 0
    for path in Path(folder or tempfile.gettempdir()).glob(f"{SEEN_PREFIX}*"):
        pid = path.name[len(SEEN_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
