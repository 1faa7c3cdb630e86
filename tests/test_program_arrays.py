"""Programs of NumPy arrays: a parameter given an array is traced as one value.

References are independent of adcli's tracing: the same network written as an
adcli formula, central differences of the user's own function run in plain
NumPy, and closed forms (least squares: 2Aᵀ(Ax − b)).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from adcli.backends import FormulaSource, Problem, backend
from adcli.errors import MathError, UsageError
from adcli.language.graph import VAR
from adcli.language.parser import parse
from adcli.programs.source import ProgramSource
from adcli.programs.trace import load, trace

SOURCE = textwrap.dedent("""\
    import numpy as np
    from adcli.functions import relu, mean

    C = np.arange(6.0).reshape(2, 3) / 10

    def relu_net(X, W1, b1, W2, b2, Y):
        H = np.maximum(X @ W1 + b1, 0)
        return np.mean((H @ W2 + b2 - Y) ** 2)

    def tanh_net(X, W1, b1, W2, b2, Y):
        return np.mean((np.tanh(X @ W1 + b1) @ W2 + b2 - Y) ** 2)

    def functions_net(X, W1, b1, W2, b2, Y):
        return mean((relu(X @ W1 + b1) @ W2 + b2 - Y) ** 2)

    def least_squares(A, x, b):
        r = A @ x - b
        return np.sum(r ** 2)

    def structural(A, v):
        B = A.T @ A + np.outer(v, v)
        return (np.trace(B) + np.sum(B, axis=0) @ v + A.reshape(3, -1).sum()
                + A[1, 2] * np.linalg.norm(v) + np.max(A) + A.flatten()[0] + np.dot(v, v)
                + np.sum(np.mean(A, axis=1)) + np.min(B) + np.sum(np.square(A)))

    def constants(A):
        return np.sum(C * A) + np.sum(A @ np.ones(3)) + np.sum((A > 0) * np.exp(A))

    def leaky(A, v):
        H = np.where(A > 0, A, 0.1 * A) @ v
        return np.sum(np.clip(H, -0.5, None) ** 2) + np.sum(np.where(v < 0, v, 0) ** 2)

    def scalar_decision(A):
        s = np.sum(A)
        if s > 0:
            return s ** 2
        return -s

    def unknown(A):
        return np.sum(np.cumsum(A))

    def branch(A):
        if A > 0:
            return np.sum(A)
        return -np.sum(A)

    def loop(A):
        s = 0
        for row in A:
            s = s + row
        return np.sum(s)

    def to_float(A):
        return float(A) * 2

    def slices(A):
        return np.sum(A[:, 0])

    def mismatch(A, v):
        return np.sum(A + v)

    def logarithm(A):
        return np.sum(np.log(A))
    """)

RNG = np.random.default_rng(12)
NET = dict(X=RNG.normal(size=(4, 3)), W1=RNG.normal(size=(3, 5)), b1=RNG.normal(size=5),
           W2=RNG.normal(size=(5, 2)), b2=RNG.normal(size=2), Y=RNG.normal(size=(4, 2)))
A23, V3 = RNG.normal(size=(2, 3)), RNG.normal(size=3)


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    file = tmp_path_factory.mktemp("arrays") / "model.py"
    file.write_text(SOURCE)
    return file


@pytest.fixture(scope="module")
def module(path):
    """The user's file imported as Python imports it: the untraced reference."""
    spec = importlib.util.spec_from_file_location("array_model", path)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


def line_of(text: str) -> int:
    return next(n for n, line in enumerate(SOURCE.splitlines(), 1) if text in line)


def program_problem(path, function: str, point: dict) -> Problem:
    """What adcli.api.problem builds for --program with array values at the point."""
    program = load(f"{path}:{function}")
    graph, decisions = trace(program, point)
    for name in program.parameters:
        graph.add(VAR, (), name)
    graph.variables = {name: graph.variables[name] for name in program.parameters}
    return Problem(f"{path}:{function}", graph, point, tuple(program.parameters),
                   source=ProgramSource(program, tuple(decisions)))


def differences(function, point: dict, name: str):
    """Central differences (h = 1e-6) of the plain NumPy function, element by element."""
    x = np.asarray(point[name], dtype=float)
    g = np.zeros(x.shape)
    for index in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[index] += 1e-6
        down[index] -= 1e-6
        g[index] = (function(**{**point, name: up}) - function(**{**point, name: down})) \
            / 2e-6
    return g


def formula_gradient(text: str, point: dict):
    graph = parse(text)
    problem = Problem(text, graph, point, tuple(graph.variables), source=FormulaSource(graph))
    return backend("reverse")(problem)


