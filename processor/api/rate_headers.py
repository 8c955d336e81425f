"""Announce each API response's rate limit as the IETF draft's RateLimit header fields; Retry-After only on 429.

draft-ietf-httpapi-ratelimit-headers-07: `RateLimit-Limit` (requests in the window), `RateLimit-Remaining`,
`RateLimit-Reset` (seconds until the window resets, not a timestamp) and `RateLimit-Policy` (`600;w=60`).
Flask-Limiter's own headers are off (`RATELIMIT_HEADERS_ENABLED`): it names them `X-RateLimit-*`, sends an
epoch in Reset, and adds `Retry-After` to every response, which tells well-behaved clients to back off
after a success.
"""

from __future__ import annotations

import math
import time

from flask import Response

from processor.extensions import limiter


def announce(response: Response) -> Response:
    """Add the RateLimit fields when a limit applied to this request, and Retry-After when it was exceeded."""
    current = limiter.current_limit if limiter.enabled else None
    if current is None:
        return response
    window = current.limit.get_expiry()
    reset = min(window, max(0, math.ceil(current.reset_at - time.time())))  # reset_at is rounded up
    response.headers["RateLimit-Limit"] = str(current.limit.amount)
    response.headers["RateLimit-Remaining"] = str(max(0, current.remaining))
    response.headers["RateLimit-Reset"] = str(reset)
    response.headers["RateLimit-Policy"] = f"{current.limit.amount};w={window}"
    if response.status_code == 429:
        response.headers["Retry-After"] = str(max(1, reset))
    return response
