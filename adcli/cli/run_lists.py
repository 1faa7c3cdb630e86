"""``adcli examples`` and ``adcli functions``: what adcli knows, listed."""

from __future__ import annotations


def run_examples(fmt: str) -> None:
    from ..render import render
    from ..studies.examples import listing

    render(listing(), fmt or "table")


def run_functions(fmt: str) -> None:
    from ..language.catalog import language
    from ..render import render

    render(language(), fmt or "table")
