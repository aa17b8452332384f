"""X-Ray segment documents -> segment rows, on the real samples and on arbitrary JSON."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lamtrace.analysis.formats.xray import (
    SEGMENT_COLUMNS,
    MalformedDocument,
    function_from_arn,
    parse_document,
)
from tests.unit.analysis.trace_helpers import raw_docs

BGT = "xdg-batch-get-traces.json"


def rows_of(fixture: str) -> list[dict]:
    return [
        row for raw in raw_docs(fixture) for row in parse_document(raw["document"], trace_id=raw["trace_id"])
    ]


def by_id(rows: list[dict]) -> dict[str, dict]:
    return {row["segment_id"]: row for row in rows}


def test_batch_get_traces_sample_flattens_every_segment_and_subsegment():
    rows = rows_of(BGT)
    assert all(set(row) == set(SEGMENT_COLUMNS) for row in rows)
    # 5 documents; Scorekeep has 2 subsegments (one nested one level more), the function segment 3
    assert len(rows) == 5 + 3 + 3
    kinds = [row["kind"] for row in rows]
    assert kinds.count("inferred") == 2 and kinds.count("segment") == 3 and kinds.count("subsegment") == 6


def test_lambda_service_segment_carries_the_request_id_and_function_name():
    service = by_id(rows_of(BGT))["1fb07842d944e714"]
    assert service["origin"] == "AWS::Lambda"
    assert service["request_id"] == "ac086670-6373-11e7-a174-f31b3397f190"
    assert service["function"] == "random-name"
    assert service["parent_id"] == "0c544c1b1bbff948"  # the caller's Lambda subsegment
    # Java writes times with an exponent; 1.499473414572E9 - 1.499473411677E9 s
    assert service["duration_ms"] == pytest.approx(2895.0)
    assert service["http_status"] == 200


def test_function_segment_subsegments_inherit_the_function_and_point_to_their_parent():
    rows = by_id(rows_of(BGT))
    init = rows["2279c0030c955e52"]
    assert (init["name"], init["kind"], init["parent_id"]) == (
        "Initialization",
        "subsegment",
        "00f91aa01f4984fd",
    )
    assert init["function"] == "random-name"
    assert init["duration_ms"] == pytest.approx(755.0)
    sns = rows["b29b548af4d54a0f"]
    assert (sns["namespace"], sns["operation"], sns["remote_service"]) == ("aws", "Publish", "SNS")
    assert sns["request_id"] == "a2137970-f6fc-5029-83e8-28aadeb99198"


def test_nested_subsegment_parent_is_the_enclosing_subsegment():
    dynamo = by_id(rows_of(BGT))["4cd3f10b76c624b4"]
    assert dynamo["parent_id"] == "071684f2e555e571"
    assert dynamo["function"] is None  # Scorekeep is not a Lambda function
    assert dynamo["operation"] == "UpdateItem"


def test_inferred_segment():
    inferred = by_id(rows_of(BGT))["17ba309b32c7fbaf"]
    assert inferred["kind"] == "inferred"
    assert inferred["origin"] == "AWS::DynamoDB::Table"
    assert inferred["parent_id"] == "4cd3f10b76c624b4"


def test_2024_function_segment_with_overhead_only():
    rows = by_id(rows_of("idx-32820174947-lambda-2024.jsonl"))
    function = rows["e6a9e00f59b508c8"]
    assert function["origin"] == "AWS::Lambda::Function"
    assert function["function"] == "nodejs-example-telemetry-api-demo-function"  # from the name: no ARN here
    assert rows["4fe597356c183c04"]["name"] == "Overhead"
    assert rows["4fe597356c183c04"]["duration_ms"] == pytest.approx(388.277, abs=0.01)


def test_fault_and_cause_from_powertools_error_trace():
    rows = by_id(rows_of("ptts-powertools-error-trace.json"))
    handler = rows["aae0c94a16d66abd"]
    assert handler["fault"] is True and handler["error"] is False and handler["throttle"] is False
    assert (handler["cause_type"], handler["cause_message"]) == ("Error", "Some error occurred")


def test_remote_subsegment_names_the_host():
    doc = {
        "id": "004f72be19cddc2a",
        "trace_id": "1-62be1272-1b71c4274f39f122afa64eab",
        "type": "subsegment",
        "parent_id": "53995c3f42cd8ad8",
        "start_time": 1484786387.131,
        "end_time": 1484786387.501,
        "name": "names.example.com",
        "namespace": "remote",
        "http": {
            "request": {"method": "GET", "url": "https://names.example.com/"},
            "response": {"status": 429},
        },
        "throttle": True,
        "error": True,
        "cause": "4fe597356c183c04",
    }
    (row,) = parse_document(json.dumps(doc))
    assert row["kind"] == "subsegment"
    assert (row["remote_service"], row["operation"], row["http_status"]) == ("names.example.com", "GET", 429)
    assert row["throttle"] and row["error"] and not row["fault"]
    assert row["cause_type"] is None  # a bare exception id says nothing here


def test_in_progress_segment_has_no_end_and_no_duration():
    (row,) = parse_document({"id": "a", "trace_id": "1-1-1", "start_time": 10, "in_progress": True})
    assert row["end_time"] is None and row["duration_ms"] is None


@pytest.mark.parametrize(
    "document", ["", "{", "[1, 2]", '"text"', "null", '{"name": "no id"}', '{"id": 5}', b"\xff\xfe", 42]
)
def test_malformed_documents_raise_malformed_document(document):
    with pytest.raises(MalformedDocument):
        parse_document(document)


def test_function_from_arn():
    assert function_from_arn("arn:aws:lambda:us-east-1:123:function:orders:prod") == "orders"
    assert function_from_arn("arn:aws:lambda:us-east-1:123:function:orders") == "orders"
    assert function_from_arn("arn:aws:sns:us-east-1:123:topic") is None
    assert function_from_arn(None) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)
segment_keys = st.sampled_from(
    [
        "id",
        "name",
        "start_time",
        "end_time",
        "aws",
        "http",
        "cause",
        "subsegments",
        "origin",
        "namespace",
        "inferred",
        "fault",
        "error",
        "throttle",
        "parent_id",
        "trace_id",
        "type",
        "in_progress",
    ]
)
segment_like = st.recursive(
    st.dictionaries(segment_keys, json_values, max_size=8),
    lambda children: st.dictionaries(segment_keys, json_values | st.lists(children, max_size=3), max_size=8),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(json_values, segment_like))
def test_never_raises_anything_but_malformed_document_on_arbitrary_json(value):
    for document in (value, json.dumps(value)):
        try:
            rows = parse_document(document)
        except MalformedDocument:
            continue
        assert all(set(row) == set(SEGMENT_COLUMNS) for row in rows)


def count_nodes(node) -> int:
    children = node.get("subsegments")
    return (
        1 + sum(count_nodes(c) for c in children if isinstance(c, dict)) if isinstance(children, list) else 1
    )


tree = st.recursive(
    st.fixed_dictionaries({"name": st.text(max_size=5)}),
    lambda children: st.fixed_dictionaries(
        {"name": st.text(max_size=5), "subsegments": st.lists(children | st.integers(), max_size=4)}
    ),
    max_leaves=40,
)


@settings(max_examples=200, deadline=None)
@given(tree)
def test_flattening_keeps_one_row_per_nested_subsegment_and_each_parent_link(root):
    counter = iter(range(10**6))

    def number(node):
        node["id"] = f"{next(counter):016x}"
        for child in node.get("subsegments", []):
            if isinstance(child, dict):
                number(child)

    number(root)
    rows = parse_document(json.dumps(root), trace_id="1-00000000-000000000000000000000000")
    assert len(rows) == count_nodes(root)
    ids = {row["segment_id"] for row in rows}
    assert len(ids) == len(rows)
    assert all(row["parent_id"] in ids for row in rows[1:])
    assert rows[0]["kind"] == "segment" and all(row["kind"] == "subsegment" for row in rows[1:])
