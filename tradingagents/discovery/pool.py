"""Run callables on a bounded set of daemon threads, each with its own timeout.

Why not ``concurrent.futures.ThreadPoolExecutor``: its timeouts count from submission, a
stuck worker keeps its slot forever, and its non-daemon workers are joined at interpreter
exit, so one scanner that never returns keeps the process alive. Here:

* at most ``max_workers`` tasks run at once, started in submission order;
* a task's timeout counts from the moment its thread starts running it, never from
  submission, so a task queued behind others is not charged its wait;
* a task past its timeout is reported ``timeout`` at once, its slot goes to the next queued
  task, and its thread is abandoned: threads are daemons, so an abandoned one never blocks
  :meth:`DeadlinePool.run` or interpreter exit;
* every outcome is reported exactly once, in the supervising (calling) thread, which is the
  only thread that calls ``on_timeout``/``on_done``.

A task that finishes at or before its deadline is ``ok`` (or ``error``) even if the
supervisor only notices after the deadline: finish times are taken by the worker.
"""

from __future__ import annotations

import contextvars
import heapq
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

T = TypeVar("T")

Status = Literal["ok", "error", "timeout"]


@dataclass
class Outcome(Generic[T]):
    """How one task ended. Times are ``time.monotonic()`` values."""

    index: int
    status: Status
    value: T | None = None
    error: BaseException | None = None
    started: float | None = None
    finished: float | None = None

    @property
    def duration(self) -> float:
        if self.started is None or self.finished is None:
            return 0.0
        return self.finished - self.started


# Messages from workers: ("start", index, t) then ("done", index, t, value, error).
_Message = tuple[str, int, float, object, BaseException | None]


class DeadlinePool(Generic[T]):
    """Runs a batch of tasks; one instance per batch (see module docstring for the contract)."""

    def __init__(self, *, max_workers: int, timeout: float | None, name: str = "task") -> None:
        if max_workers < 1:
            raise ValueError(f"max_workers must be >= 1, got {max_workers}")
        if timeout is not None and timeout <= 0:
            raise ValueError(f"timeout must be > 0 seconds or None, got {timeout}")
        self.max_workers = max_workers
        self.timeout = timeout
        self.name = name
        #: Each started task's thread, by index (the caller may track abandoned ones).
        self.workers: dict[int, threading.Thread] = {}

    def run(
        self,
        tasks: Sequence[Callable[[], T]],
        *,
        on_timeout: Callable[[int], None] | None = None,
        on_done: Callable[[Outcome[T]], None] | None = None,
    ) -> list[Outcome[T]]:
        """Run every task; return their outcomes in submission order.

        ``on_timeout(index)`` when it is abandoned (cancel its work there), ``on_done`` once
        per task with its final outcome. If the caller is interrupted (Ctrl-C), every
        running task gets ``on_timeout`` and the exception propagates at once.
        """
        inbox: queue.SimpleQueue[_Message] = queue.SimpleQueue()
        outcomes: list[Outcome[T] | None] = [None] * len(tasks)
        next_task = 0
        running: set[int] = set()
        deadlines: list[tuple[float, int]] = []  # heap of (deadline, index)

        def launch(index: int) -> None:
            context = contextvars.copy_context()
            thread = threading.Thread(
                target=context.run,
                args=(_work, index, tasks[index], inbox),
                name=f"{self.name}-{index}",
                daemon=True,
            )
            running.add(index)
            self.workers[index] = thread
            thread.start()

        def finish(outcome: Outcome[T]) -> None:
            outcomes[outcome.index] = outcome
            running.discard(outcome.index)
            if on_done is not None:
                on_done(outcome)

        started_at: dict[int, float] = {}
        try:
            while next_task < len(tasks) or running:
                while next_task < len(tasks) and len(running) < self.max_workers:
                    launch(next_task)
                    next_task += 1
                wait = None
                if deadlines:
                    wait = max(0.0, deadlines[0][0] - time.monotonic())
                try:
                    message = inbox.get(timeout=wait)
                except queue.Empty:
                    message = None
                if message is not None:
                    self._handle(message, started_at, deadlines, outcomes, finish)
                    # Drain what else arrived, so a task that finished in time is never
                    # mistaken for a timed-out one below.
                    while True:
                        try:
                            queued = inbox.get_nowait()
                        except queue.Empty:
                            break
                        self._handle(queued, started_at, deadlines, outcomes, finish)
                now = time.monotonic()
                while deadlines and deadlines[0][0] <= now:
                    deadline, index = heapq.heappop(deadlines)
                    if outcomes[index] is not None:
                        continue
                    if on_timeout is not None:
                        on_timeout(index)
                    finish(Outcome(index, "timeout", started=started_at[index], finished=deadline))
        except BaseException:
            for index in sorted(running):
                if on_timeout is not None:
                    on_timeout(index)
            raise
        return [outcome for outcome in outcomes if outcome is not None]

    def _handle(
        self,
        message: _Message,
        started_at: dict[int, float],
        deadlines: list[tuple[float, int]],
        outcomes: list[Outcome[T] | None],
        finish: Callable[[Outcome[T]], None],
    ) -> None:
        kind, index, at, value, error = message
        if outcomes[index] is not None:
            return  # a late message from an abandoned task
        if kind == "start":
            started_at[index] = at
            if self.timeout is not None:
                heapq.heappush(deadlines, (at + self.timeout, index))
            return
        started = started_at[index]
        if self.timeout is not None and at > started + self.timeout:
            return  # finished after its deadline: the deadline check reports the timeout
        status: Status = "ok" if error is None else "error"
        finish(Outcome(index, status, value=value, error=error, started=started, finished=at))  # type: ignore[arg-type]


def _work(index: int, task: Callable[[], object], inbox: queue.SimpleQueue[_Message]) -> None:
    inbox.put(("start", index, time.monotonic(), None, None))
    value: object = None
    error: BaseException | None = None
    try:
        value = task()
    except (
        BaseException
    ) as exc:  # SystemExit, KeyboardInterrupt... raised in a task are its failure
        error = exc
    inbox.put(("done", index, time.monotonic(), value, error))
