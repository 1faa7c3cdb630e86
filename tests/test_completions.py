"""Shell completion: the shipped scripts, and answers through Click's protocol.

The files in completions/ must be exactly what ``adcli completion SHELL``
prints: this is the drift check (regenerate them with
``adcli completion bash > completions/adcli.bash`` and so on).  The answers are
asked for the way the shells ask: ``python -m adcli`` with COMP_WORDS,
COMP_CWORD and _ADCLI_COMPLETE in the environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from adcli.backends import MODES
from adcli.cli.app import SHELLS, completion_script
from adcli.ops import SURFACE
from adcli.render import FORMATS

ROOT = Path(__file__).resolve().parent.parent
COMPLETIONS = ROOT / "completions"


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_files_have_not_drifted(run, shell):
    shipped = (COMPLETIONS / f"adcli.{shell}").read_text(encoding="utf-8")
    result = run("completion", shell)
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout == completion_script(shell)
    assert shipped == result.stdout, (
        f"completions/adcli.{shell} differs from `adcli completion {shell}`: "
        f"regenerate it")


def test_the_shells_are_bash_zsh_fish():
    assert SHELLS == ("bash", "zsh", "fish")
    assert sorted(p.name for p in COMPLETIONS.iterdir()) == [
        "adcli.bash", "adcli.fish", "adcli.zsh"]


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_command_in_a_subprocess(shell):
    """Whatever the program is called (here python -m adcli), the script is for adcli."""
    done = _adcli("completion", shell)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout == (COMPLETIONS / f"adcli.{shell}").read_text(encoding="utf-8")
    assert "_ADCLI_COMPLETE" in done.stdout


def test_completion_of_an_unknown_shell_is_a_usage_error(run):
    result = run("completion", "tcsh")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("adcli: error: ") and result.stderr.count("\n") == 1


# -- the protocol ---------------------------------------------------------------------


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.endswith("_COMPLETE") and k not in ("COMP_WORDS", "COMP_CWORD")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def _adcli(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "adcli", *args], capture_output=True,
                          text=True, encoding="utf-8", env=_env(**env), cwd=ROOT,
                          timeout=60, stdin=subprocess.DEVNULL)


def complete(line: str, shell: str = "bash") -> list[str]:
    """What ``adcli`` offers for the last word of ``line`` (may end in a space)."""
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    if shell == "fish":
        done = _adcli(COMP_WORDS=line, COMP_CWORD=words[-1] if not line.endswith(" ")
                      else "", _ADCLI_COMPLETE="fish_complete")
    else:
        done = _adcli(COMP_WORDS=line, COMP_CWORD=str(cword),
                      _ADCLI_COMPLETE=f"{shell}_complete")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return [line for line in done.stdout.splitlines() if line]  # none: one empty line


def plain(values) -> list[str]:
    return [f"plain,{v}" for v in values]


def test_the_example_in_the_brief():
    assert complete("adcli diff x --mode f") == ["plain,forward"]


@pytest.mark.parametrize("line, want", [
    ("adcli diff x --mode ", plain(MODES)),
    ("adcli diff x -m s", plain(["symbolic"])),
    ("adcli tape x -m ", plain(["forward", "reverse", "both"])),
    ("adcli tape x --mode b", plain(["both"])),
    ("adcli diff x --format ", plain(FORMATS + ("jsonl", "npy"))),
    ("adcli compare x -f m", plain(["markdown"])),
    ("adcli tape x --format l", plain(["latex"])),
    ("adcli examples -f ", plain(FORMATS)),
    ("adcli tape x --numbering ", plain(["seed", "griewank"])),
    ("adcli tape x --numbering g", plain(["griewank"])),
    ("adcli completion ", plain(["bash", "zsh", "fish"])),
    ("adcli completion z", plain(["zsh"])),
    ("adcli graph x --format ", plain(FORMATS + ("text", "dot", "mermaid"))),
    ("adcli graph x -f m", plain(["markdown", "mermaid"])),
], ids=lambda v: v if isinstance(v, str) else None)
def test_option_values_complete(line, want):
    assert complete(line) == want


def test_commands_complete():
    from adcli.cli import cli

    got = complete("adcli ")
    assert got == plain(sorted(cli.commands))
    assert set(got) >= set(plain(["compare", "completion", "diff", "examples", "functions",
                                  "steps", "swell", "tape"]))
    assert complete("adcli com") == plain(["compare", "completion"])
    assert complete("adcli ba") == plain(["batch"])


@pytest.mark.parametrize("command", ["diff", "tape", "compare", "steps", "swell"])
def test_function_names_complete_in_expr(command):
    want = plain(f"{name}(" for name in SURFACE if name.startswith("si"))
    assert want == plain(["sigmoid(", "sign(", "sin(", "sinh("])
    assert complete(f"adcli {command} si") == want


@pytest.mark.parametrize("word, among", [
    ("x+si", ["x+sigmoid(", "x+sign(", "x+sin(", "x+sinh("]),
    ("2*ex", ["2*exp("]),
    ("sin(x)*log", ["sin(x)*log(", "sin(x)*log10(", "sin(x)*log2("]),
    ("at", ["atan(", "atan2(", "atanh("]),
    ("x+", []),            # nothing typed yet: no guess
    ("zz", []),            # no such function
])
def test_function_names_complete_after_a_partial_formula(word, among):
    """Every function of the op table that starts with the word typed, these among them."""
    head = word.rstrip("abcdefghijklmnopqrstuvwxyz0123456789_")
    typed = word[len(head):]
    want = [head + name + "(" for name in SURFACE if typed and name.startswith(typed)]
    assert set(among) <= set(want)
    assert complete(f"adcli diff {word}") == plain(want)


def test_zsh_and_fish_protocols():
    assert complete("adcli diff x --mode f", "zsh") == ["plain", "forward", "_"]
    assert complete("adcli diff x --mode f", "fish") == ["plain,forward"]
    assert complete("adcli diff si", "zsh") == [
        line for name in ("sigmoid(", "sign(", "sin(", "sinh(") for line in
        ("plain", name, "_")]
