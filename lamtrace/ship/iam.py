"""Does a set of IAM policy documents allow an action on a resource? A deliberately small evaluator.

It reads identity policies the way IAM does for the common cases: an explicit ``Deny`` beats any ``Allow``,
nothing is allowed unless some ``Allow`` matches, ``Action``/``NotAction`` and ``Resource``/``NotResource`` take
``*`` and ``?`` wildcards (actions case-insensitively). It does **not** evaluate ``Condition`` blocks (a statement
with conditions makes the answer ``conditional``), policy variables, service control policies, session policies or
resource-based policies. IAM's own policy simulator needs permissions users of ``lamtrace doctor`` often lack, and
moto does not implement it; this is enough to catch a missing ``logs:PutLogEvents``.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

ALLOWED = "allowed"
DENIED = "denied"  # an explicit Deny matches
NOT_ALLOWED = "not allowed"  # no Allow matches (implicit deny)
CONDITIONAL = "conditional"  # allowed or denied only under conditions this evaluator does not check


def parse_document(document: str | dict[str, Any]) -> dict[str, Any]:
    """A policy document as a dict; IAM APIs may return it URL-encoded JSON text."""
    if isinstance(document, dict):
        return document
    text = document if document.lstrip().startswith("{") else urllib.parse.unquote(document)
    return json.loads(text)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


@lru_cache(maxsize=512)
def _pattern(glob: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile(regex, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def _matches(globs: list[str], value: str, *, ignore_case: bool) -> bool:
    return any(_pattern(glob, ignore_case).fullmatch(value) for glob in globs)


def _statement_applies(statement: dict[str, Any], action: str, resource: str) -> bool:
    if "Action" in statement:
        action_ok = _matches(_as_list(statement["Action"]), action, ignore_case=True)
    else:
        action_ok = not _matches(_as_list(statement.get("NotAction")), action, ignore_case=True)
    if "Resource" in statement:
        resource_ok = _matches(_as_list(statement["Resource"]), resource, ignore_case=False)
    elif "NotResource" in statement:
        resource_ok = not _matches(_as_list(statement["NotResource"]), resource, ignore_case=False)
    else:
        resource_ok = False  # an identity policy statement without a resource is invalid
    return action_ok and resource_ok


def statements(documents: Iterable[str | dict[str, Any]]) -> list[dict[str, Any]]:
    """Every statement of every document, as a list of dicts."""
    found = []
    for document in documents:
        body = _as_statements(parse_document(document).get("Statement"))
        found.extend(s for s in body if isinstance(s, dict))
    return found


def _as_statements(value: Any) -> list[Any]:
    if value is None:
        return []
    return [value] if isinstance(value, dict) else list(value)


def evaluate(documents: Iterable[str | dict[str, Any]], action: str, resource: str) -> str:
    """``allowed``, ``denied``, ``not allowed`` or ``conditional`` for ``action`` on ``resource``.

    >>> policy = {"Statement": [{"Effect": "Allow", "Action": "logs:Put*", "Resource": "*"}]}
    >>> evaluate([policy], "logs:PutLogEvents", "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s")
    'allowed'
    """
    allowed = conditional = False
    for statement in statements(documents):
        if not _statement_applies(statement, action, resource):
            continue
        has_condition = bool(statement.get("Condition"))
        if statement.get("Effect") == "Deny":
            if not has_condition:
                return DENIED
            conditional = True
        elif statement.get("Effect") == "Allow":
            if has_condition:
                conditional = True
            else:
                allowed = True
    if conditional:
        return CONDITIONAL
    return ALLOWED if allowed else NOT_ALLOWED
