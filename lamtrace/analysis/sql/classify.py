"""SQL that parses every raw event the way :func:`lamtrace.analysis.formats.parse_message` does.

The SQL is generated from the same specs — the text ``LinePattern`` regexes (RE2 reads them like ``re``) and the
JSON ``FIELD_PATHS`` — so the two paths cannot drift apart silently; ``tests/unit/analysis/test_sql_agrees.py``
checks them against each other on every fixture and on generated lines.

Per event: one cheap prefix test per text pattern, one ``regexp_extract`` for the pattern that passes, and for a
message starting with ``{`` one ``json_extract_string`` over all paths (the JSON text is parsed once). Each field
is then one CASE over only the formats that have it, so most rows fall through it at once.
"""

from __future__ import annotations

from lamtrace.analysis.formats import json_records
from lamtrace.analysis.formats.event import TEXT_PATTERNS
from lamtrace.analysis.formats.fields import FIELDS, NUMBER_FULL, LinePattern

_SQL_TYPES = {"str": "VARCHAR", "float": "DOUBLE", "int": "BIGINT", "bool": "BOOLEAN"}
# JSON paths in two groups: what every JSON line needs (its kind, and an application line's fields), read for
# all; the rest, read (a second parse) only for the minority of records of other kinds.
_COMMON_KINDS = ("app", "emf", "unparsed", "platform_other")
_FIRST = list(json_records.KIND_PATHS) + [
    p for k in _COMMON_KINDS for ps in json_records.FIELD_PATHS[k].values() for p in ps
]
_FIRST = list(dict.fromkeys(_FIRST))
# the second read takes only the paths of the record's own kind (a platform.start needs 3, not all 25)
_SECOND = {
    kind: list(dict.fromkeys(p for ps in paths.values() for p in ps if p not in _FIRST))
    for kind, paths in json_records.FIELD_PATHS.items()
    if kind not in _COMMON_KINDS
}
_NAMES = [f for f in FIELDS if f not in ("kind", "log_format")]


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _list(items: list[str]) -> str:
    return "[" + ", ".join(_lit(i) for i in items) + "]"


def _json(path: str, kind: str | None = None) -> str:
    if path in _FIRST:
        return f"j[{_FIRST.index(path) + 1}]"
    return f"j2[{_SECOND[kind].index(path) + 1}]"


def _convert(expr: str, typ: str, from_json: bool) -> str:
    """SQL converting extracted text to a field's type, mirroring ``fields.CONVERT``."""
    if typ == "str":
        return f"NULLIF({expr}, '')"
    if typ == "bool":
        return f"(CASE {expr} WHEN 'true' THEN true WHEN 'false' THEN false END)"
    valid = f"regexp_full_match({expr}, {_lit(NUMBER_FULL.pattern)})" if from_json else f"{expr} <> ''"
    number = f"(CASE WHEN {valid} THEN TRY_CAST({expr} AS DOUBLE) END)"
    number = f"(CASE WHEN isfinite({number}) THEN {number} END)"
    if typ == "float":
        return number
    return f"(CASE WHEN abs({number}) <= 4611686018427387904 THEN trunc({number})::BIGINT END)"


def _quick(pattern: LinePattern) -> str:
    tests = []
    if pattern.prefix is not None:
        tests.append(f"starts_with(m, {_lit(pattern.prefix)})")
    if pattern.contains is not None:
        tests.append(f"contains(m, {_lit(pattern.contains)})")
    return " AND ".join(tests) or "true"


def _text_field(i: int, pattern: LinePattern, field: str) -> str | None:
    """SQL for one field of text pattern ``i`` (``None``: the pattern does not have the field)."""
    fixed = dict(pattern.fixed)
    if field in fixed:
        return _lit(fixed[field])
    groups = [g for g in (field, field + "__2") if g in pattern.groups()]
    if not groups:
        return None
    raw = "coalesce(" + ", ".join(f"NULLIF(p{i}.{g}, '')" for g in groups) + ")"
    value = _convert(raw, FIELDS[field], from_json=False)
    if field == "request_id":
        value = f"NULLIF({value}, 'undefined')"
    if field == "level":
        value = f"replace({value}, 'LAMBDA_WARNING', 'WARNING')"
    return value


def _json_kind() -> str:
    typ = _json("$.type")
    platform = " ".join(f"WHEN {_lit(t)} THEN {_lit(k)}" for t, k in json_records.PLATFORM_TYPES.items())
    markers = ", ".join(_lit(m) for m in json_records.MARKER_KINDS)
    marker = _json("$.marker")
    return (
        f"CASE WHEN starts_with({typ}, 'platform.') THEN (CASE {typ} {platform} ELSE 'platform_other' END) "
        f"WHEN {_json('$.lamtrace')} IS NOT NULL THEN (CASE WHEN {marker} IN ({markers}) THEN {marker} ELSE 'app' END) "
        f"WHEN starts_with({_json('$._aws')}, '{{') THEN 'emf' "
        f"WHEN {_json('$.errorType')} IS NOT NULL AND {_json('$.level')} IS NULL THEN 'unhandled_error' "
        f"WHEN {_json('$.level')} IS NOT NULL OR {_json('$.log_level')} IS NOT NULL THEN 'app' "
        "ELSE 'unparsed' END"
    )


