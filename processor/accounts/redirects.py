"""Where to go after signing in: only a path on this site, judged as a browser would read it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Browsers drop tabs and newlines anywhere in a URL, strip leading and trailing control characters and spaces,
# and read a backslash as a slash; `/\t/evil.example` is `//evil.example` to them, a link to another host.
_DROPPED = re.compile(r"[\x00-\x1f\x7f]")


def local_path(target: str | None) -> str | None:
    """Return the target if, once normalized, it is a path on this site; otherwise None."""
    if not target:
        return None
    cleaned = _DROPPED.sub("", target).replace("\\", "/").strip(" ")
    if not cleaned.startswith("/") or cleaned.startswith("//"):
        return None
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return None
    return cleaned
