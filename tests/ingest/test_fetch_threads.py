"""The Fetcher's request threads: results reach their coroutines, in few wake-ups of the loop."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from aggregator.ingest.fetch import _FetchThreads


class CountingLoop(asyncio.SelectorEventLoop):
    """An event loop that counts the callbacks other threads hand it."""

    def __init__(self) -> None:
        super().__init__()
        self.wakeups = 0

    def call_soon_threadsafe(self, callback: Any, *args: Any, context: Any = None) -> Any:
        self.wakeups += 1
        return super().call_soon_threadsafe(callback, *args, context=context)


def test_results_and_errors_reach_their_own_coroutines() -> None:
    threads = _FetchThreads(4)

    def job(i: int) -> int:
        time.sleep(0.001 * (i % 3))
        if i % 5 == 0:
            raise ValueError(f"job {i}")
        return i * i

    async def main() -> list[Any]:
        return await asyncio.gather(
            *(threads.run(lambda i=i: job(i)) for i in range(50)), return_exceptions=True
        )

    try:
        answers = asyncio.run(main())
    finally:
        threads.shutdown()
    for i, answer in enumerate(answers):
        if i % 5 == 0:
            assert isinstance(answer, ValueError) and str(answer) == f"job {i}"
        else:
            assert answer == i * i


def test_results_finished_while_the_loop_is_busy_come_in_one_wakeup() -> None:
    threads = _FetchThreads(4)
    finished: list[int] = []
    lock = threading.Lock()
    all_done = threading.Event()

    def job(i: int) -> int:
        with lock:
            finished.append(i)
            if len(finished) == 4:
                all_done.set()
        return i

    async def main() -> list[int]:
        futures = [threads.run(lambda i=i: job(i)) for i in range(4)]
        # The loop busy until every job has finished (in however many threads).
        assert all_done.wait(timeout=10)
        time.sleep(0.05)  # past the last job's hand-off
        return list(await asyncio.gather(*futures))

    loop = CountingLoop()
    try:
        assert loop.run_until_complete(main()) == [0, 1, 2, 3]
    finally:
        loop.close()
        threads.shutdown()
    assert loop.wakeups == 1


def test_a_job_cancelled_before_it_starts_is_skipped() -> None:
    threads = _FetchThreads(1)
    gate = threading.Event()
    ran: list[int] = []

    def job(i: int) -> int:
        gate.wait(timeout=10)
        ran.append(i)
        return i

    async def main() -> int:
        first = threads.run(lambda: job(1))
        second = threads.run(lambda: job(2))
        second.cancel()
        gate.set()
        value = await first
        third = threads.run(lambda: job(3))  # runs after the skipped one
        return value + await third

    try:
        assert asyncio.run(main()) == 4
    finally:
        threads.shutdown()
    assert ran == [1, 3]


def test_a_result_for_a_closed_loop_is_dropped_quietly() -> None:
    threads = _FetchThreads(1)
    release = threading.Event()
    done = threading.Event()
    errors: list[BaseException] = []
    old_hook = threading.excepthook
    threading.excepthook = lambda args: errors.append(args.exc_value)  # type: ignore[assignment]

    def job() -> int:
        release.wait(timeout=10)
        done.set()
        return 1

    async def main() -> None:
        future = threads.run(job)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(asyncio.shield(future), 0.05)

    try:
        asyncio.run(main())  # closes its loop with the job still running
        release.set()
        assert done.wait(timeout=10)
        time.sleep(0.1)
        assert errors == []
        # The threads serve a new loop afterwards.
        assert asyncio.run(_run(threads, lambda: 7)) == 7
    finally:
        threading.excepthook = old_hook
        threads.shutdown()


async def _run(threads: _FetchThreads, job: Any) -> Any:
    return await threads.run(job)
