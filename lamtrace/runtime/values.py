"""``Fields``: the base of lamtrace's small value classes (equality and repr by their slots).

``typing.NamedTuple`` and ``dataclasses`` would do, but importing them costs more than the rest of the wrapper
together (tens of milliseconds of cold start); these classes need neither.
"""

from __future__ import annotations


class Fields:
    """A value object: subclasses list their fields in ``__slots__`` and set them in ``__init__``."""

    __slots__ = ()

    def astuple(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.astuple() == self.astuple()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self.astuple())

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({inner})"
