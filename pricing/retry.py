"""Retry a throttled API call with exponential backoff; the sleep is injected so tests never wait."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


def with_backoff(
    call: Callable[[], T],
    is_throttled: Callable[[BaseException], bool],
    sleep: Callable[[float], object],
    attempts: int = 5,
    first_delay_s: float = 1.0,
) -> T:
    """Run ``call()``, retrying while it raises a throttling error.

    The k-th retry waits ``first_delay_s · 2**(k-1)`` seconds (1, 2, 4, 8 s by default).
    attempts : total tries, >= 1; the last throttling error is re-raised
    sleep : ``time.sleep`` in production, a recorder in tests [s]
    """
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except Exception as error:
            if attempt == attempts or not is_throttled(error):
                raise
            delay_s = first_delay_s * 2 ** (attempt - 1)
            log.debug("throttled (attempt %d of %d); retrying in %.1f s", attempt, attempts, delay_s)
            sleep(delay_s)
    raise AssertionError("unreachable")  # pragma: no cover
