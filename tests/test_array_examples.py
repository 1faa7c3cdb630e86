"""The built-in vector and matrix examples: each gradient is its closed form and
agrees with central differences.

The closed forms are written here in NumPy from each example's own point (the
arrays in the example), and the differences perturb one element at a time and
evaluate the formula in NumPy, so neither reference goes through adcli's rules.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from adcli.errors import UsageError
from adcli.studies.array_examples import ARRAY_EXAMPLES, BY_NAME
from adcli.studies.examples import differentiated, listing


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


#: The formula of each example in NumPy, as a function of its point.
VALUE = {
    "matmul-vjp": lambda p: np.sum(p["Cbar"] * (p["A"] @ p["B"])),
    "least-squares": lambda p: np.sum((p["A"] @ p["x"] - p["b"]) ** 2),
    "quadratic-form": lambda p: p["x"] @ p["A"] @ p["x"],
    "softmax-xent": lambda p: -np.sum(p["y"] * np.log(_softmax(p["z"]))),
    "network": lambda p: np.mean((np.tanh(p["X"] @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
                                  - p["Y"]) ** 2),
}


def _network(p):
    h = np.tanh(p["X"] @ p["W1"] + p["b1"])
    r = h @ p["W2"] + p["b2"] - p["Y"]
    rbar = 2 * r / r.size
    zbar = rbar @ p["W2"].T * (1 - h ** 2)
    return {"W1": p["X"].T @ zbar, "b1": zbar.sum(axis=0), "W2": h.T @ rbar,
            "b2": rbar.sum(axis=0)}


#: The closed form each example illustrates, from the textbook.
CLOSED_FORM = {
    "matmul-vjp": lambda p: {"A": p["Cbar"] @ p["B"].T, "B": p["A"].T @ p["Cbar"]},
    "least-squares": lambda p: {"x": 2 * p["A"].T @ (p["A"] @ p["x"] - p["b"])},
    "quadratic-form": lambda p: {"x": (p["A"] + p["A"].T) @ p["x"]},
    "softmax-xent": lambda p: {"z": _softmax(p["z"]) - p["y"]},
    "network": _network,
}


def _point(example):
    return {name: np.array(value, dtype=float) for name, value in example.point}


def _differences(example, name):
    point = _point(example)
    x = point[name]
    g = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[index] += 1e-6
        down[index] -= 1e-6
        g[index] = (VALUE[example.name]({**point, name: up})
                    - VALUE[example.name]({**point, name: down})) / 2e-6
    return g


NAMES = [example.name for example in ARRAY_EXAMPLES]


def test_the_course_exercises_are_all_there():
    assert set(NAMES) == set(VALUE) == set(CLOSED_FORM)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_gradient_is_the_closed_form(name, mode):
    example = BY_NAME[name]
    want = CLOSED_FORM[name](_point(example))
    result = differentiated(name, mode=mode)
    assert result.value == pytest.approx(VALUE[name](_point(example)), rel=1e-14)
    assert set(result.gradient) == set(example.wrt) == set(want)
    for variable, g in want.items():
        assert result.gradient[variable].shape == g.shape
        np.testing.assert_allclose(result.gradient[variable], g, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_agrees_with_central_differences(name):
    example = BY_NAME[name]
    result = differentiated(name)
    for variable in example.wrt:
        np.testing.assert_allclose(result.gradient[variable],
                                   _differences(example, variable), rtol=1e-6, atol=1e-8)


def test_the_numbers_written_in_the_closed_forms_are_right():
    """The exercises print their answers; those are the closed forms at the point."""
    def shown(a):
        return json.dumps(np.asarray(a).astype(int).tolist())

    for name, variables in (("matmul-vjp", "AB"), ("least-squares", "x"),
                            ("quadratic-form", "x")):
        example = BY_NAME[name]
        want = CLOSED_FORM[name](_point(example))
        for variable in variables:
            assert np.all(want[variable] == np.round(want[variable]))
            assert shown(want[variable]) in example.closed_form
    a = _point(BY_NAME["quadratic-form"])["A"]
    assert shown(a + a.T) in BY_NAME["quadratic-form"].closed_form


def test_matmul_vjp_is_exactly_the_course_answer():
    result = differentiated("matmul-vjp")
    assert result.gradient["A"].tolist() == [[1, 4, 6], [3, 10, 12]]
    assert result.gradient["B"].tolist() == [[13, 18], [17, 24], [21, 30]]


def test_wrt_chooses_other_variables():
    result = differentiated("least-squares", wrt=["b"])
    p = _point(BY_NAME["least-squares"])
    np.testing.assert_allclose(result.gradient["b"], -2 * (p["A"] @ p["x"] - p["b"]))


def test_listed_with_their_point_as_at_options():
    listed = {e.name: e for e in listing().examples}
    assert listed["matmul-vjp"].at == ("Cbar=[[1, 2], [3, 4]]", "A=[[1, 2, 3], [4, 5, 6]]",
                                       "B=[[1, 0], [2, 1], [0, 3]]")
    assert listed["softmax-xent"].at == ("y=[0, 1, 0]", "z=[1, 2, 0.5]")
    for name in NAMES:
        assert f"adcli diff --example {name}" in listed[name].source


def test_cli_diff_example_prints_the_closed_form(run):
    result = run("diff", "--example", "matmul-vjp", "-f", "json")
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["gradient"] == {"A": [[1, 4, 6], [3, 10, 12]],
                                  "B": [[13, 18], [17, 24], [21, 30]]}
    forward = run("diff", "--example", "quadratic-form", "--mode", "forward", "-f", "json")
    assert forward.exit_code == 0, forward.stderr
    assert json.loads(forward.stdout)["gradient"] == {"x": [6, 13]}


def test_cli_examples_lists_them(run):
    result = run("examples", "-f", "json")
    assert result.exit_code == 0
    names = [e["name"] for e in json.loads(result.stdout)["examples"]]
    assert names[-len(NAMES):] == NAMES and "baydin" in names


@pytest.mark.parametrize("extra, flag", [(["x@x"], "EXPR"), (["--at", "x=1"], "--at"),
                                         (["--order", "2"], "--order"),
                                         (["--precision", "30"], "--precision")])
def test_cli_example_refuses_what_would_replace_it(run, extra, flag):
    result = run("diff", "--example", "network", *extra)
    assert result.exit_code == 2 and result.stdout == ""
    assert f"leave out {flag}" in result.stderr


def test_unknown_example_names_the_choices():
    with pytest.raises(UsageError, match="matmul-vjp"):
        differentiated("nope")


def test_a_scalar_example_differentiates_at_its_point():
    result = differentiated("x-sin-y")
    assert result.gradient["x"] == pytest.approx(0.5, rel=1e-15)
    assert result.gradient["y"] == pytest.approx(3 * np.cos(np.pi / 6), rel=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_the_listed_at_options_give_the_same_point(run, name):
    """The command line ``adcli examples`` shows for the point reproduces the example."""
    example = BY_NAME[name]
    at = [arg for option in example.at_options() for arg in ("--at", option)]
    result = run("diff", example.expression, *at, "--wrt", ",".join(example.wrt),
                 "-f", "json")
    assert result.exit_code == 0, result.stderr
    gradient = json.loads(result.stdout)["gradient"]
    for variable, g in CLOSED_FORM[name](_point(example)).items():
        np.testing.assert_allclose(gradient[variable], g, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_tape_runs_every_array_example(run, name):
    result = run("tape", "--example", name, "-f", "json")
    assert result.exit_code == 0, result.stderr
