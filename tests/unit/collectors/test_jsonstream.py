"""collectors.jsonstream: values split across any read boundary decode the same; broken JSON stops cleanly."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors import jsonstream
from collectors.jsonstream import MalformedJSON, iter_items


class TrickleReader(io.StringIO):
    """Returns at most ``step`` characters per read, to put boundaries everywhere."""

    def __init__(self, text: str, step: int) -> None:
        super().__init__(text)
        self.step = step

    def read(self, size: int | None = -1) -> str:
        return super().read(self.step)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(json_values, max_size=6), st.integers(min_value=1, max_value=7))
def test_streamed_array_equals_json_loads(values, step):
    text = json.dumps({"head": 1, "events": values, "tail": [1, 2]}, indent=2)
    items = list(iter_items(TrickleReader(text, step), frozenset({"events"})))
    assert [v for k, v in items if k == "events"] == values
    assert ("head", 1) in items and ("tail", [1, 2]) in items


def test_concatenated_documents_and_json_lines():
    text = '{"a": [1]}{"a": [2]}\n{"a": [3.5e2]}\n[4, 5] 6'
    got = list(iter_items(TrickleReader(text, 1), frozenset({"a"})))
    assert got == [("a", 1), ("a", 2), ("a", 350.0), (None, 4), (None, 5), (None, 6)]
    assert list(iter_items(io.StringIO(text))) == [
        (None, {"a": [1]}),
        (None, {"a": [2]}),
        (None, {"a": [350.0]}),
        (None, 4),
        (None, 5),
        (None, 6),
    ]


@pytest.mark.parametrize(
    "text", ['{"events": [{"x": 1}, {"x": 2', '{"events": [{"x": 1} {"x": 2}]}', '{"events": [1], 3}']
)
def test_broken_json_raises_after_yielding_what_came_before(text):
    got = []
    with pytest.raises(MalformedJSON):
        for item in iter_items(TrickleReader(text, 3), frozenset({"events"})):
            got.append(item)
    assert got[0] == ("events", {"x": 1}) or got[0] == ("events", 1)


def test_a_value_larger_than_the_limit_is_malformed(monkeypatch):
    monkeypatch.setattr(jsonstream, "MAX_VALUE_CHARS", 100)
    with pytest.raises(MalformedJSON):
        list(iter_items(io.StringIO('["' + "x" * 1000)))
