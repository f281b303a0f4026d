"""The build as a graph of tasks: each a piece of work, the tasks it needs, its result.

A build is one task per output, one per output's proofs and, for an ebook whose
printed edition is not made in the same build, one that lays that edition out to
find where its pages begin (``pipeline.tasks``). A task names the tasks whose results
it takes (``needs``): an ebook takes its printed edition's page starts from that
task's result, as data, and a proof set takes the PDF its output's task wrote.

``Graph`` hands out tasks whose needs are done, each with those results, and takes
each task's result when it ends. Tasks come out by tier, then in the order they were
given: a task of a later tier (proofs) starts only once every task of the earlier
tiers (the outputs) has started, so no output waits behind a picture. A task that
needs a failed one is dropped, unless it runs ``after_failure`` (an ebook still
lays its edition out itself). An executor (``pipeline.workers``) is the small thing
between: it runs what the graph hands it, anywhere, and hands back the results.

Work is plain data, so it can go to another process. A result is let go once every
task that needs it has started: the graph's memory does not grow with finished work.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar


class Outcome(Protocol):
    """What the graph needs to know of a result: whether its task succeeded."""

    @property
    def ok(self) -> bool: ...


W = TypeVar("W")
R = TypeVar("R", bound=Outcome)


@dataclass(frozen=True)
class Task(Generic[W]):
    """A piece of work, the ids of the tasks whose results it needs, and its tier."""

    id: str
    work: W
    needs: tuple[str, ...] = ()
    #: Lower tiers first: a task starts only once every task of a lower tier has.
    tier: int = 0
    #: Whether it still runs when a task it needs failed (and is given that result).
    after_failure: bool = False


class Graph(Generic[W, R]):
    """Tasks in dependency order: ``take`` what may start, ``finish`` what ended."""

    def __init__(self, tasks: Iterable[Task[W]]) -> None:
        self.tasks = {task.id: task for task in tasks}
        self._order = {task_id: index for index, task_id in enumerate(self.tasks)}
        #: The needs not yet met of each task not started (nor dropped).
        self._waiting = {task.id: set(task.needs) for task in self.tasks.values()}
        self._users: dict[str, list[str]] = {task_id: [] for task_id in self.tasks}
        for task in self.tasks.values():
            for need in task.needs:
                self._users[need].append(task.id)  # KeyError: a need no task meets
        self._check_acyclic()
        #: Of each finished task, its result and the users still to take it.
        self._results: dict[str, tuple[R, set[str]]] = {}
        self._unstarted = [0] * (max((t.tier for t in self.tasks.values()), default=0) + 1)
        for task in self.tasks.values():
            self._unstarted[task.tier] += 1
        self._ready: list[tuple[int, int, str]] = []
        self._left = len(self.tasks)  # neither finished nor dropped
        for task_id, needs in self._waiting.items():
            if not needs:
                self._push(task_id)

    def _check_acyclic(self) -> None:
        """Kahn's count: a task in a loop of needs could never start."""
        waiting = {task_id: len(needs) for task_id, needs in self._waiting.items()}
        free = [task_id for task_id, count in waiting.items() if not count]
        for task_id in free:  # grows as it goes
            for user in self._users[task_id]:
                waiting[user] -= 1
                if not waiting[user]:
                    free.append(user)
        if len(free) != len(self.tasks):
            raise ValueError(f"tasks that need each other: {sorted(set(self.tasks) - set(free))}")

    @property
    def done(self) -> bool:
        """Every task finished or dropped."""
        return not self._left

    def take(self) -> tuple[Task[W], dict[str, R]] | None:
        """The next task that may start and the results of its needs; None if none may
        now (all started, or the rest wait for running tasks or an earlier tier)."""
        if not self._ready or any(self._unstarted[:self._ready[0][0]]):
            return None
        tier, _, task_id = heapq.heappop(self._ready)
        self._unstarted[tier] -= 1
        del self._waiting[task_id]
        task = self.tasks[task_id]
        return task, {need: self._hand_over(need, task_id) for need in task.needs}

    def finish(self, task_id: str, result: R) -> list[Task[W]]:
        """``task_id`` ended with ``result``: its users may start. Returns the tasks
        dropped because it failed (and theirs in turn)."""
        self._left -= 1
        users = [user for user in self._users[task_id] if user in self._waiting]
        if users:
            self._results[task_id] = (result, set(users))
        dropped: list[Task[W]] = []
        for user in users:
            if user not in self._waiting:
                continue  # dropped meanwhile, with another user of this result
            if not result.ok and not self.tasks[user].after_failure:
                dropped += self.drop(user)
                continue
            self._waiting[user].discard(task_id)
            if not self._waiting[user]:
                self._push(user)
        return dropped

    def drop(self, task_id: str) -> list[Task[W]]:
        """Never start ``task_id`` (nor the tasks that need it): no longer wanted, or
        a need failed. Returns the tasks dropped; one already started is not."""
        if task_id not in self._waiting:
            return []  # already started, finished or dropped
        if not self._waiting.pop(task_id):  # all its needs met: it is in the ready heap
            self._ready = [entry for entry in self._ready if entry[2] != task_id]
            heapq.heapify(self._ready)
        task = self.tasks[task_id]
        self._unstarted[task.tier] -= 1
        self._left -= 1
        for need in task.needs:
            if need in self._results:
                self._let_go(need, task_id)
        dropped = [task]
        for user in self._users[task_id]:
            dropped += self.drop(user)
        return dropped

    def drop_all(self) -> list[Task[W]]:
        """Start no more tasks (those running still end): the build was stopped."""
        dropped: list[Task[W]] = []
        for task_id in list(self._waiting):
            dropped += self.drop(task_id)
        return dropped

    def _push(self, task_id: str) -> None:
        heapq.heappush(self._ready, (self.tasks[task_id].tier, self._order[task_id], task_id))

    def _hand_over(self, need: str, user: str) -> R:
        """``need``'s result, for ``user``."""
        result = self._results[need][0]
        self._let_go(need, user)
        return result

    def _let_go(self, need: str, user: str) -> None:
        """``user`` no longer waits for ``need``'s result: kept only while one does."""
        users = self._results[need][1]
        users.discard(user)
        if not users:
            del self._results[need]
