"""The task graph on its own: dependency order, tiers, failures, and results let go."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from careleaf.pipeline.graph import Graph, Task


@dataclass
class Done:
    ok: bool = True
    value: str = ""


def run(graph: Graph[str, Done], failing: frozenset[str] = frozenset()) -> list[str]:
    """Take and finish every task in turn; the ids in the order they started."""
    order = []
    while (taken := graph.take()) is not None:
        task, _ = taken
        order.append(task.id)
        graph.finish(task.id, Done(task.id not in failing))
    assert graph.done
    return order


def test_a_task_starts_after_what_it_needs_even_when_given_first() -> None:
    graph = Graph[str, Done]([Task("epub", "e", ("a4",)), Task("a4", "a")])
    assert run(graph) == ["a4", "epub"]


def test_a_later_tier_waits_until_every_task_of_an_earlier_tier_has_started() -> None:
    graph = Graph[str, Done]([Task("proofs", "p", ("a4",), tier=1), Task("a4", "a"),
                              Task("epub", "e", ("a4",)), Task("letter", "l")])
    first = graph.take()
    assert first is not None and first[0].id == "a4"
    second = graph.take()
    assert second is not None and second[0].id == "letter"
    assert graph.take() is None  # the ebook waits for the A4, and the proofs for the ebook
    graph.finish("a4", Done())
    assert [taken[0].id for taken in iter(graph.take, None)] == ["epub", "proofs"]


def test_a_task_gets_the_results_of_what_it_needs() -> None:
    graph = Graph[str, Done]([Task("a4", "a"), Task("epub", "e", ("a4",))])
    taken = graph.take()
    assert taken is not None
    graph.finish("a4", Done(value="page starts"))
    taken = graph.take()
    assert taken is not None and taken[1]["a4"].value == "page starts"


def test_a_failed_need_drops_its_users_unless_they_run_after_failure() -> None:
    graph = Graph[str, Done]([Task("a4", "a"), Task("proofs", "p", ("a4",), tier=1),
                              Task("epub", "e", ("a4",), after_failure=True)])
    assert run(graph, failing=frozenset({"a4"})) == ["a4", "epub"]


def test_a_dropped_task_takes_its_users_with_it() -> None:
    graph = Graph[str, Done]([Task("a4", "a"), Task("proofs", "p", ("a4",), tier=1),
                              Task("after", "x", ("proofs",), tier=1)])
    taken = graph.take()
    assert taken is not None
    assert [task.id for task in graph.drop("proofs")] == ["proofs", "after"]
    graph.finish("a4", Done())
    assert graph.take() is None and graph.done


def test_a_result_is_let_go_once_every_user_has_it() -> None:
    graph = Graph[str, Done]([Task("a4", "a"), Task("epub", "e", ("a4",)),
                              Task("proofs", "p", ("a4",), tier=1)])
    run(graph)
    assert graph._results == {}


def test_needs_that_loop_or_name_no_task_are_refused() -> None:
    with pytest.raises(ValueError, match="need each other"):
        Graph[str, Done]([Task("a", "a", ("b",)), Task("b", "b", ("a",))])
    with pytest.raises(KeyError):
        Graph[str, Done]([Task("a", "a", ("nothing",))])
