"""Run callables on a bounded set of daemon threads, each with its own timeout.

Why not ``concurrent.futures.ThreadPoolExecutor``: its timeouts count from submission, a
stuck worker keeps its slot forever, and its non-daemon workers are joined at interpreter
exit, so one scanner that never returns keeps the process alive. Here:

* at most ``max_workers`` tasks run at once, started in submission order (the tasks' order,
  or the ``order`` given to :meth:`DeadlinePool.run`; outcomes stay indexed by task);
* a task's timeout counts from the moment its thread starts running it, never from
  submission, so a task queued behind others is not charged its wait;
* a task past its timeout is reported ``timeout`` at once, its slot goes to the next queued
  task, and its thread is abandoned: threads are daemons, so an abandoned one never blocks
  :meth:`DeadlinePool.run` or interpreter exit;
* every outcome is reported exactly once, in the supervising (calling) thread, which is the
  only thread that calls ``on_timeout``/``on_done``.

A task that finishes at or before its deadline is ``ok`` (or ``error``) even if the
supervisor only notices after the deadline: finish times are taken by the worker.

What a timeout means when one task starves the others of the GIL (one long C call such as
``sum(range(10**9))`` holds it; no other Python thread, the supervisor included, runs until
it returns): a task's timeout counts the time it could have run. The supervisor wakes at
least every :data:`FREEZE_POLL_SECONDS` while tasks run; waking more than
:data:`FREEZE_SECONDS` late means the interpreter was frozen. The task that used the CPU
meanwhile (per-thread CPU clocks) held the GIL: it is charged in full and times out at its
timeout from its own start. Every other running task was frozen, and its deadline moves by
the frozen time, so a healthy task is not reported ``timeout`` for waiting on the GIL; its
reported duration is still its wall time. A truly hung task times out at exactly its
timeout from its own start, later only by the freezes another task caused while it waited
(when nothing, not even the supervisor, could run). A stall no task caused (the machine
stopped the process) is not forgiven, nor are many short C calls (ordinary contention,
shared by all). Where per-thread CPU clocks do not exist (not POSIX), nobody is moved. A
CPU-bound scanner belongs in a process of its own.
"""

from __future__ import annotations

import contextvars
import heapq
import logging
import queue
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

T = TypeVar("T")

logger = logging.getLogger(__name__)

