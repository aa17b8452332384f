"""Terminal plumbing shared by the commands: progress while working, colour only on a terminal, writing output."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from lamtrace.errors import InputError


def is_terminal(stream: object) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


def use_color() -> bool:
    """Colour on stdout only for a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return is_terminal(sys.stdout) and not os.environ.get("NO_COLOR")


Update = Callable[[str, float], None]


def _ignore(phase: str, fraction: float) -> None:
    pass


@contextmanager
def progress(message: str, *, quiet: bool = False, bar: bool = False) -> Iterator[Update]:
    """Progress on stderr while the block runs; nothing at all when stderr is not a terminal or ``quiet``.

    A spinner, or with ``bar=True`` a bar the block feeds through the ``update(phase, fraction)`` it is given
    (thread-safe: DuckDB's progress is polled from a thread). The display disappears when the block ends.
    """
    if quiet or not is_terminal(sys.stderr):
        yield _ignore
        return
    from rich.console import Console

    console = Console(stderr=True, force_terminal=True)  # is_terminal said so; rich need not ask again
    if not bar:
        with console.status(message, spinner="dots"):
            yield _ignore
        return
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as display:
        task = display.add_task(message, total=1.0)

        def update(phase: str, fraction: float) -> None:
            display.update(task, completed=fraction, description=f"{message}: {phase}")

        yield update


def write_output(text: str, path: str | None) -> None:
    """Write to ``path`` (creating parent folders), or to stdout when ``path`` is None or ``-``."""
    if path in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


def note(message: str) -> None:
    """A one-line message for the user on stderr (never mixed into machine-readable stdout)."""
    print(f"lamtrace: {message}", file=sys.stderr)
