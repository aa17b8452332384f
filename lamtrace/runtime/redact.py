"""Replace the values of sensitive keys (authorization, cookie, password, token, ...) before anything is logged."""

from __future__ import annotations

from lamtrace.records import REDACTED

TYPE_CHECKING = False  # typing is not imported at run time: it costs more than the whole wrapper
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

_MAX_DEPTH = 32


def normalise(key: str) -> str:
    """The form keys are compared in: lower case, without "-" and "_" (``X-Api-Key`` -> ``xapikey``)."""
    return key.lower().replace("-", "").replace("_", "")


class Redactor:
    """Callable returning a copy of a value with every sensitive key's value replaced by ``"***"``.

    A key is sensitive when its normalised form contains one of the normalised ``keys``. Dicts and lists are
    copied (the caller's objects are never changed); other values are returned as they are.

    >>> Redactor(["token"])({"headers": {"X-Auth-Token": "abc", "Accept": "*/*"}})
    {'headers': {'X-Auth-Token': '***', 'Accept': '*/*'}}
    """

    def __init__(self, keys: Iterable[str]) -> None:
        self._patterns = tuple({normalise(k) for k in keys if k})
        self._verdicts: dict[str, bool] = {}  # key -> sensitive?, keys repeat across invocations

    def is_sensitive(self, key: Any) -> bool:
        verdict = self._verdicts.get(key) if isinstance(key, str) else None
        if verdict is None:
            norm = normalise(str(key))
            verdict = any(p in norm for p in self._patterns)
            if isinstance(key, str) and len(self._verdicts) < 4096:
                self._verdicts[key] = verdict
        return verdict

    def __call__(self, value: Any, _depth: int = 0) -> Any:
        if _depth > _MAX_DEPTH:
            return value
        if isinstance(value, dict):
            return {k: (REDACTED if self.is_sensitive(k) else self(v, _depth + 1)) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self(v, _depth + 1) for v in value]
        return value
