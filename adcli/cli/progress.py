"""A progress line on stderr for work that may take over a second.

Only when stderr is a terminal: pipes, files and tests see nothing.  The
library reports steps through a plain callback and knows nothing of Rich.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager


@contextmanager
def progress(total: int, label: str):
    """Yields ``step(name)``, to be called before each of ``total`` steps."""
    if not sys.stderr.isatty():
        yield lambda name: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        started = [False]

        def step(name: str) -> None:
            if started[0]:
                bar.advance(task)
            started[0] = True
            bar.update(task, description=f"{label}: {name}")

        yield step
