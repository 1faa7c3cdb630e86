"""The reverse sweep recorded as a graph, so that it can be differentiated again.

Recording the tape with traced numbers (each operation adds a node to a new
graph, see :mod:`adcli.programs.trace`) turns the op table's own partials
into graph nodes, and the one adjoint sweep of :mod:`adcli.tape.sweeps`, run
on those numbers, adds the gradient: the result is a graph whose outputs are
the gradient.  A tangent sweep through that graph is forward-over-reverse:
one sweep gives a Hessian-vector product, n sweeps the Hessian -- with no
second-derivative rule written anywhere.

Comparisons (branches, kinks, the partials' own ``where``) are decided on the
values at the recorded point, so the graph is the gradient near that point,
which is where second derivatives are asked for.
"""

from __future__ import annotations

from ..language.graph import Graph
from ..programs.trace import Tracer, namespace
from .record import Tape, record
from .sweeps import adjoints


def gradient_graph(tape: Tape) -> tuple[Graph, list[int]]:
    """A graph of the tape's forward and reverse sweeps; returns it and the gradient
    node of each input (in the order of ``tape.inputs``)."""
    tracer = Tracer()
    inputs = {name: tracer.variable(name, float(tape.point[name])) for name in tape.inputs}
    replay = record(tape.graph, inputs, namespace(tracer))
    bar = adjoints(replay, {replay.output: 1} if replay.output >= 0 else {})
    g = tracer.graph
    gradient = [tracer.node(bar[entry]) for entry in replay.inputs.values()]
    g.outputs = gradient
    g.output = gradient[0] if gradient else tracer.node(0)
    return g, gradient


def nested_derivatives(graph: Graph, point: dict, name: str, order: int):
    """f', f'', ... by differentiating the recorded derivative again, ``order`` times.

    Yields ``(k, tape entries of the k-th derivative, its value)``: the work of
    nested AD, which multiplies with every level (Taylor mode's does not).
    """
    tape = record(graph, point)
    for k in range(1, order + 1):
        graph, gradient = gradient_graph(tape)
        graph.output = gradient[list(tape.inputs).index(name)]
        graph.outputs = [graph.output]
        tape = record(graph, point)
        yield k, len(tape), tape.value