@pytest.mark.parametrize("function, formula", [
    ("relu_net", "mean((relu(X @ W1 + b1) @ W2 + b2 - Y)**2)"),
    ("tanh_net", "mean((tanh(X @ W1 + b1) @ W2 + b2 - Y)**2)"),
    ("functions_net", "mean((relu(X @ W1 + b1) @ W2 + b2 - Y)**2)"),
])
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_a_two_layer_network_program(path, module, function, formula, mode):
    result = backend(mode)(program_problem(path, function, NET))
    same = formula_gradient(formula, NET)
    assert result.value == pytest.approx(getattr(module, function)(**NET), rel=1e-14)
    for name in NET:
        assert np.shape(result.gradient[name]) == np.shape(NET[name])
        np.testing.assert_allclose(result.gradient[name], same.gradient[name],
                                   rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(result.gradient[name],
                                   differences(getattr(module, function), NET, name),
                                   rtol=1e-6, atol=1e-8)


def test_one_node_for_each_whole_array_operation(path):
    """X @ W1 + b1, the relu, @ W2 + b2, - Y, **2, mean: not one node per element."""
    problem = program_problem(path, "relu_net", NET)
    ops = [kind for kind in problem.graph.kinds if kind not in ("var", "const")]
    assert ops == ["matmul", "add", "max", "matmul", "add", "sub", "pow", "mean"]


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_least_squares_program_is_the_closed_form(path, mode):
    a, x, b = RNG.normal(size=(6, 3)), RNG.normal(size=3), RNG.normal(size=6)
    result = backend(mode)(program_problem(path, "least_squares", dict(A=a, x=x, b=b)))
    np.testing.assert_allclose(result.gradient["x"], 2 * a.T @ (a @ x - b), rtol=1e-12)
    np.testing.assert_allclose(result.gradient["b"], -2 * (a @ x - b), rtol=1e-12)
    np.testing.assert_allclose(result.gradient["A"], 2 * np.outer(a @ x - b, x), rtol=1e-12)


@pytest.mark.parametrize("function, point", [
    ("structural", dict(A=A23, v=V3)),
    ("constants", dict(A=A23)),
    ("leaky", dict(A=np.array([[0.5, -1.2, 0.3], [-0.7, 0.9, -2.0]]),  # each piece taken
                   v=np.array([0.4, -0.8, 1.1]))),
    ("scalar_decision", dict(A=A23)),
    ("scalar_decision", dict(A=-np.abs(A23))),
])
def test_numpy_functions_and_constants_against_differences(path, module, function, point):
    for mode in ("reverse", "forward"):
        result = backend(mode)(program_problem(path, function, point))
        assert result.value == pytest.approx(getattr(module, function)(**point), rel=1e-13)
        for name in point:
            np.testing.assert_allclose(result.gradient[name],
                                       differences(getattr(module, function), point, name),
                                       rtol=1e-6, atol=1e-8)


def test_the_cli_differentiates_a_program_of_arrays(run, path, tmp_path):
    a, x, b = RNG.normal(size=(5, 3)), RNG.normal(size=3), RNG.normal(size=5)
    np.save(tmp_path / "a.npy", a)
    for mode in ("reverse", "forward"):
        result = run("diff", "--program", f"{path}:least_squares", "--at",
                     f"A=@{tmp_path / 'a.npy'}", "--at", f"x={x.tolist()}".replace(" ", ""),
                     "--at", f"b={b.tolist()}".replace(" ", ""), "--mode", mode,
                     "--format", "json")
        assert result.exit_code == 0, result.stderr
        out = json.loads(result.stdout)
        np.testing.assert_allclose(out["gradient"]["x"], 2 * a.T @ (a @ x - b), rtol=1e-12)
        assert np.shape(out["gradient"]["A"]) == (5, 3)


@pytest.mark.parametrize("function, text, message", [
    ("unknown", "np.cumsum(A)", "TypeError: numpy.cumsum has no derivative rule in adcli "
                                "for a traced array"),
    ("branch", "if A > 0:", "TypeError: an array comparison has no one truth value"),
    ("loop", "for row in A:", "TypeError: iterating over a traced array"),
    ("to_float", "float(A) * 2", "TypeError: float() of a traced array would drop its "
                             "derivative"),
    ("slices", "A[:, 0]", "TypeError: indexing with slice(None, None, None)"),
])
def test_what_adcli_cannot_trace_is_refused_at_its_line(path, function, text, message):
    with pytest.raises(MathError) as info:
        program_problem(path, function, dict(A=A23))
    assert info.value.message.startswith(f"{path}:{line_of(text)}: {message}")
    assert "\n" not in info.value.message


def test_refusals_through_the_cli_are_one_line(run, path):
    result = run("diff", "--program", f"{path}:branch", "--at", "A=[[1,-2],[3,4]]")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(f"adcli: math error: {path}:{line_of('if A > 0:')}: ")
    assert result.stderr.count("\n") == 1


def test_shapes_that_do_not_broadcast_are_a_usage_error(path):
    with pytest.raises(UsageError, match=rf"{line_of('A + v')}: .*\(2, 3\) and \(2,\): "
                                         r"they do not broadcast"):
        program_problem(path, "mismatch", dict(A=A23, v=np.ones(2)))


def test_an_undefined_element_is_named_at_the_line(path):
    a = np.array([[1.0, -2.0], [3.0, 4.0]])
    with pytest.raises(MathError, match=rf"model.py:{line_of('np.log(A)')}: log has no real "
                                        r"value at element \[0, 1\]: it needs"):
        program_problem(path, "logarithm", dict(A=a))


def test_a_program_of_numbers_still_imports_no_numpy(tmp_path):
    file = tmp_path / "scalar.py"
    file.write_text("from adcli.functions import sin\ndef f(x, y):\n    return sin(x) * y\n")
    code = ("import sys\n"
            "from adcli.api import problem\n"
            "from adcli.backends import backend\n"
            "from adcli.programs import ProgramFile\n"
            f"p = problem(ProgramFile({str(file) + ':f'!r}), ['x=0.5', 'y=2'])\n"
            "print(backend('reverse')(p).gradient['y'], 'numpy' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    value, imported = out.stdout.split()
    assert float(value) == pytest.approx(0.479425538604203, rel=1e-15)
    assert imported == "False"
