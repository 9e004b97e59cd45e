"""Engine calls that do not wait on each other, run side by side.

Both engines leave the GIL while they search (a busy Python thread kept 83% of its pace beside a thread
searching Tantivy), so on two cores a page's searches and aggregations take about as long as the longest
chain of them. One pool per process: a pool made before gunicorn forks has no threads in the child."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
THREADS = 6
_PREFIX = "fagui-engine"
_POOLS: dict[int, ThreadPoolExecutor] = {}


def later(call: Callable[[], T]) -> Future[T]:
    """Start call on the process's engine pool; .result() waits for it and raises what it raised. Called from
    a pool thread, the call runs at once: a pool thread waiting on its own pool could wait forever once every
    thread waits so."""
    if threading.current_thread().name.startswith(_PREFIX):
        done: Future[T] = Future()
        try:
            done.set_result(call())
        except BaseException as exc:  # handed over like the pool would: .result() raises it
            done.set_exception(exc)
        return done
    pool = _POOLS.get(os.getpid())
    if pool is None:
        pool = _POOLS[os.getpid()] = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix=_PREFIX)
    return pool.submit(call)
