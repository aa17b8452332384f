"""Resume state of a pull: which (log group, time slice) units are completely stored.

A slice is recorded as done only after all its events were handed to the consumer *and* the consumer saved them
(``save`` is called from the store's flush), so an interrupted pull loses nothing: unfinished slices are pulled again
on resume and the store drops the events it already holds (dedupe by eventId).
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from typing import Any

CHECKPOINT_NAME = ".lamtrace-checkpoint.json"
VERSION = 1


@dataclass(frozen=True, order=True)
class Slice:
    """One unit of work: a log group and an inclusive time range in epoch milliseconds."""

    log_group: str
    start_ms: int
    end_ms: int


class Checkpoint:
    """Done slices of one request (groups, window, filter), kept in a JSON file.

    A checkpoint written for a different request is ignored (the new request starts from scratch).
    """

    def __init__(self, path: str | os.PathLike[str], request: dict[str, Any]) -> None:
        self.path, self.request = str(path), request
        self._saved: set[Slice] = set()
        self._pending: set[Slice] = set()
        self.resumed = False
        self.extra: dict[
            str, Any
        ] = {}  # caller's notes kept with the checkpoint (e.g. the resolved time window)
        try:
            with open(self.path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            return
        if data.get("version") == VERSION and data.get("request") == request:
            self._saved = {Slice(*item) for item in data.get("done", [])}
            self.extra = data.get("extra", {})
            self.resumed = bool(self._saved)

    def is_done(self, piece: Slice) -> bool:
        return piece in self._saved or piece in self._pending

    def mark_done(self, piece: Slice) -> None:
        """All events of ``piece`` were handed over; recorded on the next ``save``."""
        self._pending.add(piece)

    def save(self) -> None:
        """Persist the slices marked done so far (call after their events are stored)."""
        if not self._pending:
            return
        self._saved |= self._pending
        self._pending = set()
        data = {
            "version": VERSION,
            "request": self.request,
            "done": sorted(map(list, map(_astuple, self._saved))),
        }
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        os.replace(tmp, self.path)

    def clear(self) -> None:
        """Forget the checkpoint (the pull completed)."""
        self._saved, self._pending = set(), set()
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.path)


def _astuple(piece: Slice) -> tuple[str, int, int]:
    return piece.log_group, piece.start_ms, piece.end_ms
