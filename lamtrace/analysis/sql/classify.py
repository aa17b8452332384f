"""SQL that parses every raw event the way :func:`lamtrace.analysis.formats.parse_message` does.

The SQL is generated from the same specs — the text ``LinePattern`` regexes (RE2 reads them like ``re``) and the
JSON ``FIELD_PATHS`` — so the two paths cannot drift apart silently; ``tests/unit/analysis/test_sql_agrees.py``
checks them against each other on every fixture and on generated lines.

Per event: one cheap prefix test per text pattern, one ``regexp_extract`` for the pattern that passes, and for a
message starting with ``{`` one ``json_extract_string`` over all paths (the JSON text is parsed once).
"""

from __future__ import annotations

from lamtrace.analysis.formats import json_records
from lamtrace.analysis.formats.event import TEXT_PATTERNS
from lamtrace.analysis.formats.fields import FIELDS, NUMBER_FULL, WHITESPACE, LinePattern

_SQL_TYPES = {"str": "VARCHAR", "float": "DOUBLE", "int": "BIGINT", "bool": "BOOLEAN"}
_PATHS = json_records.all_paths()


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _list(items: list[str]) -> str:
    return "[" + ", ".join(_lit(i) for i in items) + "]"


def _json(path: str) -> str:
    return f"j[{_PATHS.index(path) + 1}]"


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


def _json_field(field: str) -> str | None:
    branches = []
    for kind, fields in json_records.FIELD_PATHS.items():
        fixed = json_records.FIXED.get(kind, {})
        if field in fixed:
            branches.append(f"WHEN {_lit(kind)} THEN {_lit(fixed[field])}")
            continue
        source = field if field in fields else "trace_header" if field in ("trace_id", "sampled") else None
        if source not in fields:
            continue
        text = [
            _convert(_json(p), "str" if source == "trace_header" else FIELDS[field], True)
            for p in fields[source]
        ]
        value = text[0] if len(text) == 1 else f"coalesce({', '.join(text)})"
        if source == "trace_header" and field == "trace_id":
            value = f"NULLIF(regexp_extract({value}, {_lit(json_records.TRACE_ROOT)}, 1), '')"
        elif source == "trace_header":
            value = f"(CASE regexp_extract({value}, {_lit(json_records.TRACE_SAMPLED)}, 1) WHEN '1' THEN true WHEN '0' THEN false END)"
        elif field == "level":
            value = f"upper({value})"
        branches.append(f"WHEN {_lit(kind)} THEN {value}")
    if not branches:
        return None
    return f"(CASE kind {' '.join(branches)} END)"


def classify_sql(
    source: str, columns: tuple[str, ...] = ("event_id", "log_group", "log_stream", "timestamp")
) -> str:
    """A SELECT over ``source`` (a table or subquery with a ``message`` column) giving ``columns`` + ``FIELDS``."""
    passthrough = ", ".join(columns)
    ws = _lit(WHITESPACE)
    extracts = [f"CASE WHEN starts_with(m, '{{') THEN TRY(json_extract_string(m, {_list(_PATHS)})) END AS j"]
    for i, pattern in enumerate(TEXT_PATTERNS):
        regex = _lit(pattern.regex)
        extracts.append(
            f"CASE WHEN {_quick(pattern)} THEN regexp_extract(m, {regex}, {_list(pattern.groups())}) END AS p{i}"
        )
    src_cases = " ".join(f"WHEN p{i}.{p.key} <> '' THEN {i}" for i, p in enumerate(TEXT_PATTERNS))
    kinds = " ".join(f"WHEN {i} THEN {_lit(p.kind)}" for i, p in enumerate(TEXT_PATTERNS))
    fields = []
    for field in FIELDS:
        if field in ("kind", "log_format"):
            continue
        branches = [f"WHEN src = -1 THEN {_json_field(field) or 'NULL'}"]
        for i, pattern in enumerate(TEXT_PATTERNS):
            value = _text_field(i, pattern, field)
            if value is not None:
                branches.append(f"WHEN src = {i} THEN {value}")
        fields.append(f"CAST(CASE {' '.join(branches)} END AS {_SQL_TYPES[FIELDS[field]]}) AS {field}")
    return f"""
SELECT {passthrough}, kind, log_format, {", ".join(fields)}
FROM (
  SELECT *, CASE WHEN src = -1 THEN {_json_kind()} WHEN src IS NULL THEN 'unparsed' ELSE (CASE src {kinds} END) END AS kind,
         CASE WHEN starts_with(m, '{{') THEN 'json' ELSE 'text' END AS log_format
  FROM (
    SELECT *, CASE WHEN j IS NOT NULL THEN -1 WHEN starts_with(m, '{{') THEN NULL {src_cases} END AS src
    FROM (
      SELECT {passthrough}, m, {", ".join(extracts)}
      FROM (SELECT {passthrough}, trim(message, {ws}) AS m FROM {source})
    )
  )
)
"""
