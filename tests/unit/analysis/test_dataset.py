"""``lamtrace.analysis.load``: inputs it accepts, filters, and the object it returns."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd
import pytest

from lamtrace.analysis import Dataset, load
from lamtrace.errors import InputError
from tests.unit.analysis.test_text_and_json_formats import render


def write_run_directory(root):
    (root / "logs").mkdir(parents=True)
    (root / "traces").mkdir()
    events = render(json_format=False)
    (root / "logs" / "orders.jsonl").write_text("\n".join(json.dumps(e) for e in events) + "\n")
    return events


def test_local_run_directory_with_logs_and_traces_folders(tmp_path):
    write_run_directory(tmp_path / "run")
    ds = load(logs=str(tmp_path / "run"))
    assert isinstance(ds, Dataset)
    assert len(ds.invocations) == 5
    assert isinstance(ds.segments, pd.DataFrame)
    assert "traces" in ds.coverage
    assert "5 attempts" in repr(ds)


def test_globs_and_iterables_give_the_same_table(tmp_path):
    events = write_run_directory(tmp_path)
    by_glob = load(logs=str(tmp_path / "logs" / "*.jsonl")).invocations
    by_iterable = load(logs=iter(events)).invocations
    assert by_glob.equals(by_iterable)


def test_contract_dtypes():
    inv = load(logs=render(json_format=True)).invocations
    assert str(inv["start_time"].dtype) == "datetime64[ms, UTC]"
    assert inv["memory_mb"].dtype == "Int64" and inv["attempt"].dtype == "int64"
    assert inv["cold_start"].dtype == bool and inv["sampled"].dtype == "boolean"
    assert inv["has_trace"].dtype == bool and not inv["has_trace"].any()


def test_since_until_and_function_filters():
    events = render(json_format=False)
    all_rows = load(logs=events).invocations
    t = datetime(1970, 1, 1, 0, 0, 3, tzinfo=timezone.utc)
    assert len(load(logs=events, since=t).invocations) == 3  # started at 3 s, 4 s, 9 s
    assert len(load(logs=events, until="1970-01-01T00:00:03Z").invocations) == 2
    assert len(load(logs=events, since=2_000, until=4_000).invocations) == 2
    assert load(logs=events, function="orders").invocations.equals(all_rows)
    assert load(logs=events, function=["other"]).invocations.empty
    with pytest.raises(InputError):
        load(logs=events, since="yesterday")


def test_unknown_input_type_is_a_clear_error():
    with pytest.raises(InputError):
        load(logs=42)


def test_report_is_built_by_the_report_module():
    pytest.importorskip("lamtrace.analysis.report")
    ds = load(logs=render(json_format=True))
    assert ds.report() is not None


def test_progress_runs_through_the_phases_to_the_end(tmp_path):
    write_run_directory(tmp_path)
    heard = []
    quiet = load(logs=str(tmp_path / "logs")).invocations
    ds = load(logs=str(tmp_path / "logs"), progress=lambda phase, fraction: heard.append((phase, fraction)))
    assert ds.invocations.equals(quiet)  # reporting progress changes nothing
    phases = list(dict.fromkeys(phase for phase, _ in heard))
    assert phases == ["parsing events", "assembling attempts", "joining traces"]
    fractions = [fraction for _, fraction in heard]
    assert fractions == sorted(fractions) and fractions[0] >= 0 and fractions[-1] == 1.0