#: While tasks with deadlines run, the supervisor wakes at least this often ...
FREEZE_POLL_SECONDS = 0.05
#: ... so waking up later than this past its time means the interpreter was frozen.
FREEZE_SECONDS = 0.25
#: A task using at least this share of a freeze in CPU may be the one that held the GIL.
HOLDER_MIN_SHARE = 0.02

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
        order: Sequence[int] | None = None,
    ) -> list[Outcome[T]]:
        """Run every task; return their outcomes in task order.

        ``order``: the task indices in the order to start them (a permutation of the
        indices; default: as given). It changes only which task waits for a free worker,
        never an index: ``on_timeout``/``on_done`` and the outcomes name tasks by position
        in ``tasks``. ``on_timeout(index)`` when it is abandoned (cancel its work there),
        ``on_done`` once per task with its final outcome. If the caller is interrupted
        (Ctrl-C), every running task gets ``on_timeout`` and the exception propagates at once.
        """
        queued = _submission_order(order, len(tasks))
        inbox: queue.SimpleQueue[_Message] = queue.SimpleQueue()
        outcomes: list[Outcome[T] | None] = [None] * len(tasks)
        next_task = 0  # position in ``queued``
        running: set[int] = set()
        deadlines: list[tuple[float, int]] = []  # heap of (deadline, index); may be stale
        clock = _Clocks(self.timeout)

        def launch(index: int) -> None:
            context = contextvars.copy_context()
            thread = threading.Thread(
                target=context.run,
                args=(_work, index, tasks[index], inbox, clock),
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

        try:
            while next_task < len(tasks) or running:
                # Freezes are measured from here to the wake-up: starting a thread waits for
                # it, so a task that grabs the GIL at once freezes us inside launch().
                clock.mark(running)
                while next_task < len(tasks) and len(running) < self.max_workers:
                    launch(queued[next_task])
                    next_task += 1
                wait = None
                if self.timeout is not None and running:
                    wait = FREEZE_POLL_SECONDS
                    if deadlines:
                        wait = min(wait, max(0.0, deadlines[0][0] - time.monotonic()))
                try:
                    message = inbox.get(timeout=wait)
                except queue.Empty:
                    message = None
                if wait is not None:
                    # Before any message is judged: a freeze moves the frozen tasks' deadlines.
                    clock.woke(wait, running, deadlines)
                if message is not None:
                    self._handle(message, clock, deadlines, outcomes, finish)
                    # Drain what else arrived, so a task that finished in time is never
                    # mistaken for a timed-out one below.
                    while True:
                        try:
                            pending = inbox.get_nowait()
                        except queue.Empty:
                            break
                        self._handle(pending, clock, deadlines, outcomes, finish)
                now = time.monotonic()
                while deadlines and deadlines[0][0] <= now:
                    deadline, index = heapq.heappop(deadlines)
                    if outcomes[index] is not None or deadline != clock.deadline[index]:
                        continue  # finished, or its deadline moved (a newer entry exists)
                    if on_timeout is not None:
                        on_timeout(index)
                    started = clock.started[index]
                    finish(Outcome(index, "timeout", started=started, finished=deadline))
        except BaseException:
            for index in sorted(running):
                if on_timeout is not None:
                    on_timeout(index)
            raise
        return [outcome for outcome in outcomes if outcome is not None]

    def _handle(
        self,
        message: _Message,
        clock: _Clocks,
        deadlines: list[tuple[float, int]],
        outcomes: list[Outcome[T] | None],
        finish: Callable[[Outcome[T]], None],
    ) -> None:
        kind, index, at, value, error = message
        if outcomes[index] is not None:
            return  # a late message from an abandoned task
        if kind == "start":
            deadline = clock.start(index, at)
            if deadline is not None:
                heapq.heappush(deadlines, (deadline, index))
            return
        started = clock.started[index]
        if index in clock.deadline and at > clock.deadline[index]:
            return  # finished after its deadline: the deadline check reports the timeout
        status: Status = "ok" if error is None else "error"
        finish(Outcome(index, status, value=value, error=error, started=started, finished=at))  # type: ignore[arg-type]


def _submission_order(order: Sequence[int] | None, count: int) -> list[int]:
    if order is None:
        return list(range(count))
    queued = list(order)
    if sorted(queued) != list(range(count)):
        raise ValueError(
            f"order must list each task index 0..{count - 1} once, got {queued[:20]!r}"
        )
    return queued


class _Clocks:
    """Start times and deadlines of one batch's tasks, and the freeze rule (module docstring).

    A freeze is seen as the supervisor waking up late: it asks to wake within
    :data:`FREEZE_POLL_SECONDS`, so a wake-up more than :data:`FREEZE_SECONDS` late means no
    Python thread could run for that long (one held the GIL in a long C call, or the OS
    stopped the process). The task whose thread used the most CPU meanwhile (read from its
    thread's CPU clock) held the interpreter and is charged in full, as is any task that used
    at least half as much; every other running task was frozen, and its deadline moves by
    the frozen time. When no task used a noticeable share (:data:`HOLDER_MIN_SHARE`), no task
    caused the freeze and nobody is moved.
    """

    def __init__(self, timeout: float | None) -> None:
        self.timeout = timeout
        self.started: dict[int, float] = {}
        self.deadline: dict[int, float] = {}
        self._frozen: dict[int, list[tuple[float, float]]] = {}
        self._cpu: dict[int, float | None] = {}
        self._marked = time.monotonic()
        # Written by the worker threads: each one's CPU clock, and its CPU time as it ended
        # (a freeze may be noticed only after a frozen task's thread has ended).
        self._clock_ids: dict[int, int] = {}
        self._final_cpu: dict[int, float] = {}

    def start(self, index: int, at: float) -> float | None:
        """Record a task's start; its deadline (``None``: no timeout)."""
        self.started[index] = at
        if self.timeout is None:
            return None
        # A freeze it sat through before its start message was read counts from its start.
        moved = sum(max(0.0, end - max(begin, at)) for begin, end in self._frozen.get(index, []))
        self.deadline[index] = at + self.timeout + moved
        return self.deadline[index]

    def mark(self, running: Collection[int]) -> None:
        """Before the supervisor may block: the time, and each running task's CPU time."""
        self._marked = time.monotonic()
        if self.timeout is not None:
            self._cpu = {index: self._cpu_of(index) for index in running}

    def woke(
        self, waited: float, running: Collection[int], deadlines: list[tuple[float, int]]
    ) -> None:
        """After the supervisor asked to sleep ``waited`` seconds at most."""
        now = time.monotonic()
        late = now - self._marked - waited
        if late <= FREEZE_SECONDS:
            return
        used: dict[int, float] = {}
        for index in running:
            after = self._cpu_of(index)
            if after is not None:
                # A thread that had no clock yet at the mark had used next to no CPU.
                used[index] = after - (self._cpu.get(index) or 0.0)
        busiest = max(used.values(), default=0.0)
        cpu_text = ", ".join(f"{index}: {cpu:.2f} s" for index, cpu in sorted(used.items()))
        if busiest < HOLDER_MIN_SHARE * late:
            # No task held the GIL (the machine stalled us all): nothing to forgive.
            logger.info("process stalled for %.2f s (task CPU: %s)", late, cpu_text)
            return
        moved = []
        for index, cpu in used.items():
            if cpu >= busiest / 2:
                continue  # it ran while the others could not: charged in full
            self._frozen.setdefault(index, []).append((now - late, now))
            moved.append(index)
            if index in self.deadline:
                self.deadline[index] += now - max(now - late, self.started[index])
                heapq.heappush(deadlines, (self.deadline[index], index))
        logger.info(
            "interpreter frozen for %.2f s (task CPU: %s); deadlines moved for tasks %s",
            late,
            cpu_text,
            moved or "none",
        )

    def thread_started(self, index: int) -> None:
        """In the task's own thread: the one place its clock id can be taken safely
        (``pthread_getcpuclockid`` on a thread that may have exited is undefined)."""
        if hasattr(time, "pthread_getcpuclockid"):
            self._clock_ids[index] = time.pthread_getcpuclockid(threading.get_ident())

    def thread_ending(self, index: int) -> None:
        """In the task's own thread, as it ends."""
        self._final_cpu[index] = time.thread_time()

    def _cpu_of(self, index: int) -> float | None:
        """CPU time of the task's thread; ``None`` when unknown (no per-thread CPU clocks
        here, or the thread has not started): such a task is charged, never moved."""
        clock_id = self._clock_ids.get(index)
        if clock_id is None:
            return None
        try:
            return time.clock_gettime(clock_id)
        except OSError:  # the thread has ended
            return self._final_cpu.get(index)


def _work(
    index: int, task: Callable[[], object], inbox: queue.SimpleQueue[_Message], clock: _Clocks
) -> None:
    clock.thread_started(index)
    inbox.put(("start", index, time.monotonic(), None, None))
    value: object = None
    error: BaseException | None = None
    try:
        value = task()
    except (
        BaseException
    ) as exc:  # SystemExit, KeyboardInterrupt... raised in a task are its failure
        error = exc
    clock.thread_ending(index)
    inbox.put(("done", index, time.monotonic(), value, error))