def _json_kind_field(kind: str, field: str) -> str | None:
    """SQL for one field of one JSON record kind (``None``: that kind does not have the field)."""
    fields = json_records.FIELD_PATHS[kind]
    fixed = json_records.FIXED.get(kind, {})
    if field in fixed:
        return _lit(fixed[field])
    source = field if field in fields else "trace_header" if field in ("trace_id", "sampled") else None
    if source not in fields:
        return None
    typ = "str" if source == "trace_header" else FIELDS[field]
    text = [_convert(_json(p, kind), typ, from_json=True) for p in fields[source]]
    value = text[0] if len(text) == 1 else f"coalesce({', '.join(text)})"
    if source == "trace_header" and field == "trace_id":
        value = f"NULLIF(regexp_extract({value}, {_lit(json_records.TRACE_ROOT)}, 1), '')"
    elif source == "trace_header":
        sampled = f"regexp_extract({value}, {_lit(json_records.TRACE_SAMPLED)}, 1)"
        value = f"(CASE {sampled} WHEN '1' THEN true WHEN '0' THEN false END)"
    elif field == "level":
        value = f"upper({value})"
    return value


def _field(name: str) -> str:
    """One field: a CASE over only the JSON kinds and text patterns that have it (most rows fall through)."""
    json_branches = [
        f"WHEN {_lit(kind)} THEN {value}"
        for kind in json_records.FIELD_PATHS
        if (value := _json_kind_field(kind, name)) is not None
    ]
    text_branches = [
        (i, value) for i, p in enumerate(TEXT_PATTERNS) if (value := _text_field(i, p, name)) is not None
    ]
    cases = []
    if json_branches:
        cases.append(f"WHEN src = -1 THEN (CASE kind {' '.join(json_branches)} END)")
    if text_branches:
        inner = " ".join(f"WHEN {i} THEN {v}" for i, v in text_branches)
        cases.append(
            f"WHEN src IN ({', '.join(str(i) for i, _ in text_branches)}) THEN (CASE src {inner} END)"
        )
    body = f"CASE {' '.join(cases)} END" if cases else "NULL"
    return f"CAST({body} AS {_SQL_TYPES[FIELDS[name]]})"


def classify_sql(
    source: str, columns: tuple[str, ...] = ("event_id", "log_group", "log_stream", "timestamp")
) -> str:
    """A SELECT over ``source`` (a table or subquery with a ``message`` column) giving ``columns`` + ``FIELDS``."""
    passthrough = ", ".join(columns)
    # which text pattern matches: match-only regexes (RE2 runs these as a DFA) in Python's order
    matches = " ".join(
        f"WHEN {_quick(p)} AND regexp_matches(m, {_lit(p.regex)}) THEN {i}"
        for i, p in enumerate(TEXT_PATTERNS)
    )
    # then the one submatch extraction that is needed
    extracts = ", ".join(
        f"CASE WHEN src = {i} THEN regexp_extract(m, {_lit(p.extractor)}, {_list(p.groups())}) END AS p{i}"
        for i, p in enumerate(TEXT_PATTERNS)
    )
    kinds = " ".join(f"WHEN {i} THEN {_lit(p.kind)}" for i, p in enumerate(TEXT_PATTERNS))
    second = " ".join(
        f"WHEN {_lit(kind)} THEN json_extract_string(m, {_list(paths)})"
        for kind, paths in _SECOND.items()
        if paths
    )
    fields = ", ".join(f"{_field(name)} AS {name}" for name in _NAMES)
    return f"""
SELECT {passthrough}, kind, log_format, {fields}
FROM (
  SELECT *
  FROM (
    SELECT *, {extracts},
      CASE WHEN src = -1 THEN {_json_kind()} WHEN src IS NULL THEN 'unparsed' ELSE (CASE src {kinds} END) END AS kind,
      CASE WHEN src = -1 THEN (CASE kind {second} END) END AS j2,
      CASE WHEN starts_with(m, '{{') THEN 'json' ELSE 'text' END AS log_format
    FROM (
      SELECT {passthrough}, m,
        CASE WHEN starts_with(m, '{{') THEN TRY(json_extract_string(m, {_list(_FIRST)})) END AS j,
        CASE WHEN starts_with(m, '{{') THEN (CASE WHEN j IS NOT NULL THEN -1 END) {matches} END AS src
      FROM (SELECT {passthrough}, message AS m FROM {source})
    )
  )
)
"""
