"""Progress display: a bar fed from another thread on a terminal, nothing at all otherwise."""

from __future__ import annotations

import io
import threading

from lamtrace.cli import console


def test_no_terminal_means_no_output_and_a_harmless_update(monkeypatch):
    stderr = io.StringIO()
    monkeypatch.setattr("sys.stderr", stderr)
    with console.progress("Reading", bar=True) as update:
        update("parsing events", 0.5)
    with console.progress("Reading", quiet=True) as update:
        update("parsing events", 0.5)
    assert stderr.getvalue() == ""


def test_bar_accepts_updates_from_another_thread_and_goes_away(monkeypatch):
    stderr = io.StringIO()
    monkeypatch.setattr("sys.stderr", stderr)
    monkeypatch.setattr(console, "is_terminal", lambda stream: True)
    with console.progress("Reading logs/", bar=True) as update:
        worker = threading.Thread(target=lambda: [update("parsing events", i / 10) for i in range(11)])
        worker.start()
        worker.join()
        update("joining traces", 1.0)
    shown = stderr.getvalue()
    assert "Reading logs/: joining traces" in shown and "100%" in shown
    with console.progress("Comparing") as update:  # the spinner: updates are ignored
        update("anything", 0.3)
    assert "anything" not in stderr.getvalue()
