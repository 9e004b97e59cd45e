"""Engine calls side by side: results and errors come back as from a plain call, and a call made from a pool
thread never waits on the pool."""

from __future__ import annotations

import threading

import pytest

from indexer.search.side_by_side import THREADS, later


def test_a_result_and_an_error_come_back():
    assert later(lambda: 6 * 7).result() == 42

    def fails() -> int:
        raise ValueError("检索失败")

    with pytest.raises(ValueError, match="检索失败"):
        later(fails).result()


def test_calls_nested_in_every_pool_thread_do_not_deadlock():
    """Every pool thread busy with a task that itself asks for a side call: the inner calls run in place."""
    gate = threading.Barrier(THREADS, timeout=10)

    def outer(i: int) -> int:
        gate.wait()  # all pool threads are taken at once
        return later(lambda: i * 2).result(timeout=10)

    futures = [later(lambda i=i: outer(i)) for i in range(THREADS)]
    assert [f.result(timeout=30) for f in futures] == [i * 2 for i in range(THREADS)]
