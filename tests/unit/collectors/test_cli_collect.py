"""`lamtrace collect` command line: arguments, and progress drawn only when stderr is a terminal."""

from __future__ import annotations

import io
import sys

from lamtrace.cli.collect import _progress_bar


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_progress_when_stderr_is_not_a_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with _progress_bar() as progress:
        assert progress is None


def test_progress_bars_on_a_terminal(monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with _progress_bar() as progress:
        progress("slices", 4)
        progress("slice_done", 120)
        progress("slices_skipped", 2)
        progress("trace_ids", 3)
        progress("segments", 9)
    assert "log slices" in terminal.getvalue()


def test_names_can_follow_one_flag_or_repeat_it():
    from lamtrace.cli import build_parser

    args = build_parser().parse_args(
        [
            "collect",
            "--log-group",
            "a",
            "b",
            "--log-group",
            "c",
            "--function",
            "f",
            "--since",
            "2h",
            "--out",
            "d",
        ]
    )
    assert args.log_group == ["a", "b", "c"] and args.function == ["f"] and args.log_group_prefix == []
